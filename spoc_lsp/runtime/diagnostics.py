"""Runtime-check results as diagnostics (SPOC008) on the plan entries that failed, and the
runtime's verdict made final: a URI the runtime imported carries no static error, and one that
failed shows its SPOC008 alone (CONTRACT §2)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from spoc.uri import uri_problem
from spoc_lsp.analysis.model import Diagnostic
from spoc_lsp.analysis.rules import rule
from spoc_lsp.runtime.results import ProbeResult

if TYPE_CHECKING:  # only for the annotation: the analysis imports the parsers
    from spoc_lsp.analysis.analyze import ProjectAnalysis

CODE = "SPOC008"
# Static verdicts about whether a URI imports, which a runtime result for that URI replaces.
OVERRULED = frozenset({"SPOC001", "SPOC002", "SPOC007", "SPOC010"})
# Of those, the ones that said "this fails": wrong when the runtime imported the URI.
STATIC_ERRORS = frozenset({"SPOC001", "SPOC002", "SPOC007"})


@dataclasses.dataclass(frozen=True)
class Disagreement:
    """The runtime imported ``uri`` although the static check reported ``code``."""

    uri: str
    code: str
    message: str

    def describe(self) -> str:
        return (
            f"the runtime check imported '{self.uri}', but the static check said {self.code} "
            f"({self.message}); the runtime's verdict is kept. Please report this disagreement."
        )


@dataclasses.dataclass(frozen=True)
class RuntimeVerdict:
    """The analysis with the static verdicts the runtime overruled removed, the SPOC008 of the
    URIs that failed, and where the runtime contradicted a static error."""

    analysis: ProjectAnalysis
    diagnostics: dict[Path, list[Diagnostic]]
    disagreements: tuple[Disagreement, ...]


def runtime_verdict(
    analysis: ProjectAnalysis, results: Mapping[str, ProbeResult]
) -> RuntimeVerdict:
    """The runtime's results as the final word on every URI it imported.

    A static SPOC001/002/007/010 on a URI with a runtime result is dropped: when the import
    worked it was wrong (a :class:`Disagreement`, once per URI), and when it failed the SPOC008
    with the real exception says it alone.
    """
    disagreements: dict[str, Disagreement] = {}
    kept: dict[Path, tuple[Diagnostic, ...]] = {}
    for path, diagnostics in analysis.diagnostics.items():
        remaining = []
        for diagnostic in diagnostics:
            result = results.get(diagnostic.uri) if diagnostic.uri is not None else None
            if result is None or diagnostic.code not in OVERRULED:
                remaining.append(diagnostic)
                continue
            if result.ok and diagnostic.code in STATIC_ERRORS and diagnostic.uri is not None:
                disagreements.setdefault(
                    diagnostic.uri,
                    Disagreement(diagnostic.uri, diagnostic.code, diagnostic.message),
                )
        kept[path] = tuple(remaining)
    return RuntimeVerdict(
        dataclasses.replace(analysis, diagnostics=kept),
        runtime_diagnostics(analysis, results),
        tuple(disagreements.values()),
    )


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
