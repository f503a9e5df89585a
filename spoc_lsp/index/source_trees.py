"""Syntax trees of Python files, parsed once per file identity (path, mtime, size) or per open
buffer text, in a small bounded cache: reading interfaces and plugin shapes re-reads the same
few files on every analysis."""

from __future__ import annotations

import ast
from pathlib import Path

_TREES: dict[tuple[str, object, object], ast.Module | None] = {}


def parse_file(path: str, mtime_ns: int, size: int) -> ast.Module | None:
    """A file's syntax tree, parsed once per file identity (``None``: unreadable or invalid)."""
    key = (path, mtime_ns, size)
    if key not in _TREES:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        _store(key, parse_source(text, path))
    return _TREES[key]


def parse_text(path: str, text: str) -> ast.Module | None:
    """An open buffer's syntax tree, parsed once per text."""
    key = (path, "overlay", text)
    if key not in _TREES:
        _store(key, parse_source(text, path))
    return _TREES[key]


def _store(key: tuple[str, object, object], tree: ast.Module | None) -> None:
    if len(_TREES) >= 512:
        _TREES.pop(next(iter(_TREES)))
    _TREES[key] = tree


def parse_source(text: str, path: str) -> ast.Module | None:
    """``text`` parsed, not cached (``None``: invalid)."""
    try:
        return ast.parse(text, path)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
