"""The persistent cache: module facts kept on disk between runs, in one sqlite3 file.

What is kept (see ``summaries`` and ``PersistedResolutions`` below): module summaries, keyed by
the file's identity (path, size, mtime_ns, ctime_ns, inode) and by what the summary depends on
(module name, the target interpreter, this Python's parser); and whole resolutions of URIs,
which carry the SPOC007 facts, keyed by the search path they were made on and checked against
the identity of every file and directory they read. A value is used only when all of these still
match; anything else is a miss, and a miss only costs the work the cache would have saved.

Where: ``$SPOC_LSP_CACHE_DIR``, else ``$XDG_CACHE_HOME/spoc-lsp``, else ``~/.cache/spoc-lsp``;
never inside the project (a cache directory there is not used at all). One file per version key
(``index-<key>.sqlite3``): the key hashes spoc-lsp's version, this Python's version and bytecode
magic, and the source of ``spoc_lsp/index`` and ``spoc``, so the entries of another spoc-lsp or
of edited code are never read. Files of other versions are deleted when more than a few remain.

Safety: sqlite in WAL mode with a busy timeout, so several processes (two ``check`` runs, a
language server, forked workers) read and write it at once; a write that cannot get the lock in
time is dropped. A store that fails in any way (truncated, corrupt, not ours, wrong schema) is
deleted and started afresh, and if that fails too the cache is off for this process: never a
crash. Values are pickled, but read back by an unpickler that resolves only spoc-lsp's own data
classes (dataclasses, enums, slotted value classes of ``spoc_lsp.index``) and ``pathlib`` paths,
never a function, so even a planted file cannot make loading run code; each value also carries a
CRC-32 and is type-checked by its reader. The file is bounded (``max_bytes``): when it grows
past the bound the least recently used quarter of the rows goes.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from spoc_lsp.index.store_keys import (
    FORMAT,
    SETTLE_NS,
    cache_directory,
    fingerprint,
    identity_of,
    is_under,
    version_key,
)
from spoc_lsp.index.store_pickle import dumps, loads

_T = TypeVar("_T")

_MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 512 * _MEGABYTE
_KEEP_OTHER_VERSIONS = 3  # store files of other versions kept (other installs in use)
_FLUSH_EVERY = 512  # pending writes that trigger a write transaction
_FLUSH_AFTER = 2.0  # seconds a pending write may wait for the next put to flush it
_BUSY_TIMEOUT = 5.0  # seconds to wait for another process's write lock
_USED_RESOLUTION = 3600  # seconds: how finely a row's last use is recorded

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE facts (key TEXT PRIMARY KEY, identity TEXT NOT NULL,"
    " used INTEGER NOT NULL, checksum INTEGER NOT NULL, data BLOB NOT NULL) WITHOUT ROWID",
    "CREATE INDEX facts_used ON facts (used)",
)
_TABLES = frozenset({"meta", "facts", "facts_used"})


class Store:
    """One store file: ``get(key)`` → ``(identity, value)``, ``put(key, identity, value)``.

    Writes are buffered and committed in batches (and at exit); reads see committed rows.
    Every failure turns into a miss. Safe across threads, and across ``fork``: a forked child
    opens its own connection (a sqlite connection must not cross a fork).
    """

    def __init__(self, directory: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = directory
        self.key = version_key()
        self.path = directory / f"index-{self.key}.sqlite3"
        self.max_bytes = max_bytes
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._pid = -1
        self._broken = False
        self._pending: dict[str, tuple[str, int, bytes]] = {}
        self._touched: set[str] = set()
        self._first_pending = 0.0
        self._inherited: list[sqlite3.Connection] = []  # never closed in a forked child
        atexit.register(self.flush)

    # --- reading and writing --------------------------------------------------------------

    def get(self, key: str) -> tuple[str, object] | None:
        """The identity and value stored under ``key``, or ``None`` (missing or unreadable)."""
        with self._lock:
            pending = self._pending.get(key)
            if pending is not None:
                data, checksum = pending[2], pending[1]
                identity = pending[0]
            else:
                db = self._connection()
                if db is None:
                    return None
                try:
                    row = db.execute(
                        "SELECT identity, checksum, data, used FROM facts WHERE key = ?", (key,)
                    ).fetchone()
                except sqlite3.OperationalError:
                    return None  # busy: a miss
                except (sqlite3.Error, ValueError):
                    self._reset()
                    return None
                if row is None:
                    return None
                identity, checksum, data, used = row
                if not (isinstance(identity, str) and isinstance(data, bytes)):
                    return None
                if isinstance(used, int) and used < _now_used() - 24:
                    self._touched.add(key)
            if zlib.crc32(data) != checksum:
                return None
            try:
                return identity, loads(data)
            except Exception:  # a damaged or foreign value: a miss, rewritten by the caller
                return None

    def put(self, key: str, identity: str, value: object) -> None:
        """Keep ``value`` under ``key`` (written with the next batch)."""
        try:
            data = dumps(value)
        except Exception:  # a value that cannot be stored is simply not cached
            return
        with self._lock:
            if self._broken:
                return
            if not self._pending:
                self._first_pending = time.monotonic()
            self._pending[key] = (identity, zlib.crc32(data), data)
            if (
                len(self._pending) >= _FLUSH_EVERY
                or time.monotonic() - self._first_pending > _FLUSH_AFTER
            ):
                self.flush()

    def flush(self) -> None:
        """Commit the buffered writes in one transaction; dropped if the store is busy."""
        with self._lock:
            if not self._pending and not self._touched:
                return
            pending, self._pending = self._pending, {}
            touched, self._touched = self._touched, set()
            db = self._connection()
            if db is None:
                return
            used = _now_used()
            try:
                with db:
                    db.executemany(
                        "INSERT OR REPLACE INTO facts (key, identity, used, checksum, data)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [(k, i, used, c, d) for k, (i, c, d) in pending.items()],
                    )
                    db.executemany(
                        "UPDATE facts SET used = ? WHERE key = ?", [(used, k) for k in touched]
                    )
                self._bound(db)
            except sqlite3.OperationalError:
                return  # busy beyond the timeout, or a full disk: the cache only loses speed
            except (sqlite3.Error, ValueError):  # ValueError: a key sqlite cannot encode
                self._reset()

    def _bound(self, db: sqlite3.Connection) -> None:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        if pages * size <= self.max_bytes:
            return
        (count,) = db.execute("SELECT count(*) FROM facts").fetchone()
        with db:
            db.execute(
                "DELETE FROM facts WHERE key IN (SELECT key FROM facts ORDER BY used LIMIT ?)",
                (max(1, count // 4),),
            )
        db.execute("PRAGMA incremental_vacuum")

    # --- the file -------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._db is not None and self._pid == os.getpid():
            return self._db
        if self._db is not None:  # inherited through fork: leave it alone, open our own
            self._inherited.append(self._db)
            self._db = None
        self._pid = os.getpid()
        for attempt in range(3):
            try:
                self._db = self._open()
                return self._db
            except sqlite3.OperationalError:
                # Locked or busy: another process is creating or writing the file. It is
                # theirs too, so it is never removed for this; wait a little and try again.
                time.sleep(0.05 * (attempt + 1))
            except (sqlite3.Error, OSError):  # not a database, or not ours: start afresh
                self._remove_files()
        self._broken = True
        return None

    def _open(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.directory.stat().st_uid != os.getuid():
            raise OSError("the cache directory belongs to another user")
        self._remove_other_versions()
        db = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            db.isolation_level = None
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master").fetchall()}
            if not tables:
                self._create(db)
            elif not tables <= _TABLES | {"sqlite_autoindex_meta_1"} or not self._ours(db):
                raise sqlite3.DatabaseError("not a spoc-lsp store of this version")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.isolation_level = "DEFERRED"
        except BaseException:
            db.close()
            raise
        return db

    def _create(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA auto_vacuum=INCREMENTAL")
        db.execute("BEGIN IMMEDIATE")
        try:
            tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master").fetchall()}
            if not tables:  # another process may have created it meanwhile
                for statement in _SCHEMA:
                    db.execute(statement)
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("format", FORMAT), ("version", self.key)],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if not self._ours(db):
            raise sqlite3.DatabaseError("not a spoc-lsp store of this version")

    def _ours(self, db: sqlite3.Connection) -> bool:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        return meta == {"format": FORMAT, "version": self.key}

    def _reset(self) -> None:
        """The file failed: start afresh (once); after that, no cache in this process."""
        with self._lock:
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
            self._db = None
            self._remove_files()
            try:
                self._db = self._open()
                self._pid = os.getpid()
            except (sqlite3.Error, OSError):
                self._broken = True

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")

    def _remove_other_versions(self) -> None:
        others = [p for p in self.directory.glob("index-*.sqlite3") if p != self.path]
        if len(others) <= _KEEP_OTHER_VERSIONS:
            return

        def modified(path: Path) -> float:
            try:
                return path.stat().st_mtime
            except OSError:
                return 0.0

        for old in sorted(others, key=modified)[: len(others) - _KEEP_OTHER_VERSIONS]:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{old}{suffix}")


def _now_used() -> int:
    return int(time.time()) // _USED_RESOLUTION


_opened: dict[Path, Store] = {}
_opened_lock = threading.Lock()


def open_store(
    root: Path, environ: Mapping[str, str] | None = None, *, enabled: bool = True
) -> Store | None:
    """The store for a project at ``root``, or ``None`` when the cache is off (``enabled``
    false, ``SPOC_LSP_NO_CACHE`` set, or a cache directory inside the project)."""
    environ = os.environ if environ is None else environ
    if not enabled or environ.get("SPOC_LSP_NO_CACHE"):
        return None
    try:
        directory = cache_directory(environ).resolve()
        if is_under(directory, root.resolve()):
            return None  # never inside the project tree: a project must not plant its cache
    except (OSError, RuntimeError):
        return None
    with _opened_lock:  # one store (one connection, one write buffer) per directory
        store = _opened.get(directory)
        if store is None:
            store = _opened[directory] = Store(directory)
        return store


_SEPARATOR = "\0"  # in no path


def _digest(identities: list[str]) -> bytes:
    """One digest of the identities of a resolution's paths, in their order."""
    return hashlib.blake2b(_SEPARATOR.join(identities).encode(), digest_size=16).digest()


class PersistedResolutions:
    """Whole answers for URIs, valid while every path they read has the identity it had.

    A resolution is computed from files and directory listings only, on a given search path:
    the key holds the search path's fingerprint, and the value the identity of every path the
    answer read (``Tracker``), each checked with one ``stat`` per cache generation before use.
    """

    def __init__(self, store: Store, search_path: object, clock: Any) -> None:
        self._store = store
        self._prefix = f"r|{fingerprint(search_path)}|"
        self._clock = clock
        self._generation = -1
        self._statuses: dict[str, tuple[str, int]] = {}
        self._checked: dict[tuple[bytes, bytes], frozenset[str]] = {}  # valid path sets

    def get(self, uri: str, expected: type[_T]) -> tuple[_T, frozenset[str]] | None:
        """The stored answer for ``uri`` (an instance of ``expected``) and the paths it read,
        if none of them changed."""
        found = self._store.get(self._prefix + uri)
        if found is None:
            return None
        value = found[1]
        if not (isinstance(value, tuple) and len(value) == 3):
            return None
        answer, packed_paths, digest = value
        if not isinstance(answer, expected) or getattr(answer, "uri", None) != uri:
            return None
        if not (isinstance(packed_paths, bytes) and isinstance(digest, bytes)):
            return None
        statuses = self._current_statuses()
        # Answers into one module read the same paths: checked once per cache generation.
        checked = self._checked.get((packed_paths, digest))
        if checked is not None:
            return answer, checked
        try:
            joined = zlib.decompress(packed_paths).decode("utf-8", "surrogateescape")
        except (zlib.error, UnicodeError):
            return None
        paths = joined.split(_SEPARATOR) if joined else []
        status = self._status
        identities = []
        for path in paths:
            known = statuses.get(path)
            identities.append((known if known is not None else status(path))[0])
        if _digest(identities) != digest:
            return None
        checked = self._checked[(packed_paths, digest)] = frozenset(paths)
        return answer, checked

    def put(self, uri: str, answer: object, paths: frozenset[str], started_ns: int) -> None:
        """Keep ``answer``, computed from ``paths`` since ``started_ns``, unless one of them
        changed too recently to be told apart from a later change."""
        ordered = sorted(paths)
        identities = []
        for path in ordered:
            identity, changed_ns = self._status(path)
            if changed_ns >= started_ns - SETTLE_NS or _SEPARATOR in path:
                return
            identities.append(identity)
        # A resolution reads about ninety paths: stored as one compressed string, with one
        # digest of their identities instead of ninety identities, the row stays within a
        # database page and loads in one piece (the warm check reads one row per URI).
        joined = _SEPARATOR.join(ordered).encode("utf-8", "surrogateescape")
        value = (answer, zlib.compress(joined, 1), _digest(identities))
        self._store.put(self._prefix + uri, "", value)

    def flush(self) -> None:
        self._store.flush()

    def _current_statuses(self) -> dict[str, tuple[str, int]]:
        """The paths stat'ed in this cache generation (emptied when a new one starts)."""
        if self._generation != self._clock.value:
            self._statuses.clear()
            self._checked.clear()
            self._generation = self._clock.value
        return self._statuses

    def _status(self, path: str) -> tuple[str, int]:
        """(identity, last change in ns) of ``path``, stat'ed once per cache generation."""
        cached = self._current_statuses().get(path)
        if cached is None:
            try:
                status = os.stat(path)
            except (OSError, ValueError):
                cached = ("-", 0)
            else:
                cached = (identity_of(status), max(status.st_mtime_ns, status.st_ctime_ns))
            self._statuses[path] = cached
        return cached
