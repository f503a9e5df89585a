"""What the persistent cache (``store``) keys its values by: where its file lives, the version key
naming that file, the identity of a file on disk, and a stable fingerprint of a value."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import os
import pathlib
import sys
from collections.abc import Mapping
from pathlib import Path

FORMAT = "1"  # the table layout and envelope of ``store``
# A file changed less than this long before it was read may change again within the same
# timestamp tick (coarse file systems tick every 1–2 s): facts read from it are not kept.
SETTLE_NS = 2_000_000_000


def cache_directory(environ: Mapping[str, str]) -> Path:
    """``$SPOC_LSP_CACHE_DIR``, else ``$XDG_CACHE_HOME/spoc-lsp``, else ``~/.cache/spoc-lsp``."""
    explicit = environ.get("SPOC_LSP_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore a relative value
        return Path(xdg) / "spoc-lsp"
    return Path.home() / ".cache" / "spoc-lsp"


def version_key() -> str:
    """What every stored value depends on besides its own key: the code that made it."""
    digest = hashlib.blake2b(digest_size=12)
    from spoc_lsp import __file__ as package_file

    package = Path(package_file).parent
    try:
        from importlib.metadata import version

        digest.update(version("spoc-lsp").encode())
    except Exception:  # running from a source tree without metadata: the source hash decides
        digest.update(b"unknown")
    digest.update(sys.version.encode())
    digest.update(importlib.util.MAGIC_NUMBER)
    digest.update(FORMAT.encode())
    sources = sorted((package / "index").rglob("*.py")) + sorted(
        (package.parent / "spoc").glob("*.py")
    )
    for source in sources:
        digest.update(str(source.relative_to(package.parent)).encode())
        try:
            digest.update(source.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def file_identity(path: str) -> str:
    """Type, size, mtime, ctime and inode of ``path`` (``"-"`` when it does not exist)."""
    try:
        return identity_of(os.stat(path))
    except (OSError, ValueError):
        return "-"


def settled(status: os.stat_result, now_ns: int) -> bool:
    """``status`` was last changed long enough before ``now_ns`` to be trusted as an identity."""
    return max(status.st_mtime_ns, status.st_ctime_ns) < now_ns - SETTLE_NS


def identity_of(status: os.stat_result) -> str:
    """The identity string of a ``stat`` result (see ``file_identity``)."""
    return (
        f"{status.st_mode >> 12:o}:{status.st_size}:{status.st_mtime_ns}:"
        f"{status.st_ctime_ns}:{status.st_ino}"
    )


def is_under(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
    except ValueError:
        return False
    return True


def fingerprint(value: object) -> str:
    """A stable hash of a tree of dataclasses, paths, sets and plain values (set order and
    hash randomisation do not change it; fields marked ``{"fingerprint": False}`` in their
    metadata, which only describe, are left out)."""
    return hashlib.blake2b(repr(_canonical(value)).encode(), digest_size=12).hexdigest()


def _canonical(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__qualname__,
            tuple(
                (f.name, _canonical(getattr(value, f.name)))
                for f in dataclasses.fields(value)
                if f.metadata.get("fingerprint", True)  # descriptive fields do not count
            ),
        )
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_canonical(item)) for item in value)))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(item) for item in value)
    if isinstance(value, Mapping):
        return (
            "map",
            tuple(sorted((repr(_canonical(k)), _canonical(v)) for k, v in value.items())),
        )
    if isinstance(value, pathlib.PurePath):
        return ("path", str(value))
    return value
