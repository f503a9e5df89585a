"""Rename a plugin symbol together with the URIs that name it.

A rename edits the symbol's name token in its Python file, the project's imports that
re-export it and the ``__all__`` entries listing it (``rename_imports``), and the last segment
of every URI in ``spoc.toml`` and the settings module that names it, directly or through a
re-export: one edit set. It edits no other Python code, so it refuses whenever that would leave
code behind: the name used elsewhere in its module or in a module re-exporting it, bound more
than once, imported inside a function, or reached through ``import *`` of a module without
``__all__``. Those renames belong to a Python language server. File moves are ``moves``.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spoc_lsp.analysis.analyze import ProjectAnalysis, relative
from spoc_lsp.analysis.model import EditSet, Resolving, TextEdit
from spoc_lsp.analysis.name_uses import name_uses
from spoc_lsp.analysis.references import (
    FileSymbols,
    Naming,
    TopLevel,
    is_module,
    namings,
    parse_module,
    resolve_entry,
    resolved_definition,
    symbol_at,
    top_level,
)
from spoc_lsp.analysis.rename_imports import PYTHON_LS, ImportPlan, plan_imports
from spoc_lsp.analysis.rename_imports import RenameError as RenameError  # part of this API
from spoc_lsp.analysis.uri_spans import (
    rewritable_span,
    segment_at,
    segment_range,
    segment_span,
)
from spoc_lsp.index.model import Definition
from spoc_lsp.syntax.model import Position, Span


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
    resolver: Resolving,
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
    resolver: Resolving,
    path: Path,
    position: Position,
    new_name: str,
    overlays: Mapping[Path, str] | None = None,
) -> EditSet | None:
    """The edits renaming the plugin symbol at ``position`` (in its Python file, or from a URI
    naming it) to ``new_name``: its definition, the project's imports re-exporting it and
    ``__all__`` entries listing it, and every URI naming it by that name."""
    found = _subject_at(analysis, resolver, path, position, overlays or {})
    if found is None:
        return None
    subject, _span, _text = found
    old = subject.symbol.name
    if not new_name.isidentifier() or keyword.iskeyword(new_name):
        raise RenameError(f"'{new_name}' is not a Python identifier")
    if new_name == old:
        return EditSet(())
    plan = _check(analysis, resolver, subject, overlays or {})
    _check_free(analysis, plan, new_name)
    edits: dict[tuple[Path, Span], TextEdit] = {}
    for file, span in [(subject.path, subject.symbol.span), *plan.spans]:
        edits[(file, span)] = TextEdit(file, span, new_name)
    for naming in subject.namings:
        parts = naming.entry.uri.split(".")
        if parts[-1] != old:
            continue  # through an alias, which stays
        last = len(parts) - 1
        offset, length = segment_range(naming.entry.uri, last) or (0, 0)
        where = rewritable_span(analysis.parsed.get(naming.file), naming.entry, offset, length)
        if where is None:
            raise RenameError(
                f"cannot rewrite '{naming.entry.uri}' at {_where(analysis, naming)}: its last "
                "segment is split over string pieces; edit it by hand"
            )
        edits[(naming.file, where)] = TextEdit(naming.file, where, new_name)
    return EditSet(tuple(edits.values()))


# --- finding the subject ----------------------------------------------------------------------


def _subject_at(
    analysis: ProjectAnalysis,
    resolver: Resolving,
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
    resolver: Resolving,
    path: Path,
    position: Position,
    overlays: Mapping[Path, str],
) -> tuple[_Subject, Span, str] | None:
    found = analysis.entry_at(path, position)
    if found is None:
        return None
    entry, entry_span = found
    resolution = resolve_entry(resolver, entry.uri)
    if resolution is None:
        return None
    parts = entry.uri.split(".")
    found_segment = segment_at(analysis.parsed[path], entry, position)
    segment = len(parts) - 1 if found_segment is None else min(found_segment, len(parts) - 1)
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
    if parts[-1] != symbol.name:
        definitions = resolution.segment_definitions
        through = definitions[-2] if len(definitions) >= 2 else None
        raise RenameError(
            f"'{entry.uri}' reaches '{symbol.name}' through an import as '{parts[-1]}' in "
            f"{_describe(analysis, through, parts)}: rename '{symbol.name}' in "
            f"{relative(analysis.snapshot, file)} (the alias stays), or rename the alias with "
            "your Python language server"
        )
    span = segment_span(analysis.parsed[path], entry, segment) or entry_span
    return subject, span, parts[segment]


def _subject(
    analysis: ProjectAnalysis,
    resolver: Resolving,
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
    resolver: Resolving,
    subject: _Subject,
    overlays: Mapping[Path, str],
) -> ImportPlan:
    """Refuse renames that would leave Python code or URIs pointing at the old name; the
    imports and ``__all__`` entries to rewrite with it."""
    name = subject.symbol.name
    file = relative(analysis.snapshot, subject.path)
    text = subject.symbols.text
    tree = parse_module(text)
    if tree is None:  # cannot happen: the symbols came from this text
        raise RenameError(f"{file} does not parse")
    uses = name_uses(tree, text, name)
    again = uses.bound_again(s.span.start.line + 1 for s in subject.symbols.shown if s.name == name)
    if again:
        raise RenameError(
            f"'{name}' is defined more than once at the top level of {file} (lines "
            f"{', '.join(map(str, again))}); {PYTHON_LS}"
        )
    if uses.first_use is not None:
        line, what = uses.first_use
        raise RenameError(
            f"'{name}' is also {what} elsewhere in {file} (line {line}); {PYTHON_LS}, then fix "
            "the URIs (their quick fixes suggest the new name)"
        )
    plan = plan_imports(analysis, resolver, subject.path, tree, text, name, overlays)
    for naming in subject.namings:
        _check_naming(analysis, plan, naming, name)
    return plan


def _check_naming(analysis: ProjectAnalysis, plan: ImportPlan, naming: Naming, name: str) -> None:
    """Refuse a URI that would stop resolving: it must reach the symbol through modules whose
    binding the rename rewrites (by name, or under an alias that stays)."""
    parts = naming.entry.uri.split(".")
    definitions = naming.resolution.segment_definitions
    through = definitions[-2] if len(definitions) >= 2 else None
    module = through.file if through is not None else None
    hidden = plan.hidden(module)
    if hidden is not None:
        raise RenameError(
            f"'{naming.entry.uri}' ({_where(analysis, naming)}) reaches '{name}' through "
            f"{hidden}, so no edit can keep it resolving: list '{name}' in an __all__ there, or "
            "import it by name, then rename again"
        )
    by_name = parts[-1] == name
    reached = (through is None or plan.binds(module)) if by_name else plan.aliases(module)
    if not reached:
        via = _describe(analysis, through, parts)
        alias = f" as '{parts[-1]}'" if parts[-1] != name else ""
        raise RenameError(
            f"'{naming.entry.uri}' ({_where(analysis, naming)}) reaches '{name}' through "
            f"an import{alias} in {via}; renaming '{name}' would break that import: "
            f"{PYTHON_LS}, then update the URIs"
        )


def _check_free(analysis: ProjectAnalysis, plan: ImportPlan, new_name: str) -> None:
    """Refuse a new name that a module binding the old one already binds or uses (it would
    change what code means)."""
    for binder in plan.binders:
        file = relative(analysis.snapshot, binder.path)
        taken = [s for s in top_level(binder.text, binder.tree) or [] if s.name == new_name]
        if taken:
            raise RenameError(
                f"'{new_name}' is already defined in {file} (line {taken[0].span.start.line + 1})"
            )
        uses = name_uses(binder.tree, binder.text, new_name)
        if uses.stores or uses.uses:
            line = (uses.stores or [use[0] for use in uses.uses])[0]
            raise RenameError(f"'{new_name}' is already used in {file} (line {line})")


def _where(analysis: ProjectAnalysis, naming: Naming) -> str:
    return f"{relative(analysis.snapshot, naming.file)}:{naming.span.start.line + 1}"


def _describe(analysis: ProjectAnalysis, definition: Definition | None, parts: list[str]) -> str:
    if definition is not None and definition.file is not None:
        return relative(analysis.snapshot, definition.file)
    return ".".join(parts[:-1]) or parts[0]
