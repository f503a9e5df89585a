"""The analysis of one project snapshot: parse, merge, resolve, diagnose. Pure, given a resolver.

This is the one function the language server and ``spoc-lsp check`` both call.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spoc.plugins import PluginEntry, PluginPlan, SourceKind, merge_plugins
from spoc.uri import uri_problem
from spoc_lsp.analysis.fixes import element_removal_span, segment_span
from spoc_lsp.analysis.model import Diagnostic, Fix, Resolving, TextEdit
from spoc_lsp.analysis.options import combine_severity
from spoc_lsp.analysis.project import ConfigText, ProjectSnapshot
from spoc_lsp.analysis.rules import apply_severity, rule
from spoc_lsp.analysis.suppression import is_suppressed
from spoc_lsp.index.model import Resolution, Status
from spoc_lsp.syntax import parse_config
from spoc_lsp.syntax.model import ParsedConfig, Position, Problem, Span
from spoc_lsp.text import LineIndex


@functools.lru_cache(maxsize=32)
def parse_cached(kind: SourceKind, text: str, file: Path | None) -> ParsedConfig:
    """Parse a config text; identical texts (an unchanged file) are parsed once."""
    parsed: ParsedConfig = parse_config(kind, text, file)
    return parsed


def safe_resolve(resolver: Resolving, uri: str) -> Resolution:
    """Resolve, turning an internal failure into an honest 'cannot tell' instead of a crash."""
    try:
        return resolver.resolve(uri)
    except Exception as error:  # a resolver bug must not take the analysis down
        return Resolution(
            uri, Status.UNVERIFIABLE, reason=f"internal error: {type(error).__name__}: {error}"
        )


@dataclass(frozen=True)
class ProjectAnalysis:
    """Everything known about a project's plugins at one snapshot."""

    snapshot: ProjectSnapshot
    parsed: Mapping[Path, ParsedConfig]
    plan: PluginPlan
    resolutions: Mapping[str, Resolution]
    diagnostics: Mapping[Path, tuple[Diagnostic, ...]]

    @property
    def root(self) -> Path:
        return self.snapshot.root

    def entries(self) -> Iterator[tuple[Path, PluginEntry, Span]]:
        """Every listed entry (kept or dropped) with its file and span, in file order."""
        for path, parsed in self.parsed.items():
            for entry, span in parsed.entry_spans.items():
                yield path, entry, span

    def entry_at(self, path: Path, position: Position) -> tuple[PluginEntry, Span] | None:
        parsed = self.parsed.get(path)
        if parsed is None:
            return None
        for entry, span in parsed.entry_spans.items():
            if span.contains(position):
                return entry, span
        return None

    def span_of(self, entry: PluginEntry) -> tuple[Path, Span] | None:
        for path, parsed in self.parsed.items():
            span = parsed.entry_spans.get(entry)
            if span is not None:
                return path, span
        return None

    def all_diagnostics(self) -> Iterator[Diagnostic]:
        for diagnostics in self.diagnostics.values():
            yield from diagnostics


def analyze(snapshot: ProjectSnapshot, resolver: Resolving) -> ProjectAnalysis:
    """Parse both config texts, merge them with the runtime's merge, resolve, and diagnose."""
    parsed: dict[Path, ParsedConfig] = {
        document.path: parse_cached(document.kind, document.text, document.path)
        for document in snapshot.documents()
    }
    sources = [parsed[doc.path].source for doc in snapshot.documents()]
    plan = merge_plugins(*sources)
    _prefetch(resolver, (entry.uri for config in parsed.values() for entry in config.entry_spans))
    resolutions: dict[str, Resolution] = {}
    diagnostics: dict[Path, list[Diagnostic]] = {doc.path: [] for doc in snapshot.documents()}
    texts = {doc.path: doc for doc in snapshot.documents()}

    for document in snapshot.documents():
        out = diagnostics[document.path]
        out.extend(_read_problem(document))
        out.extend(
            _problem_diagnostic(document, problem) for problem in parsed[document.path].problems
        )

    for path, parsed_config in parsed.items():
        document = texts[path]
        for entry, span in parsed_config.entry_spans.items():
            diagnostic = _entry_diagnostic(
                snapshot, document, entry, span, plan, resolver, resolutions
            )
            if diagnostic is not None:
                diagnostics[path].append(diagnostic)

    ordered = {
        path: tuple(sorted(items, key=lambda d: (d.span.start, d.code)))
        for path, items in diagnostics.items()
    }
    return ProjectAnalysis(snapshot, parsed, plan, resolutions, ordered)


def _prefetch(resolver: Resolving, uris: Iterator[str]) -> None:
    """Let a resolver that can answer many URIs at once (on several cores) do so first; the
    answers are the same, only sooner."""
    prefetch = getattr(resolver, "prefetch", None)
    if prefetch is None:
        return
    try:
        prefetch([uri for uri in uris if uri_problem(uri) is None])
    except Exception:  # speed only: every URI is still resolved one by one below
        return


def _read_problem(document: ConfigText) -> list[Diagnostic]:
    if document.read_error is None:
        return []
    origin = Span(Position(0, 0), Position(0, 0))
    code = "SPOC009" if document.kind == "toml" else "SPOC006"
    return [
        Diagnostic(
            document.path,
            origin,
            rule(code).severity,
            code,
            document.read_error,
            source=document.kind,
        )
    ]


def _problem_diagnostic(document: ConfigText, problem: Problem) -> Diagnostic:
    return Diagnostic(
        file=document.path,
        span=problem.span,
        severity=problem.severity,
        code=problem.code,
        message=problem.message,
        group=problem.group,
        source=document.kind,
    )


def relative(snapshot: ProjectSnapshot, path: Path | None) -> str:
    """``path`` relative to the project root when it is inside it (for messages)."""
    if path is None:
        return "<unknown>"
    try:
        return path.relative_to(snapshot.root).as_posix()
    except ValueError:
        return str(path)


def repair_uri(uri: str) -> str | None:
    """The URI with stray whitespace and extra dots removed, when that makes it valid."""
    candidate = re.sub(r"\.{2,}", ".", "".join(uri.split())).strip(".")
    if candidate and candidate != uri and uri_problem(candidate) is None:
        return candidate
    return None


def _quoted(names: tuple[str, ...]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _entry_diagnostic(
    snapshot: ProjectSnapshot,
    document: ConfigText,
    entry: PluginEntry,
    span: Span,
    plan: PluginPlan,
    resolver: Resolving,
    resolutions: dict[str, Resolution],
) -> Diagnostic | None:
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
        repaired = repair_uri(entry.uri)
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

    if resolution.status is Status.UNRESOLVED and resolution.failure is not None:
        failure = resolution.failure
        segment = segment_span(span, entry.uri, failure.segment)
        message = failure.message
        fixes: tuple[Fix, ...] = ()
        if failure.suggestions:
            message += f"; did you mean {_quoted(failure.suggestions)}?"
            fixes = tuple(
                Fix(
                    f"Change '{failure.missing}' to '{suggestion}'",
                    (TextEdit(document.path, segment, suggestion),),
                    preferred=index == 0,
                )
                for index, suggestion in enumerate(failure.suggestions)
                if segment is not None
            )
        return make(failure.code, message, segment or span, fixes)

    if resolution.import_problems:
        first_problem = resolution.import_problems[0]
        location = relative(snapshot, first_problem.file)
        if first_problem.line:
            location += f":{first_problem.line}"
        return make(
            "SPOC007",
            f"'{entry.uri}' is found, but importing it will fail at {location}: "
            f"{first_problem.message}",
        )
    return None


def present(
    analysis: ProjectAnalysis,
    extra: Mapping[Path, Sequence[Diagnostic]] | None = None,
    editor_severity: Mapping[str, str] | None = None,
) -> dict[Path, list[Diagnostic]]:
    """The diagnostics to show per file: the analysis' plus ``extra`` (runtime results), less
    those suppressed inline, with the severities of ``[tool.spoc-lsp]`` and the editor applied.
    """
    overrides = combine_severity(analysis.snapshot.options.severity, editor_severity or {})
    extra = extra or {}
    shown: dict[Path, list[Diagnostic]] = {}
    for document in analysis.snapshot.documents():
        items = [*analysis.diagnostics.get(document.path, ()), *extra.get(document.path, ())]
        index = LineIndex(document.text)
        kept = [d for d in items if not is_suppressed(index.line_text(d.span.start.line), d.code)]
        shown[document.path] = apply_severity(kept, overrides)
    return shown
