"""One plugin entry's diagnostic: invalid (SPOC003), duplicate (SPOC004), or what the resolver
says of it (SPOC001, SPOC002, SPOC007, SPOC010), with fixes that are checked to resolve."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

from spoc.plugins import PluginEntry, PluginPlan
from spoc.uri import uri_problem
from spoc_lsp.analysis.fixes import element_removal_span
from spoc_lsp.analysis.model import Diagnostic, Fix, Resolving, TextEdit
from spoc_lsp.analysis.project import ConfigText, ProjectSnapshot, relative
from spoc_lsp.analysis.rules import rule
from spoc_lsp.analysis.uri_spans import segment_span
from spoc_lsp.index.model import Resolution, Status
from spoc_lsp.syntax.model import ParsedConfig, Span


def safe_resolve(resolver: Resolving, uri: str) -> Resolution:
    """Resolve, turning an internal failure into an honest 'cannot tell' instead of a crash."""
    try:
        return resolver.resolve(uri)
    except Exception as error:  # a resolver bug must not take the analysis down
        return Resolution(
            uri, Status.UNVERIFIABLE, reason=f"internal error: {type(error).__name__}: {error}"
        )


def repair_uri(uri: str) -> str | None:
    """The URI with stray whitespace and extra dots removed, when that makes it valid."""
    candidates = repair_candidates(uri)
    return candidates[0] if candidates else None


def repair_candidates(uri: str) -> list[str]:
    """Valid URIs the text may have meant, most likely first: whitespace next to a dot or at
    the ends removed, whitespace inside a segment read as ``_`` or removed, extra dots
    dropped."""
    text = re.sub(r"\.{2,}", ".", uri.strip()).strip(".")
    text = re.sub(r"\s*\.\s*", ".", text)
    found = [re.sub(r"\s+", "_", text), "".join(text.split())]
    return [c for c in dict.fromkeys(found) if c and c != uri and uri_problem(c) is None]


def _resolves(resolver: Resolving, uri: str, resolutions: dict[str, Resolution]) -> bool:
    """Whether ``uri`` resolves (offered fixes and suggestions must)."""
    resolution = resolutions.get(uri)
    if resolution is None:
        resolution = safe_resolve(resolver, uri)
    return resolution.status is Status.RESOLVED


def _quoted(names: tuple[str, ...]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def entry_diagnostic(
    snapshot: ProjectSnapshot,
    document: ConfigText,
    parsed: ParsedConfig,
    entry: PluginEntry,
    span: Span,
    plan: PluginPlan,
    resolver: Resolving,
    resolutions: dict[str, Resolution],
    memo: EntryMemo | None = None,
) -> Diagnostic | None:
    """The entry's diagnostic, or None. ``memo`` is ``diagnostics_memo`` of the document
    (looked up once per document by a caller diagnosing many entries)."""

    def make(
        code: str, message: str, where: Span = span, fixes: tuple[Fix, ...] = ()
    ) -> Diagnostic:
        return Diagnostic(
            file=document.path,
            span=where,
            severity=rule(code).severity,
            code=code,
            message=message,
            uri=entry.uri,
            group=entry.group,
            source=entry.provenance.source,
            fixes=fixes,
        )

    problem = uri_problem(entry.uri)
    if problem is not None:
        message = f"invalid plugin URI {entry.uri!r}: {problem.message}"
        repaired = next(
            (c for c in repair_candidates(entry.uri) if _resolves(resolver, c, resolutions)), None
        )
        if repaired is None:
            return make("SPOC003", message)
        fix = Fix(f"Change to '{repaired}'", (TextEdit(document.path, span, repaired),), True)
        return make("SPOC003", f"{message}; did you mean '{repaired}'?", fixes=(fix,))

    duplicate = plan.duplicate_of(entry)
    if duplicate is not None:
        first = duplicate.first.provenance
        where = relative(snapshot, first.file) + (f":{first.line}" if first.line else "")
        removal = TextEdit(document.path, element_removal_span(document.text, span), "")
        return make(
            "SPOC004",
            f"duplicate: '{entry.uri}' is already listed in group '{entry.group}' at {where}; "
            "this entry is ignored at runtime",
            fixes=(Fix(f"Remove duplicate '{entry.uri}'", (removal,), preferred=True),),
        )

    resolution = resolutions.get(entry.uri)
    if resolution is None:
        resolution = resolutions[entry.uri] = safe_resolve(resolver, entry.uri)
    # An entry whose text, place and resolution are those of the last analysis keeps its
    # diagnostic: a keystroke re-diagnoses only the entries it touched.
    site = parsed.entry_sites.get(entry)
    known_here = memo if memo is not None else diagnostics_memo(snapshot.root, document.path)
    key = (entry, span, site.text if site is not None else None)
    known = known_here.get(key)
    if known is not None and known[0] is resolution:
        return known[1]
    diagnostic = _resolution_diagnostic(
        snapshot, document, parsed, entry, resolution, resolver, resolutions, make
    )
    if len(known_here) >= _ENTRY_CACHE_SIZE:
        known_here.clear()
    known_here[key] = (resolution, diagnostic)
    return diagnostic


# Per (project root, config file), per entry: the resolution its diagnostic was made from,
# and the diagnostic (bounded).
_EntryKey = tuple[PluginEntry, Span, "str | None"]
EntryMemo = dict[_EntryKey, tuple[Resolution, "Diagnostic | None"]]
_ENTRY_DIAGNOSTICS: dict[tuple[Path, Path], EntryMemo] = {}
_ENTRY_CACHE_SIZE = 50_000
_DOCUMENTS_KEPT = 64


def diagnostics_memo(root: Path, path: Path) -> EntryMemo:
    """The remembered entry diagnostics of one config file of one project."""
    known = _ENTRY_DIAGNOSTICS.get((root, path))
    if known is None:
        if len(_ENTRY_DIAGNOSTICS) >= _DOCUMENTS_KEPT:
            _ENTRY_DIAGNOSTICS.clear()
        known = _ENTRY_DIAGNOSTICS[(root, path)] = {}
    return known


def _resolution_diagnostic(
    snapshot: ProjectSnapshot,
    document: ConfigText,
    parsed: ParsedConfig,
    entry: PluginEntry,
    resolution: Resolution,
    resolver: Resolving,
    resolutions: dict[str, Resolution],
    make: Callable[..., Diagnostic],
) -> Diagnostic | None:
    """SPOC001/SPOC002/SPOC007 from what the resolver says about a well-formed entry."""
    span = parsed.entry_spans[entry]
    if resolution.status is Status.UNRESOLVED and resolution.failure is not None:
        failure = resolution.failure
        segment = segment_span(parsed, entry, failure.segment)
        message = failure.message
        fixes: tuple[Fix, ...] = ()
        segments = entry.uri.split(".")
        suggestions = tuple(
            name
            for name in failure.suggestions
            if _resolves(
                resolver,
                ".".join([*segments[: failure.segment], name, *segments[failure.segment + 1 :]]),
                resolutions,
            )
        )
        if suggestions:
            message += f"; did you mean {_quoted(suggestions)}?"
            fixes = tuple(
                Fix(
                    f"Change '{failure.missing}' to '{suggestion}'",
                    (TextEdit(document.path, segment, suggestion),),
                    preferred=index == 0,
                )
                for index, suggestion in enumerate(suggestions)
                if segment is not None
            )
        return make(failure.code, message, segment or span, fixes)

    if resolution.import_problems:
        first_problem = resolution.import_problems[0]
        location = relative(snapshot, first_problem.file)
        if first_problem.line:
            location += f":{first_problem.line}"
        failing = make(
            "SPOC007",
            f"'{entry.uri}' is found, but importing it will fail at {location}: "
            f"{first_problem.message}",
        )
        if all(problem.conditional for problem in resolution.import_problems):
            failing = dataclasses.replace(failing, severity="warning")  # only when it runs
        return failing

    if resolution.status is Status.UNVERIFIABLE and resolution.unseen_in is not None:
        last = entry.uri.rpartition(".")[2]
        message = (
            f"'{entry.uri}' cannot be verified statically: {resolution.reason}; "
            f"{last!r} is not among the names seen in {resolution.unseen_in!r}"
        )
        close = tuple(
            name
            for name in resolution.unseen_suggestions
            if _resolves(resolver, f"{resolution.unseen_in}.{name}", resolutions)
        )
        if close:
            message += f"; did you mean {_quoted(close)}?"
        return make("SPOC010", message)
    return None
