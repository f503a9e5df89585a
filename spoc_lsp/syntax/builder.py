"""Assembling a :class:`ParsedConfig` from what a reader found: groups, sites and problems."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from spoc.plugins import PluginEntry, PluginGroup, PluginSource, Provenance, SourceKind
from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import (
    ParsedConfig,
    Position,
    Problem,
    ProblemCode,
    Severity,
    Span,
    StringSite,
)

logger = logging.getLogger(__name__)

MAX_SYNTAX_PROBLEMS = 200  # past this, more of the same only hides the first ones


@dataclass
class GroupResult:
    """One group as a source ends up listing it: where its name is, and its entries."""

    name: str
    key: Span | None
    entries: list[StringSite] = field(default_factory=list)


class ResultBuilder:
    """Collects problems, string sites and key spans; builds the final :class:`ParsedConfig`."""

    def __init__(self, kind: SourceKind, file: Path | None) -> None:
        self.kind: SourceKind = kind
        self.file = file
        self.problems: list[Problem] = []
        self.sites: dict[tuple[int, int, int, int], StringSite] = {}
        # Ordered sets (dicts with no values): a span is listed once, in first-seen order.
        self.group_spans: dict[str, dict[Span, None]] = {}
        self.key_spans: dict[str, dict[Span, None]] = {}

    def problem(
        self,
        code: ProblemCode,
        message: str,
        span: Span,
        severity: Severity = "error",
        group: str | None = None,
    ) -> None:
        self.problems.append(Problem(code, message, span, severity, group))

    def site(self, group: str | None, literal: Literal) -> StringSite:
        """Record a plugin string site (once per place) and return it."""
        start, end = literal.span.start, literal.span.end
        key = (start.line, start.column, end.line, end.column)
        site = self.sites.get(key)
        if site is None or (site.group is None and group is not None):
            site = StringSite(
                group=group,
                text=literal.raw,
                span=literal.span,
                terminated=literal.terminated,
                value=literal.value if literal.terminated else None,
                pieces=literal.pieces if literal.terminated else (),
            )
            self.sites[key] = site
        return site

    def group_span(self, name: str, span: Span) -> None:
        self.group_spans.setdefault(name, {})[span] = None

    def key_span(self, key: str, span: Span) -> None:
        self.key_spans.setdefault(key, {})[span] = None

    def build(self, groups: list[GroupResult]) -> ParsedConfig:
        entry_spans: dict[PluginEntry, Span] = {}
        entry_sites: dict[PluginEntry, StringSite] = {}  # (in group order)
        plugin_groups: list[PluginGroup] = []
        for group in groups:
            entries: list[PluginEntry] = []
            for site in group.entries:
                if site.value is None:
                    continue
                entry = PluginEntry(group.name, site.value, self._provenance(site.span.start))
                entries.append(entry)
                entry_spans[entry] = site.span
                entry_sites[entry] = site
            provenance = self._provenance(group.key.start) if group.key is not None else None
            plugin_groups.append(PluginGroup(group.name, tuple(entries), provenance))
        problems = sorted(self.problems, key=lambda p: _span_key(p.span))
        # In file order (groups may be written in pieces), for whoever walks the file.
        in_file_order = sorted(entry_spans.items(), key=lambda item: _span_key(item[1]))
        return ParsedConfig(
            source=PluginSource(self.kind, self.file, tuple(plugin_groups)),
            entry_spans=dict(in_file_order),
            group_spans={name: tuple(spans) for name, spans in self.group_spans.items()},
            problems=tuple(problems),
            strings=tuple(self.sites[key] for key in sorted(self.sites)),
            key_spans={key: tuple(spans) for key, spans in self.key_spans.items()},
            entry_sites=entry_sites,
        )

    def _provenance(self, position: Position) -> Provenance:
        return Provenance(self.kind, self.file, position.line + 1, position.column + 1)


def _span_key(span: Span) -> tuple[int, int, int, int]:
    return span.start.line, span.start.column, span.end.line, span.end.column


def internal_error(kind: SourceKind, file: Path | None, error: BaseException) -> ParsedConfig:
    """What a parser returns if it fails after all: nothing read, and why (never raised)."""
    logger.exception("spoc-lsp could not read %s", file or f"a {kind} file")
    start = Position(0, 0)
    problem = Problem(
        "SPOC006",
        f"spoc-lsp could not read this file (internal error: {type(error).__name__}); "
        "its plugin entries are not checked",
        Span(start, start),
        "information",
    )
    return ParsedConfig(source=PluginSource(kind, file), problems=(problem,))
