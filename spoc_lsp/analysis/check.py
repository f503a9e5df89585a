"""The analysis of one project snapshot: parse, merge, resolve, diagnose. Pure, given a resolver.

This is the one function the language server and ``spoc-lsp check`` both call.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spoc.plugins import PluginEntry, PluginPlan, SourceKind, merge_plugins
from spoc.uri import uri_problem
from spoc_lsp.analysis.fixes import element_removal_span
from spoc_lsp.analysis.model import Diagnostic, Fix, Resolving, TextEdit
from spoc_lsp.analysis.options import combine_severity
from spoc_lsp.analysis.project import ConfigText, ProjectModules, ProjectSnapshot
from spoc_lsp.analysis.rules import apply_severity, rule
from spoc_lsp.analysis.suppression import is_suppressed
from spoc_lsp.analysis.uri_spans import segment_span
from spoc_lsp.index.model import Resolution, Status
from spoc_lsp.syntax import parse_config
from spoc_lsp.syntax.model import ParsedConfig, Position, Problem, Span
from spoc_lsp.text import line_index


@functools.lru_cache(maxsize=32)
def parse_cached(kind: SourceKind, text: str, file: Path | None) -> ParsedConfig:
    """Parse a config text; identical texts (an unchanged file) are parsed once."""
    parsed: ParsedConfig = parse_config(kind, text, file)
    return parsed


_WITH_MODULES: dict[tuple[str, Path], ParsedConfig] = {}


def parse_settings_cached(text: str, file: Path, modules: ProjectModules) -> ParsedConfig:
    """A settings module parsed with the project modules it imports followed (split settings);
    parsed again only when its text or one of theirs changed."""
    key = (text, file)
    found = _WITH_MODULES.get(key)
    if found is not None and all(modules.read(path) == seen for path, seen in found.modules_read):
        return found
    parsed: ParsedConfig = parse_config("settings", text, file, modules)
    if len(_WITH_MODULES) >= 32:
        _WITH_MODULES.pop(next(iter(_WITH_MODULES)))
    _WITH_MODULES[key] = parsed
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
    # Project modules a split settings module imports that contribute strings or problems.
    modules: Mapping[Path, ConfigText] = field(default_factory=dict)

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
    project_modules = ProjectModules(snapshot)
    parsed: dict[Path, ParsedConfig] = {
        document.path: parse_settings_cached(document.text, document.path, project_modules)
        if document.kind == "settings"
        else parse_cached(document.kind, document.text, document.path)
        for document in snapshot.documents()
    }
    sources = [parsed[doc.path].source for doc in snapshot.documents()]
    plan = merge_plugins(*sources)
    _prefetch(resolver, (entry.uri for config in parsed.values() for entry in config.entry_spans))
    resolutions: dict[str, Resolution] = {}
    texts = {doc.path: doc for doc in snapshot.documents()}
    modules = _contributions(parsed)
    texts.update({path: document for path, (document, _) in modules.items()})
    parsed.update({path: contribution for path, (_, contribution) in modules.items()})
    diagnostics: dict[Path, list[Diagnostic]] = {path: [] for path in texts}

    for document in texts.values():
        out = diagnostics[document.path]
        out.extend(_read_problem(document))
        out.extend(
            _problem_diagnostic(document, problem) for problem in parsed[document.path].problems
        )

    for path, parsed_config in parsed.items():
        document = texts[path]
        seen: set[tuple[Span, str, str]] = set()  # a string that reached two groups: shown once
        for entry, span in parsed_config.entry_spans.items():
            diagnostic = _entry_diagnostic(
                snapshot, document, parsed_config, entry, span, plan, resolver, resolutions
            )
            if (
                diagnostic is not None
                and (key := (diagnostic.span, diagnostic.code, entry.uri)) not in seen
            ):
                seen.add(key)
                diagnostics[path].append(diagnostic)

    ordered = {
        path: tuple(sorted(items, key=lambda d: (d.span.start, d.code)))
        for path, items in diagnostics.items()
    }
    documents = {path: document for path, (document, _) in modules.items()}
    return ProjectAnalysis(snapshot, parsed, plan, resolutions, ordered, documents)


def _contributions(
    parsed: Mapping[Path, ParsedConfig],
) -> dict[Path, tuple[ConfigText, ParsedConfig]]:
    """The project modules a settings module imports, with what each contributes."""
    found: dict[Path, tuple[ConfigText, ParsedConfig]] = {}
    for config in parsed.values():
        texts = dict(config.modules_read)
        for contribution in config.contributions:
            path = contribution.source.file
            if path is None or path in parsed or path not in texts:
                continue
            found[path] = (ConfigText("settings", path, texts[path]), contribution)
    return found


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


def _entry_diagnostic(
    snapshot: ProjectSnapshot,
    document: ConfigText,
    parsed: ParsedConfig,
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
    key = (snapshot.root, document.path, entry, span, site.text if site is not None else None)
    known = _ENTRY_DIAGNOSTICS.get(key)
    if known is not None and known[0] is resolution:
        return known[1]
    diagnostic = _resolution_diagnostic(
        snapshot, document, parsed, entry, resolution, resolver, resolutions, make
    )
    if len(_ENTRY_DIAGNOSTICS) >= _ENTRY_CACHE_SIZE:
        _ENTRY_DIAGNOSTICS.clear()
    _ENTRY_DIAGNOSTICS[key] = (resolution, diagnostic)
    return diagnostic


# Per entry: the resolution its diagnostic was made from, and the diagnostic (bounded).
_ENTRY_DIAGNOSTICS: dict[tuple[object, ...], tuple[Resolution, Diagnostic | None]] = {}
_ENTRY_CACHE_SIZE = 50_000


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
    for document in (*analysis.snapshot.documents(), *analysis.modules.values()):
        items = [*analysis.diagnostics.get(document.path, ()), *extra.get(document.path, ())]
        index = line_index(document.text)
        kept = [d for d in items if not is_suppressed(index.line_text(d.span.start.line), d.code)]
        shown[document.path] = apply_severity(kept, overrides)
    return shown
