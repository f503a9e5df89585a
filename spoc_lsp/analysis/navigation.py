"""Go to definition from a URI, or from one segment of it."""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.analysis.check import ProjectAnalysis, safe_resolve
from spoc_lsp.analysis.model import Resolving, Target
from spoc_lsp.index.model import Definition, Status
from spoc_lsp.syntax.model import Position


def definition(
    analysis: ProjectAnalysis, path: Path, position: Position, resolver: Resolving
) -> Target | None:
    """Where the URI segment under the cursor is defined: the module for a module segment,
    the object for the last segment."""
    found = analysis.entry_at(path, position)
    if found is None:
        return None
    entry, span = found
    resolution = analysis.resolutions.get(entry.uri) or safe_resolve(resolver, entry.uri)
    segment = _segment_at(entry.uri, position.column - span.start.column)
    if span.start.line != span.end.line:
        segment = len(entry.uri.split(".")) - 1
    chosen: Definition | None = None
    if 0 <= segment < len(resolution.segment_definitions):
        chosen = resolution.segment_definitions[segment]
    if chosen is None and resolution.status is Status.RESOLVED and resolution.symbol is not None:
        chosen = resolution.symbol.definition
    if chosen is None or chosen.file is None:
        return None
    return Target(chosen.file, chosen.line, chosen.column)


def _segment_at(uri: str, offset: int) -> int:
    """Index of the segment that character ``offset`` of ``uri`` falls in."""
    return uri[: max(0, offset)].count(".")
