"""The path a project's plugins are imported with: project roots, extra paths, interpreter path.

First match wins, so a project module shadows an installed one of the same name, exactly as
``spoc.importer.install_search_roots`` arranges it at runtime.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spoc.importer import project_search_roots
from spoc_lsp.index.entry import PathEntry
from spoc_lsp.index.interpreter import InterpreterInfo


@dataclass(frozen=True)
class SearchPath:
    """The ordered entries a top-level import searches, and the interpreter behind them."""

    root: Path
    entries: tuple[PathEntry, ...]
    interpreter: InterpreterInfo

    @classmethod
    def build(
        cls, root: Path, interpreter: InterpreterInfo, extra_paths: Iterable[str | Path] = ()
    ) -> SearchPath:
        """Project roots (``<root>/apps`` first when it exists), then ``extra_paths`` (relative
        ones taken from ``root``), then the interpreter's ``sys.path``; duplicates keep their
        first place (the runtime moves the project roots to the front)."""
        root = root.resolve()
        entries: list[PathEntry] = []
        seen: set[str] = set()

        def add(entry: PathEntry) -> None:
            key = os.path.normcase(str(entry.path))
            if key not in seen:
                seen.add(key)
                entries.append(entry)

        for directory in project_search_roots(root):
            add(PathEntry(directory, "apps" if directory != root else "project"))
        for extra in extra_paths:
            path = Path(extra).expanduser()
            add(PathEntry(path if path.is_absolute() else root / path, "extraPaths"))
        for entry in interpreter.sys_path:
            add(entry)
        return cls(root, tuple(entries), interpreter)

    def is_project_file(self, path: Path | None) -> bool:
        """True for files under the project root but not inside an environment there (a
        ``.venv`` in the root holds installed packages, not the project's code)."""
        if path is None:
            return False
        text = str(path)
        if not _under(text, str(self.root)):
            return False
        return not any(_under(text, environment) for environment in self._environments)

    @functools.cached_property
    def _environments(self) -> tuple[str, ...]:
        """Installed-code entries under the project root (a ``.venv`` there)."""
        return tuple(
            str(entry.path)
            for entry in self.entries
            if entry.origin in ("site-packages", "stdlib")
            and _under(str(entry.path), str(self.root))
        )

    def describe(self) -> list[tuple[str, str]]:
        """``(path, origin)`` rows for an environment report."""
        return [(str(entry.path), entry.origin) for entry in self.entries]


def _under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)
