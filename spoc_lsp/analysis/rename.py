"""Rename a plugin symbol together with the URIs that name it, and rewrite URIs when a module
file or package directory moves.

A rename here edits the symbol's name token in its Python file and the last segment of every
URI (in ``spoc.toml`` and the settings module) that names it. It does not edit other Python
code, so it refuses whenever that would leave Python code behind: when the name is used
elsewhere in its module, bound more than once there, imported by another project module, or
reached by a URI through a re-export. Those renames belong to a Python language server.
"""

from __future__ import annotations

import ast
import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spoc_lsp.analysis.check import ProjectAnalysis, relative
from spoc_lsp.analysis.model import EditSet, TextEdit
from spoc_lsp.analysis.moves import move_edits as move_edits  # the server imports it from here
from spoc_lsp.analysis.references import (
    FileSymbols,
    IndexResolving,
    Naming,
    TopLevel,
    is_module,
    namings,
    parse_module,
    resolve_entry,
    resolved_definition,
    symbol_at,
)
from spoc_lsp.analysis.uri_spans import rewritable_span, segment_range, segment_span
from spoc_lsp.index.model import Definition
from spoc_lsp.index.project_files import RealPaths, from_imports, module_name, module_statements
from spoc_lsp.syntax.model import Position, Span

PYTHON_LS = "rename it with your Python language server first"


class RenameError(Exception):
    """A rename the server refuses; the message says why and what to do instead."""


@dataclass(frozen=True)
class RenameTarget:
    """What ``prepareRename`` answers: the token that will be renamed and its current text."""

    file: Path
    span: Span
    placeholder: str


@dataclass(frozen=True)
class _Subject:
    """A plugin symbol chosen for renaming: its file, binding and the entries naming it."""

    path: Path
    symbols: FileSymbols
    symbol: TopLevel
    namings: tuple[Naming, ...]


# --- public API -------------------------------------------------------------------------------


def prepare_rename(
    analysis: ProjectAnalysis,
    resolver: IndexResolving,
    path: Path,
    position: Position,
    overlays: Mapping[Path, str] | None = None,
) -> RenameTarget | None:
    """The token a rename at ``position`` would change; ``None`` when there is nothing to
    rename there; :class:`RenameError` when there is, but this server will not rename it."""
    found = _subject_at(analysis, resolver, path, position, overlays or {})
    if found is None:
        return None
    subject, span, text = found
    _check(analysis, resolver, subject, overlays or {})
    return RenameTarget(path, span, text)


def rename(
    analysis: ProjectAnalysis,
    resolver: IndexResolving,
    path: Path,
    position: Position,
    new_name: str,
    overlays: Mapping[Path, str] | None = None,
) -> EditSet | None:
    """The edits renaming the plugin symbol at ``position`` (in its Python file, or from a URI
    naming it) to ``new_name``: its definition and every URI naming it by that name."""
    found = _subject_at(analysis, resolver, path, position, overlays or {})
    if found is None:
        return None
    subject, _span, _text = found
    old = subject.symbol.name
    if not new_name.isidentifier() or keyword.iskeyword(new_name):
        raise RenameError(f"'{new_name}' is not a Python identifier")
    if new_name == old:
        return EditSet(())
    _check(analysis, resolver, subject, overlays or {})
    _check_free(analysis, subject, new_name)
    edits: dict[tuple[Path, Span], TextEdit] = {}
    symbol_edit = TextEdit(subject.path, subject.symbol.span, new_name)
    edits[(subject.path, subject.symbol.span)] = symbol_edit
    for naming in subject.namings:
        last = len(naming.entry.uri.split(".")) - 1
        offset, length = segment_range(naming.entry.uri, last)
        span = rewritable_span(analysis, naming.file, naming.entry, offset, length)
        if span is None:
            raise RenameError(
                f"cannot rewrite '{naming.entry.uri}' at {_where(analysis, naming)}: its last "
                "segment is split over string pieces; edit it by hand"
            )
        edits[(naming.file, span)] = TextEdit(naming.file, span, new_name)
    return EditSet(tuple(edits.values()))


# --- finding the subject ----------------------------------------------------------------------


def _subject_at(
    analysis: ProjectAnalysis,
    resolver: IndexResolving,
    path: Path,
    position: Position,
    overlays: Mapping[Path, str],
) -> tuple[_Subject, Span, str] | None:
    """The symbol to rename, the span of the token under the cursor and its text."""
    if path in analysis.parsed:
        return _from_config(analysis, resolver, path, position, overlays)
    if path.suffix != ".py" or not resolver.search_path.is_project_file(path):
        return None
    symbols = FileSymbols.read(path, overlays.get(path))
    if symbols is None:
        return None
    symbol = symbol_at(symbols.shown, position)
    if symbol is None:
        return None
    subject = _subject(analysis, resolver, path, symbols, symbol)
    return subject, symbol.span, symbol.name


def _from_config(
    analysis: ProjectAnalysis,
    resolver: IndexResolving,
    path: Path,
    position: Position,
    overlays: Mapping[Path, str],
) -> tuple[_Subject, Span, str] | None:
    found = analysis.entry_at(path, position)
    if found is None:
        return None
    entry, _span = found
    resolution = resolve_entry(resolver, entry.uri)
    if resolution is None:
        return None
    parts = entry.uri.split(".")
    spans = [segment_span(analysis, path, entry, index) for index in range(len(parts))]
    segment = next((i for i, s in enumerate(spans) if s.contains(position)), len(parts) - 1)
    if segment < len(parts) - 1 or is_module(resolution):
        prefix = ".".join(parts[: segment + 1])
        raise RenameError(
            f"'{parts[segment]}' names the module '{prefix}': rename or move its file or folder "
            "in the editor instead; the URIs in spoc.toml and the settings module are updated "
            "with it"
        )
    definition = resolved_definition(resolution)
    if definition is None or definition.file is None:
        raise RenameError(
            f"'{entry.uri}' does not resolve to a definition, so it cannot be renamed"
        )
    file = definition.file
    if file.suffix != ".py" or not resolver.search_path.is_project_file(file):
        raise RenameError(
            f"'{parts[-1]}' is defined outside the project ({file}); it cannot be renamed here"
        )
    symbols = FileSymbols.read(file, overlays.get(file))
    symbol = symbols.shown_for(definition) if symbols is not None else None
    if symbols is None or symbol is None:
        raise RenameError(
            f"cannot find the definition of '{entry.uri}' in {relative(analysis.snapshot, file)}"
        )
    subject = _subject(analysis, resolver, file, symbols, symbol)
    return subject, spans[segment], parts[segment]


def _subject(
    analysis: ProjectAnalysis,
    resolver: IndexResolving,
    path: Path,
    symbols: FileSymbols,
    symbol: TopLevel,
) -> _Subject:
    found = namings(analysis, resolver, path, symbols, symbol)
    if not found:
        others = [s for s in symbols.shown if s.name == symbol.name and s != symbol]
        if any(namings(analysis, resolver, path, symbols, other) for other in others):
            lines = ", ".join(str(s.span.start.line + 1) for s in (symbol, *others))
            raise RenameError(
                f"'{symbol.name}' is defined more than once at the top level of "
                f"{relative(analysis.snapshot, path)} (lines {lines}), and a URI names another "
                f"of its definitions; {PYTHON_LS}"
            )
        raise RenameError(
            f"'{symbol.name}' is not a plugin: no URI in spoc.toml or the settings module names "
            "it (rename it with your Python language server)"
        )
    return _Subject(path, symbols, symbol, tuple(found))


# --- checks -----------------------------------------------------------------------------------


def _check(
    analysis: ProjectAnalysis,
    resolver: IndexResolving,
    subject: _Subject,
    overlays: Mapping[Path, str],
) -> None:
    """Refuse renames that would leave Python code or URIs pointing at the old name."""
    name = subject.symbol.name
    file = relative(analysis.snapshot, subject.path)
    paths = RealPaths()
    tree = parse_module(subject.symbols.text)
    if tree is None:  # cannot happen: the symbols came from this text
        raise RenameError(f"{file} does not parse")
    bindings = [s for s in subject.symbols.shown if s.name == name]
    scan = _scan(tree, name)
    if len(bindings) + len(scan.stores) > 1:
        lines = sorted({s.span.start.line + 1 for s in bindings} | set(scan.stores))
        raise RenameError(
            f"'{name}' is defined more than once at the top level of {file} (lines "
            f"{', '.join(map(str, lines))}); {PYTHON_LS}"
        )
    if scan.uses:
        line, what = scan.uses[0]
        raise RenameError(
            f"'{name}' is also {what} elsewhere in {file} (line {line}); {PYTHON_LS}, then fix "
            "the URIs (their quick fixes suggest the new name)"
        )
    for naming in subject.namings:
        parts = naming.entry.uri.split(".")
        definitions = naming.resolution.segment_definitions
        through = definitions[-2] if len(definitions) >= 2 else None
        if parts[-1] != name or (
            through is not None and not paths.same(through.file, subject.path)
        ):
            via = _describe(analysis, through, parts)
            alias = f" as '{parts[-1]}'" if parts[-1] != name else ""
            raise RenameError(
                f"'{naming.entry.uri}' ({_where(analysis, naming)}) reaches '{name}' through "
                f"an import{alias} in {via}; renaming '{name}' would break that import: "
                f"{PYTHON_LS}, then update the URIs"
            )
    module = module_name(resolver.search_path, subject.path, is_dir=False)
    if module is None:
        return
    for found in from_imports(resolver.search_path, name, overlays):
        if found.names and found.source == module and not paths.same(found.file, subject.path):
            raise RenameError(
                f"'{name}' is imported by {relative(analysis.snapshot, found.file)} "
                f"(line {found.line}); {PYTHON_LS}, then update the URIs"
            )


def _check_free(analysis: ProjectAnalysis, subject: _Subject, new_name: str) -> None:
    """Refuse a new name the module already binds or uses (it would change what code means)."""
    file = relative(analysis.snapshot, subject.path)
    taken = [s for s in subject.symbols.shown if s.name == new_name]
    if taken:
        raise RenameError(
            f"'{new_name}' is already defined in {file} (line {taken[0].span.start.line + 1})"
        )
    tree = parse_module(subject.symbols.text)
    scan = _scan(tree, new_name) if tree is not None else None
    if scan is not None and (scan.stores or scan.uses):
        line = (scan.stores or [use[0] for use in scan.uses])[0]
        raise RenameError(f"'{new_name}' is already used in {file} (line {line})")


@dataclass
class _Scan:
    uses: list[tuple[int, str]]  # (1-based line, "used" / "deleted" / ...)
    stores: list[int]  # 1-based lines of other module-level bindings


def _scan(tree: ast.Module, name: str) -> _Scan:
    """Where ``name`` is read, deleted, declared global or exported, anywhere in the module,
    and where it is bound at module level other than by an assignment or definition."""
    visitor = _NameScan(name)
    visitor.visit(tree)
    for statement in module_statements(tree.body):
        nodes = list(ast.walk(statement))
        if any(isinstance(n, ast.Name) and n.id == "__all__" for n in nodes) and any(
            isinstance(n, ast.Constant) and n.value == name for n in nodes
        ):
            visitor.uses.append((statement.lineno, "listed in __all__"))
    visitor.uses.sort()
    return _Scan(visitor.uses, visitor.stores)


class _NameScan(ast.NodeVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.depth = 0
        self.uses: list[tuple[int, str]] = []
        self.stores: list[int] = []

    def _nested(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _nested
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _nested

    def visit_Name(self, node: ast.Name) -> None:
        if node.id != self.name:
            return
        if isinstance(node.ctx, ast.Store):
            if self.depth == 0:
                self.stores.append(node.lineno)
        else:
            what = "deleted" if isinstance(node.ctx, ast.Del) else "used"
            self.uses.append((node.lineno, what))

    def visit_Assign(self, node: ast.Assign) -> None:
        if self.depth > 0:
            self.generic_visit(node)
            return
        for target in node.targets:  # top-level targets are definitions, counted separately
            self._target_reads(target)
        self.visit(node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if self.depth > 0 or node.value is None:
            if node.value is not None:
                self.generic_visit(node)
            else:
                self.visit(node.annotation)
            return
        self._target_reads(node.target)
        self.visit(node.annotation)
        self.visit(node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id == self.name:
            self.uses.append((node.lineno, "used"))
        else:
            self.visit(node.target)
        self.visit(node.value)

    def visit_Global(self, node: ast.Global) -> None:
        if self.name in node.names:
            self.uses.append((node.lineno, "declared global"))

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        if self.name in node.names:
            self.uses.append((node.lineno, "declared nonlocal"))

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name == self.name and self.depth == 0:
            self.stores.append(node.lineno)
        self.generic_visit(node)

    def _target_reads(self, target: ast.expr) -> None:
        for node in ast.walk(target):
            if (
                isinstance(node, ast.Name)
                and node.id == self.name
                and not isinstance(node.ctx, ast.Store)
            ):
                self.uses.append((node.lineno, "used"))


def _where(analysis: ProjectAnalysis, naming: Naming) -> str:
    return f"{relative(analysis.snapshot, naming.file)}:{naming.span.start.line + 1}"


def _describe(analysis: ProjectAnalysis, definition: Definition | None, parts: list[str]) -> str:
    if definition is not None and definition.file is not None:
        return relative(analysis.snapshot, definition.file)
    return ".".join(parts[:-1]) or parts[0]
