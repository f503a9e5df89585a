"""The analysis of one project snapshot: parse, merge, resolve, diagnose. Pure, given a resolver.

This is the one function the language server and ``spoc-lsp check`` both call.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spoc.plugins import PluginEntry, PluginPlan, SourceKind, merge_plugins
from spoc.uri import uri_problem
from spoc_lsp.analysis.entry_diagnostics import diagnostics_memo, entry_diagnostic, safe_resolve
from spoc_lsp.analysis.interfaces import InterfaceVerdict, check_interfaces
from spoc_lsp.analysis.model import Diagnostic, Resolving
from spoc_lsp.analysis.options import combine_severity
from spoc_lsp.analysis.project import ConfigText, ProjectModules, ProjectSnapshot, relative
from spoc_lsp.analysis.rules import apply_severity, rule
from spoc_lsp.analysis.suppression import is_suppressed
from spoc_lsp.index.model import Resolution
from spoc_lsp.syntax import parse_config
from spoc_lsp.syntax.model import ParsedConfig, Position, Problem, Span
from spoc_lsp.syntax.toml_edit import reparse_string_edit
from spoc_lsp.text import line_index

__all__ = ["ProjectAnalysis", "analyze", "present", "relative", "safe_resolve"]


@functools.lru_cache(maxsize=32)
def _parse(kind: SourceKind, text: str, file: Path | None) -> ParsedConfig:
    parsed: ParsedConfig = parse_config(kind, text, file)
    return parsed


# The last text of each spoc.toml and its parse: a keystroke inside a plugin string is derived
# from it (``toml_edit``) instead of parsing a long file again.
_LAST_TOML: dict[Path | None, tuple[str, ParsedConfig]] = {}


def parse_cached(kind: SourceKind, text: str, file: Path | None) -> ParsedConfig:
    """Parse a config text; identical texts (an unchanged file) are parsed once, and an edit
    inside one string of the last ``spoc.toml`` text re-reads only that string."""
    if kind != "toml":
        return _parse(kind, text, file)
    last = _LAST_TOML.get(file)
    if last is not None and last[0] == text:
        return last[1]
    parsed = reparse_string_edit(last[0], last[1], text) if last is not None else None
    if parsed is None:
        parsed = _parse(kind, text, file)
    if len(_LAST_TOML) >= 32 and file not in _LAST_TOML:
        _LAST_TOML.pop(next(iter(_LAST_TOML)))
    _LAST_TOML[file] = (text, parsed)
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
    # ``[spoc.interfaces]``: each checked plugin entry's verdict, and every file read for them.
    interface_verdicts: Mapping[PluginEntry, InterfaceVerdict] = field(default_factory=dict)
    interface_files: frozenset[Path] = frozenset()

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
        memo = diagnostics_memo(snapshot.root, path)
        for entry, span in parsed_config.entry_spans.items():
            diagnostic = entry_diagnostic(
                snapshot, document, parsed_config, entry, span, plan, resolver, resolutions, memo
            )
            if (
                diagnostic is not None
                and (key := (diagnostic.span, diagnostic.code, entry.uri)) not in seen
            ):
                seen.add(key)
                diagnostics[path].append(diagnostic)

    interfaces = check_interfaces(parsed, plan, resolutions, resolver, snapshot.overlays)
    for path, found in interfaces.diagnostics.items():
        diagnostics.setdefault(path, []).extend(found)
    ordered = {
        path: tuple(sorted(items, key=lambda d: (d.span.start, d.code)))
        for path, items in diagnostics.items()
    }
    documents = {path: document for path, (document, _) in modules.items()}
    return ProjectAnalysis(
        snapshot,
        parsed,
        plan,
        resolutions,
        ordered,
        documents,
        interfaces.verdicts,
        interfaces.files,
    )


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
