"""Go to definition from a URI (a plugin's or an interface's), or from one segment of it."""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.analysis.analyze import ProjectAnalysis, safe_resolve
from spoc_lsp.analysis.interface_values import value_definition
from spoc_lsp.analysis.model import Resolving, Target
from spoc_lsp.analysis.uri_spans import segment_at
from spoc_lsp.syntax.model import Position


def definition(
    analysis: ProjectAnalysis, path: Path, position: Position, resolver: Resolving
) -> Target | None:
    """Where the URI segment under the cursor is defined: the module for a module segment,
    the object for the last segment."""
    found = analysis.entry_at(path, position)
    parsed = analysis.parsed.get(path)
    if found is None or parsed is None:
        return value_definition(analysis, path, position, resolver)
    entry, _ = found
    resolution = analysis.resolutions.get(entry.uri) or safe_resolve(resolver, entry.uri)
    segment = segment_at(parsed, entry, position)
    if segment is None:
        segment = len(entry.uri.split(".")) - 1
    chosen = resolution.definition_of(segment)
    if chosen is None or chosen.file is None:
        return None
    return Target(chosen.file, chosen.line, chosen.column)
