"""URI edits for module files and package folders about to move (``workspace/willRenameFiles``).

A URI is rewritten when its module prefix, matched on whole segments, is the moved module's old
dotted name and the resolver confirms that prefix really reaches the moved file (a module of the
same name shadowed by another import root is left alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spoc_lsp.analysis.analyze import ProjectAnalysis, relative
from spoc_lsp.analysis.model import EditSet, Resolving, TextEdit
from spoc_lsp.analysis.references import resolve_entry
from spoc_lsp.analysis.uri_spans import rewritable_span
from spoc_lsp.index.project_files import RealPaths, module_name
from spoc_lsp.syntax.model import Span


@dataclass(frozen=True)
class _Move:
    old_name: str
    new_name: str
    old: Path
    is_dir: bool


def move_edits(
    analysis: ProjectAnalysis,
    resolver: Resolving,
    moves: Sequence[tuple[Path, Path]],
) -> EditSet:
    """The URI edits for module files or package directories about to move (``old -> new``):
    every URI whose module prefix is the old dotted name, matched on whole segments and only
    where that prefix really is the moved module, gets the new dotted name."""
    planned, notes = _planned(analysis, resolver, moves)
    paths = RealPaths()
    # Keyed by place: one written string may back several entries (a list reused by groups).
    edits: dict[tuple[Path, Span], TextEdit] = {}
    longest_first = sorted(planned, key=lambda move: -len(move.old_name))
    for config, entry, span in analysis.entries():
        parts = entry.uri.split(".")
        candidates = [
            move
            for move in longest_first
            if parts[: move.old_name.count(".") + 1] == move.old_name.split(".")
        ]
        resolution = resolve_entry(resolver, entry.uri) if candidates else None
        if resolution is None:
            continue
        definitions = resolution.segment_definitions
        chosen: _Move | None = None
        for move in candidates:
            count = move.old_name.count(".") + 1
            reached = definitions[count - 1] if len(definitions) >= count else None
            if reached is not None and paths.within(reached.file, move.old, is_dir=move.is_dir):
                chosen = move
                break
        if chosen is None:
            continue
        where = rewritable_span(analysis.parsed.get(config), entry, 0, len(chosen.old_name))
        if where is None:
            notes.append(
                f"'{entry.uri}' at {relative(analysis.snapshot, config)}:{span.start.line + 1} "
                "could not be rewritten (the module name is split over string pieces); "
                "edit it by hand"
            )
            continue
        edits[(config, where)] = TextEdit(config, where, chosen.new_name)
    return EditSet(tuple(edits.values()), tuple(dict.fromkeys(notes)))


def _planned(
    analysis: ProjectAnalysis,
    resolver: Resolving,
    moves: Sequence[tuple[Path, Path]],
) -> tuple[list[_Move], list[str]]:
    """The moves that change a project module's dotted name, and notes on those that leave
    the importable tree."""
    search_path = resolver.search_path
    planned: list[_Move] = []
    notes: list[str] = []
    for old, new in moves:
        is_dir = old.is_dir() if old.exists() else old.suffix != ".py"
        if not search_path.is_project_file(old) or (not is_dir and old.suffix != ".py"):
            continue
        if not is_dir and "__init__.py" in (old.name, new.name):
            continue  # a package's __init__ moving is not a module moving
        old_name = module_name(search_path, old, is_dir=is_dir)
        new_name = module_name(search_path, new, is_dir=is_dir)
        if old_name is None or new_name == old_name:
            continue
        if new_name is None:
            notes.append(
                f"{relative(analysis.snapshot, new)} is not an importable module of the project; "
                f"URIs under '{old_name}' were left as they are"
            )
            continue
        planned.append(_Move(old_name, new_name, old, is_dir))
    return planned, notes
