"""The project's own Python files: which directories a scan skips, the files it reads, their
dotted module names, and the ``from ... import`` statements between them.

Files are read as text and parsed with ``ast``; nothing is imported. A scan is bounded
(``SCAN_LIMIT`` files) so a huge tree cannot stall a request.
"""

from __future__ import annotations

import ast
import keyword
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spoc_lsp.index.relative import absolute_module
from spoc_lsp.index.search_path import SearchPath
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.text import LineIndex

# Directories never searched, for projects or for a project's modules: environments, caches,
# VCS data, build output. (A directory holding a ``pyvenv.cfg`` and any hidden one are skipped
# too; see ``is_skipped_directory``.)
SKIPPED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        "build",
        "dist",
    }
)
SCAN_LIMIT = 20_000  # Python files read by one project scan
_STAR_IMPORT = re.compile(r"\bimport\s*\(?\s*\*")


def is_skipped_directory(parent: str, name: str) -> bool:
    """A directory no scan enters: a known environment/cache name, hidden, or a virtualenv."""
    return (
        name in SKIPPED_DIRECTORIES
        or name.startswith(".")
        or os.path.exists(os.path.join(parent, name, "pyvenv.cfg"))
    )


def project_python_files(root: Path, limit: int = SCAN_LIMIT) -> Iterator[Path]:
    """The ``.py`` files under ``root``, in sorted order, outside skipped directories."""
    count = 0
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(
            name for name in subdirectories if not is_skipped_directory(directory, name)
        )
        for name in sorted(files):
            if name.endswith(".py"):
                count += 1
                if count > limit:
                    return
                yield Path(directory) / name


def module_name(search_path: SearchPath, path: Path, *, is_dir: bool) -> str | None:
    """The dotted module name of a project module file or package directory, relative to the
    project import root it is found under (``<root>/apps`` first, then ``<root>``)."""
    real = Path(os.path.realpath(path))
    for entry in search_path.entries:
        if entry.origin not in ("apps", "project"):
            continue
        try:
            parts = list(real.relative_to(os.path.realpath(entry.path)).parts)
        except ValueError:
            continue
        if not parts:
            return None
        if not is_dir:
            if not parts[-1].endswith(".py"):
                return None
            parts[-1] = parts[-1][: -len(".py")]
            if parts[-1] == "__init__":
                parts.pop()
        if not parts or not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
            return None
        return ".".join(parts)
    return None


class RealPaths:
    """Path identity through symlinks and case folding, each path resolved once per use."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def real(self, path: Path) -> str:
        text = str(path)
        known = self._cache.get(text)
        if known is None:
            known = self._cache[text] = os.path.normcase(os.path.realpath(text))
        return known

    def same(self, first: Path | None, second: Path | None) -> bool:
        return first is not None and second is not None and self.real(first) == self.real(second)

    def within(self, path: Path | None, old: Path, *, is_dir: bool) -> bool:
        """``path`` is ``old`` itself, or (for a directory) inside it."""
        if path is None:
            return False
        if not is_dir:
            return self.same(path, old)
        inner, outer = self.real(path), self.real(old)
        return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class ImportedName:
    """One ``name [as alias]`` of a ``from ... import`` statement, with its tokens' spans."""

    name: str
    alias: str | None
    name_span: Span
    alias_span: Span | None

    @property
    def bound(self) -> str:
        """The name the statement binds in the importing module."""
        return self.alias or self.name


@dataclass(frozen=True)
class FromImport:
    """A ``from <source> import ...`` statement in a project file (module level or not)."""

    file: Path
    importer: str | None  # the importing module's dotted name
    source: str | None  # the absolute module imported from (``None``: the import would fail)
    line: int  # 1-based
    top_level: bool  # run at module import, not inside a function or class body
    star: bool
    names: tuple[ImportedName, ...]


def from_imports(
    search_path: SearchPath,
    name: str,
    overlays: Mapping[Path, str] | None = None,
) -> Iterator[FromImport]:
    """Every ``from ... import`` of the project's Python files that imports ``name`` (or uses
    ``*``); open editor buffers (``overlays``) win over the files on disk."""
    overlays = overlays or {}
    for file in project_python_files(search_path.root):
        text = overlays.get(file)
        if text is None:
            text = read_source(file)
        if text is None or "import" not in text:
            continue
        if name not in text and _STAR_IMPORT.search(text) is None:
            continue
        tree = _parse(text)
        if tree is None:
            continue
        importer = module_name(search_path, file, is_dir=False)
        package = _package(importer, is_package=file.name == "__init__.py")
        index = LineIndex(text)
        top = {id(node) for node in module_statements(tree.body)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            star = any(alias.name == "*" for alias in node.names)
            names = tuple(_imported(index, alias) for alias in node.names if alias.name == name)
            if not star and not names:
                continue
            yield FromImport(
                file=file,
                importer=importer,
                source=absolute_module(package or "", node.level, node.module),
                line=node.lineno,
                top_level=id(node) in top,
                star=star,
                names=names,
            )


def _package(module: str | None, *, is_package: bool) -> str | None:
    """A module's ``__package__``: itself for a package, else its parent ('' at the top)."""
    if module is None:
        return None
    return module if is_package else module.rpartition(".")[0]


def read_source(file: Path) -> str | None:
    """A project file's text (UTF-8, a byte-order mark dropped, bad bytes replaced); ``None``
    when it cannot be read."""
    try:
        data = file.read_bytes()
    except OSError:
        return None
    return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


_TRY_STAR: tuple[type[ast.stmt], ...] = tuple(
    node for node in (getattr(ast, "TryStar", None),) if isinstance(node, type)
)
_BLOCKS = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While, *_TRY_STAR)


def module_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements run at module level: the body and the blocks of its compound
    statements (``if``, ``try``, ``with``, loops), not function or class bodies."""
    for node in body:
        yield node
        if isinstance(node, _BLOCKS):
            for field in ("body", "orelse", "finalbody"):
                yield from module_statements(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                yield from module_statements(handler.body)


def _imported(index: LineIndex, alias: ast.alias) -> ImportedName:
    line = alias.lineno - 1
    start = code_point_column(index, line, alias.col_offset)
    name_span = Span(Position(line, start), Position(line, start + len(alias.name)))
    alias_span: Span | None = None
    if alias.asname is not None and alias.end_lineno is not None:
        end_line = alias.end_lineno - 1
        end = code_point_column(index, end_line, alias.end_col_offset or 0)
        alias_span = Span(Position(end_line, end - len(alias.asname)), Position(end_line, end))
    return ImportedName(alias.name, alias.asname, name_span, alias_span)


def code_point_column(index: LineIndex, line: int, byte_offset: int) -> int:
    """ast's UTF-8 byte offset on ``line`` (0-based) as a code-point column."""
    text = index.line_text(line)
    if text.isascii():
        return byte_offset
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))
