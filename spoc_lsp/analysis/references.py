"""From code to config: which plugin entries name the top-level symbols of a Python file.

The resolver follows re-exports to the origin, so an entry names a symbol when its resolution's
definition is that symbol's definition, whatever module the URI went through. Python files are
read with ``ast`` (never imported); a file that does not parse has no symbols here.

The resolver reads files from disk, while the editor may hold unsaved text. Definitions are
therefore matched on the text as saved, then carried over to the text as shown by name (and
by how many same-named bindings come before), so lenses do not drift while the user types.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from spoc.plugins import PluginEntry, SourceKind
from spoc.uri import uri_problem
from spoc_lsp.analysis.analyze import ProjectAnalysis, safe_resolve
from spoc_lsp.analysis.model import Resolving
from spoc_lsp.analysis.project import read_text
from spoc_lsp.index.model import Definition, Resolution, Status
from spoc_lsp.index.project_files import RealPaths, code_point_column, module_statements
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.text import LineIndex

TopLevelKind = Literal["class", "function", "variable", "import"]

_DEF_KEYWORD = re.compile(r"(?:async\s+)?(?:def|class)\s+")


@dataclass(frozen=True)
class TopLevel:
    """A name bound at the top level of a module, with the span of its name token."""

    name: str
    kind: TopLevelKind
    span: Span
    occurrence: int  # how many top-level bindings of the same name come before it

    @property
    def key(self) -> tuple[str, int]:
        return self.name, self.occurrence


@dataclass(frozen=True)
class Membership:
    """One merged plan entry that loads a symbol: its group and 1-based load position."""

    group: str
    position: int
    uri: str
    source: SourceKind


@dataclass(frozen=True)
class Lens:
    """What a code lens shows above a symbol (or at the top of a module) that is a plugin."""

    file: Path
    span: Span  # the name token; the start of the file for the module itself
    name: str | None  # ``None`` for the module itself
    memberships: tuple[Membership, ...]

    @property
    def title(self) -> str:
        places = ", ".join(f"{item.group} #{item.position}" for item in self.memberships)
        return f"plugin in {places}"


@dataclass(frozen=True)
class Naming:
    """A listed entry (kept or dropped as a duplicate) that resolves to a given symbol."""

    file: Path  # the config file
    entry: PluginEntry
    span: Span  # of the URI string's content
    resolution: Resolution


# --- top-level symbols ------------------------------------------------------------------------


def parse_module(text: str) -> ast.Module | None:
    """The module's tree, or ``None`` when it does not parse."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def top_level(text: str, tree: ast.Module | None = None) -> list[TopLevel] | None:
    """Every name bound at the top level of ``text`` (conditional blocks included, function
    and class bodies not), in source order; ``None`` when the text does not parse."""
    tree = tree if tree is not None else parse_module(text)
    if tree is None:
        return None
    index = LineIndex(text)
    found: list[TopLevel] = []
    counts: dict[str, int] = {}

    def add(name: str, kind: TopLevelKind, line: int, column: int) -> None:
        occurrence = counts.get(name, 0)
        counts[name] = occurrence + 1
        span = Span(Position(line, column), Position(line, column + len(name)))
        found.append(TopLevel(name, kind, span, occurrence))

    for node in module_statements(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            line, column = _def_name_position(index, node)
            kind: TopLevelKind = "class" if isinstance(node, ast.ClassDef) else "function"
            add(node.name, kind, line, column)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for name in _target_names(target):
                    add(name.id, "variable", *_name_position(index, name))
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None and isinstance(node.target, ast.Name):
                add(node.target.id, "variable", *_name_position(index, node.target))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    continue
                bound = alias.asname or alias.name.split(".")[0]
                line = getattr(alias, "lineno", node.lineno) - 1
                column = code_point_column(
                    index, line, getattr(alias, "col_offset", node.col_offset)
                )
                add(bound, "import", line, column)
    return found


def symbol_at(symbols: Sequence[TopLevel], position: Position) -> TopLevel | None:
    """The defined (not imported) top-level name whose token holds the cursor."""
    return next(
        (s for s in symbols if s.kind != "import" and s.span.contains(position)),
        None,
    )


def _target_names(target: ast.expr) -> Iterator[ast.Name]:
    if isinstance(target, ast.Name):
        yield target
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _name_position(index: LineIndex, name: ast.Name) -> tuple[int, int]:
    line = name.lineno - 1
    return line, code_point_column(index, line, name.col_offset)


def _def_name_position(
    index: LineIndex, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
) -> tuple[int, int]:
    """The name token of a ``def``/``class`` statement (after the keyword)."""
    line = node.lineno - 1
    text = index.line_text(line)
    start = code_point_column(index, line, node.col_offset)
    match = _DEF_KEYWORD.match(text, start)
    if match is not None and text.startswith(node.name, match.end()):
        return line, match.end()
    found = re.search(rf"\b{re.escape(node.name)}\b", text[start:])
    return line, start + found.start() if found is not None else start


# --- matching resolutions to a file -----------------------------------------------------------


def resolved_definition(resolution: Resolution) -> Definition | None:
    """Where a resolved URI's object is defined (re-exports followed), when known."""
    if resolution.status is not Status.RESOLVED or resolution.symbol is None:
        return None
    definition = resolution.symbol.definition
    return definition if definition is not None and definition.file is not None else None


def is_module(resolution: Resolution) -> bool:
    return resolution.symbol is not None and resolution.symbol.kind == "module"


def resolve_entry(resolver: Resolving, uri: str) -> Resolution | None:
    """The resolution of a valid URI (asked afresh: the resolver answers from its cache while
    nothing changed, and a Python file may have changed since the last analysis)."""
    if uri_problem(uri) is not None:
        return None
    return safe_resolve(resolver, uri)


def disk_symbols(path: Path, shown: str, shown_symbols: list[TopLevel]) -> list[TopLevel] | None:
    """The top-level names of ``path`` as saved (what the resolver read)."""
    saved, _error = read_text(path)
    if saved == shown:
        return shown_symbols
    return top_level(saved)


def match_definition(symbols: Sequence[TopLevel], definition: Definition) -> TopLevel | None:
    """The top-level binding a definition points at: same line and column, else the only
    definition on that line."""
    candidates = [s for s in symbols if s.kind != "import" and s.span.start.line == definition.line]
    exact = [s for s in candidates if s.span.start.column == definition.column]
    if exact:
        return exact[0]
    return candidates[0] if len(candidates) == 1 else None


@dataclass(frozen=True)
class FileSymbols:
    """A Python file's top-level names, as shown and as saved, and how they correspond."""

    path: Path
    text: str
    shown: list[TopLevel]
    saved: list[TopLevel]

    @classmethod
    def read(cls, path: Path, text: str | None = None) -> FileSymbols | None:
        if text is None:
            text, _error = read_text(path)
        shown = top_level(text)
        if shown is None:
            return None
        saved = disk_symbols(path, text, shown)
        return cls(path, text, shown, saved if saved is not None else shown)

    def shown_for(self, definition: Definition) -> TopLevel | None:
        """The binding (in the shown text) a definition read from disk points at."""
        saved = match_definition(self.saved, definition)
        if saved is None:
            return None
        return next((s for s in self.shown if s.key == saved.key), None)

    def saved_for(self, symbol: TopLevel) -> TopLevel | None:
        return next((s for s in self.saved if s.key == symbol.key), None)


def namings(
    analysis: ProjectAnalysis,
    resolver: Resolving,
    path: Path,
    symbols: FileSymbols,
    wanted: TopLevel | None,
) -> list[Naming]:
    """Every listed entry (kept or duplicate) that resolves to ``wanted`` in ``path``; with
    ``wanted=None``, every entry that resolves to the module ``path`` itself."""
    paths = RealPaths()
    saved = symbols.saved_for(wanted) if wanted is not None else None
    if wanted is not None and saved is None:
        return []
    found: list[Naming] = []
    for config, entry, span in analysis.entries():
        resolution = resolve_entry(resolver, entry.uri)
        if resolution is None:
            continue
        definition = resolved_definition(resolution)
        if definition is None or not paths.same(definition.file, path):
            continue
        if wanted is None:
            hit = is_module(resolution)
        else:
            hit = not is_module(resolution) and match_definition(symbols.saved, definition) == saved
        if hit:
            found.append(Naming(config, entry, span, resolution))
    return found


# --- features ---------------------------------------------------------------------------------


def is_python_source(analysis: ProjectAnalysis, resolver: Resolving, path: Path) -> bool:
    """A Python file of the project that is not one of its config files."""
    return (
        path.suffix == ".py"
        and path not in analysis.parsed
        and resolver.search_path.is_project_file(path)
    )


def plugin_lenses(
    analysis: ProjectAnalysis, resolver: Resolving, path: Path, text: str
) -> list[Lens]:
    """A lens for each top-level symbol of ``path`` (and the module itself) that some merged
    plan entry loads, listing its groups and positions."""
    if not is_python_source(analysis, resolver, path):
        return []
    symbols = FileSymbols.read(path, text)
    if symbols is None:
        return []
    paths = RealPaths()
    by_symbol: dict[tuple[str, int] | None, list[Membership]] = {}
    for entry in analysis.plan.entries():
        position = analysis.plan.position(entry)
        resolution = resolve_entry(resolver, entry.uri)
        if position is None or resolution is None:
            continue
        definition = resolved_definition(resolution)
        if definition is None or not paths.same(definition.file, path):
            continue
        key: tuple[str, int] | None = None
        if not is_module(resolution):
            shown = symbols.shown_for(definition)
            if shown is None:
                continue
            key = shown.key
        membership = Membership(entry.group, position, entry.uri, entry.provenance.source)
        by_symbol.setdefault(key, []).append(membership)
    lenses: list[Lens] = []
    module = by_symbol.pop(None, None)
    if module:
        start = Position(0, 0)
        lenses.append(Lens(path, Span(start, start), None, tuple(module)))
    for symbol in symbols.shown:
        memberships = by_symbol.get(symbol.key)
        if memberships and symbol.kind != "import":
            lenses.append(Lens(path, symbol.span, symbol.name, tuple(memberships)))
    return lenses


def references(
    analysis: ProjectAnalysis,
    resolver: Resolving,
    path: Path,
    position: Position,
    overlays: Mapping[Path, str] | None = None,
) -> list[tuple[Path, Span]]:
    """The config entries (kept and duplicates, in file order) naming the top-level symbol
    under the cursor in the Python file ``path``, directly or through a re-export."""
    symbols = FileSymbols.read(path, (overlays or {}).get(path))
    if symbols is None:
        return []
    symbol = symbol_at(symbols.shown, position)
    if symbol is None:
        return []
    # One place once, though a written string may back several entries (a reused list).
    return list(
        dict.fromkeys((n.file, n.span) for n in namings(analysis, resolver, path, symbols, symbol))
    )


def symbol_declaration(
    path: Path, position: Position, overlays: Mapping[Path, str] | None = None
) -> tuple[Path, Span] | None:
    """The name token of the top-level symbol under the cursor in a Python file."""
    symbols = FileSymbols.read(path, (overlays or {}).get(path))
    symbol = symbol_at(symbols.shown, position) if symbols is not None else None
    return (path, symbol.span) if symbol is not None else None


def config_references(
    analysis: ProjectAnalysis, resolver: Resolving, path: Path, position: Position
) -> list[tuple[Path, Span]]:
    """From a URI in a config file: every listed entry that resolves to the same object (the
    same URI text when it does not resolve)."""
    found = analysis.entry_at(path, position)
    if found is None:
        return []
    entry, _span = found
    resolution = resolve_entry(resolver, entry.uri)
    target = _target_key(resolution) if resolution is not None else None
    paths = RealPaths()
    places: list[tuple[Path, Span]] = []
    for config, other, span in analysis.entries():
        if target is None:
            if other.uri == entry.uri:
                places.append((config, span))
            continue
        other_resolution = resolve_entry(resolver, other.uri)
        if other_resolution is not None and _target_key(other_resolution, paths) == target:
            places.append((config, span))
    return list(dict.fromkeys(places))  # a string backing several entries is one place


def config_declaration(
    analysis: ProjectAnalysis,
    resolver: Resolving,
    path: Path,
    position: Position,
    overlays: Mapping[Path, str] | None = None,
) -> tuple[Path, Span] | None:
    """Where the object named by the URI under the cursor is defined: its name token when it
    is a top-level symbol of a Python file, else the start of the file or line."""
    found = analysis.entry_at(path, position)
    resolution = resolve_entry(resolver, found[0].uri) if found is not None else None
    definition = resolved_definition(resolution) if resolution is not None else None
    if resolution is None or definition is None or definition.file is None:
        return None
    file = definition.file
    if not is_module(resolution) and file.suffix == ".py":
        symbols = FileSymbols.read(file, (overlays or {}).get(file))
        symbol = symbols.shown_for(definition) if symbols is not None else None
        if symbol is not None:
            return file, symbol.span
    point = Position(definition.line, definition.column)
    return file, Span(point, point)


def _target_key(
    resolution: Resolution, paths: RealPaths | None = None
) -> tuple[str, int, int, bool] | None:
    definition = resolved_definition(resolution)
    if definition is None or definition.file is None:
        return None
    real = (paths or RealPaths()).real(definition.file)
    return real, definition.line, definition.column, is_module(resolution)
