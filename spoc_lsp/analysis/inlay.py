"""Inlay hints: after each URI, its position in the merged group."""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.analysis.analyze import ProjectAnalysis, relative
from spoc_lsp.analysis.model import InlayHint


def inlay_hints(
    analysis: ProjectAnalysis, path: Path, first_line: int, last_line: int
) -> list[InlayHint]:
    """One hint per entry of ``path`` between the two lines (inclusive)."""
    parsed = analysis.parsed.get(path)
    if parsed is None:
        return []
    hints: list[InlayHint] = []
    for entry, span in parsed.entry_spans.items():
        if not first_line <= span.end.line <= last_line:
            continue
        size = len(analysis.plan.group(entry.group))
        position = analysis.plan.position(entry)
        if position is not None:
            label = f"#{position}/{size}"
            tooltip = f"Loaded {position} of {size} in group '{entry.group}'"
        else:
            duplicate = analysis.plan.duplicate_of(entry)
            if duplicate is None:
                continue
            first = duplicate.first.provenance
            label = "duplicate"
            tooltip = (
                f"Ignored: already listed at {relative(analysis.snapshot, first.file)}:{first.line}"
            )
        hints.append(InlayHint(path, span.end.line, span.end.column + 1, label, tooltip))
    return hints
