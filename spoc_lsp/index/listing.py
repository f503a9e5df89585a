"""Directory listings, read lazily and cached by (directory, mtime_ns).

A listing is read only when a name is looked up in that directory, so nothing scans all of
site-packages up front. Entries are re-validated (one ``stat``) at most once per generation.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from spoc_lsp.index.tracking import Clock, Tracker


@dataclass(frozen=True)
class Listing:
    """The names in one directory, split into directories and everything else (symlinks are
    followed, as the import system does)."""

    files: frozenset[str]
    dirs: frozenset[str]


# Stand-ins for an mtime when the path is not a directory.
_MISSING = -1
_NOT_A_DIRECTORY = -2


class _Entry:
    __slots__ = ("generation", "listing", "mtime_ns")

    def __init__(self, mtime_ns: int, listing: Listing | None, generation: int) -> None:
        self.mtime_ns = mtime_ns
        self.listing = listing
        self.generation = generation


class DirectoryCache:
    """Cached listings of directories (``None`` for a path that is not a directory)."""

    def __init__(self, clock: Clock, tracker: Tracker) -> None:
        self._clock = clock
        self._tracker = tracker
        self._entries: dict[str, _Entry] = {}

    def listing(self, directory: str) -> Listing | None:
        """The listing of ``directory``, re-read only when its mtime changed."""
        self._tracker.touch(directory)
        entry = self._entries.get(directory)
        generation = self._clock.value
        if entry is not None and entry.generation == generation:
            return entry.listing
        try:
            status = os.stat(directory)
        except (OSError, ValueError):
            self._entries[directory] = _Entry(_MISSING, None, generation)
            return None
        if not stat.S_ISDIR(status.st_mode):
            self._entries[directory] = _Entry(_NOT_A_DIRECTORY, None, generation)
            return None
        if entry is not None and entry.mtime_ns == status.st_mtime_ns and entry.listing:
            entry.generation = generation
            return entry.listing
        listing = _read(directory)
        self._entries[directory] = _Entry(status.st_mtime_ns, listing, generation)
        return listing

    def exists_as_file(self, path: str) -> bool:
        """True when ``path`` exists but is not a directory (e.g. a zip archive on the path)."""
        self.listing(path)
        entry = self._entries.get(path)
        return entry is not None and entry.mtime_ns == _NOT_A_DIRECTORY

    def is_file(self, directory: str, name: str) -> bool:
        """True when ``directory/name`` exists and is not a directory."""
        listing = self.listing(directory)
        return listing is not None and name in listing.files

    def is_dir(self, directory: str, name: str) -> bool:
        """True when ``directory/name`` is a directory."""
        listing = self.listing(directory)
        return listing is not None and name in listing.dirs

    def forget(self, path: str) -> None:
        """Drop the listing of ``path`` and of its parent directory."""
        self._entries.pop(path, None)
        self._entries.pop(os.path.dirname(path), None)


def _read(directory: str) -> Listing | None:
    files: set[str] = set()
    dirs: set[str] = set()
    try:
        with os.scandir(directory) as iterator:
            for item in iterator:
                try:
                    if item.is_dir():
                        dirs.add(item.name)
                    elif item.is_file():  # skips broken symlinks, which cannot be imported
                        files.add(item.name)
                except OSError:
                    continue
    except OSError:
        return None
    return Listing(frozenset(files), frozenset(dirs))
