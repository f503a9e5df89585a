"""Runtime-check results as diagnostics (SPOC008) on the plan entries that failed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from spoc.uri import uri_problem
from spoc_lsp.analysis.model import Diagnostic
from spoc_lsp.analysis.rules import rule
from spoc_lsp.runtime.probe import ProbeResult

if TYPE_CHECKING:  # only for the annotation: the analysis imports the parsers
    from spoc_lsp.analysis.check import ProjectAnalysis

CODE = "SPOC008"


def probe_targets(analysis: ProjectAnalysis) -> list[str]:
    """The distinct valid URIs of the merged plan, in load order: what a runtime check imports.

    Dropped duplicates are not listed twice and invalid URIs (SPOC003) are never probed.
    """
    return list(
        dict.fromkeys(
            entry.uri for entry in analysis.plan.entries() if uri_problem(entry.uri) is None
        )
    )


def runtime_diagnostics(
    analysis: ProjectAnalysis, results: Mapping[str, ProbeResult]
) -> dict[Path, list[Diagnostic]]:
    """An SPOC008 error on every kept plan entry whose URI failed the runtime check.

    Every config file of the analysis is a key (with an empty list when nothing failed there),
    so a caller replacing earlier runtime diagnostics clears the files that are now fine.
    """
    found: dict[Path, list[Diagnostic]] = {path: [] for path in analysis.parsed}
    severity = rule(CODE).severity
    for entry in analysis.plan.entries():
        result = results.get(entry.uri)
        if result is None or result.ok or uri_problem(entry.uri) is not None:
            continue
        located = analysis.span_of(entry)
        if located is None:
            continue
        path, span = located
        found.setdefault(path, []).append(
            Diagnostic(
                file=path,
                span=span,
                severity=severity,
                code=CODE,
                message=result.describe(),
                uri=entry.uri,
                group=entry.group,
                source=entry.provenance.source,
            )
        )
    for diagnostics in found.values():
        diagnostics.sort(key=lambda diagnostic: (diagnostic.span.start, diagnostic.code))
    return found
