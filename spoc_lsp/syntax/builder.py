"""Assembling a :class:`ParsedConfig` from what a reader found: groups, sites and problems."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from spoc.plugins import PluginEntry, PluginGroup, PluginSource, Provenance, SourceKind
from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import (
    InterfaceEntry,
    ParsedConfig,
    Position,
    Problem,
    ProblemCode,
    Severity,
    Span,
    StringSite,
)
from spoc_lsp.syntax.py_ast import spans_in
from spoc_lsp.syntax.py_names import Watchers

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
        self.problems: list[tuple[Path | None, Problem]] = []
        self.sites: dict[tuple[Path | None, int, int, int, int], StringSite] = {}
        # Split settings: the module being run now (None: the one parsed), and which spans
        # belong to another module's nodes (by identity; the spans are kept alive here).
        self.current: Path | None = None
        self.origins: dict[int, tuple[Span, Path]] = {}
        self.modules_read: list[tuple[Path, str]] = []
        self.list_watchers: Watchers = {}  # (see :class:`py_names.Names`)
        # Ordered sets (dicts with no values): a span is listed once, in first-seen order.
        self.group_spans: dict[str, dict[Span, None]] = {}
        self.key_spans: dict[str, dict[Span, None]] = {}
        self.group_files: dict[int, tuple[Span, Path | None]] = {}
        self.interfaces: dict[str, InterfaceEntry] = {}  # (a group declared twice: the last)
        self.interface_sites: list[StringSite] = []

    def tag(self, node: object, file: Path) -> None:
        """The spans of ``node`` (a statement of module ``file``) are in ``file``."""
        for span in spans_in(node):
            self.origins[id(span)] = (span, file)

    def file_of(self, span: Span) -> Path | None:
        """The module a span is in (None: the one parsed)."""
        found = self.origins.get(id(span))
        return found[1] if found is not None and found[0] is span else self.current

    def problem(
        self,
        code: ProblemCode,
        message: str,
        span: Span,
        severity: Severity = "error",
        group: str | None = None,
    ) -> None:
        self.problems.append((self.file_of(span), Problem(code, message, span, severity, group)))

    def site(self, group: str | None, literal: Literal) -> StringSite:
        """Record a plugin string site (once per place) and return it."""
        start, end = literal.span.start, literal.span.end
        file = self.file_of(literal.span)
        key = (file, start.line, start.column, end.line, end.column)
        site = self.sites.get(key)
        if site is None or (site.group is None and group is not None):
            site = self.sites[key] = _string_site(group, literal, file)
        return site

    def interface(self, group: str, key: Span, literal: Literal) -> None:
        """Record an ``[spoc.interfaces]`` value string (an entry once it is readable)."""
        site = _string_site(group, literal, None)
        self.interface_sites.append(site)
        if site.value is not None:
            self.interfaces.pop(group, None)
            self.interfaces[group] = InterfaceEntry(group, site.value, key, site)

    def group_span(self, name: str, span: Span) -> None:
        self.group_spans.setdefault(name, {})[span] = None
        self.group_files[id(span)] = (span, self.file_of(span))

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
                provenance = self._provenance(site.span.start, site.file)
                entry = PluginEntry(group.name, site.value, provenance)
                entries.append(entry)
                entry_spans[entry] = site.span
                entry_sites[entry] = site
            key = group.key
            where = (
                self._provenance(key.start, self.group_files.get(id(key), (key, None))[1])
                if key is not None
                else None
            )
            plugin_groups.append(PluginGroup(group.name, tuple(entries), where))
        files = [None, *dict.fromkeys(path for path, _ in self.modules_read)]
        views = [self._view(file, entry_spans, entry_sites) for file in files]
        main = views[0]
        return ParsedConfig(
            source=PluginSource(self.kind, self.file, tuple(plugin_groups)),
            entry_spans=main.entry_spans,
            group_spans=main.group_spans,
            problems=main.problems,
            strings=main.strings,
            key_spans={key: tuple(spans) for key, spans in self.key_spans.items()},
            entry_sites=main.entry_sites,
            contributions=tuple(view for view in views[1:]),
            modules_read=tuple(self.modules_read),
            interfaces=tuple(self.interfaces.values()),
            interface_strings=tuple(self.interface_sites),
        )

    def _view(
        self,
        file: Path | None,
        entry_spans: dict[PluginEntry, Span],
        entry_sites: dict[PluginEntry, StringSite],
    ) -> ParsedConfig:
        """What is written in one module: its entries, sites, group keys and problems."""
        own = self.file if file is None else file
        mine = {e: span for e, span in entry_spans.items() if entry_sites[e].file == file}
        # In file order (groups may be written in pieces), for whoever walks the file.
        in_file_order = sorted(mine.items(), key=lambda item: _span_key(item[1]))
        group_spans = {
            name: tuple(s for s in spans if self.group_files[id(s)][1] == file)
            for name, spans in self.group_spans.items()
        }
        problems = sorted(
            (problem for path, problem in self.problems if path == file),
            key=lambda p: _span_key(p.span),
        )
        return ParsedConfig(
            source=PluginSource(self.kind, own),
            entry_spans=dict(in_file_order),
            group_spans={name: spans for name, spans in group_spans.items() if spans},
            problems=tuple(problems),
            strings=tuple(
                site for key, site in sorted(self.sites.items(), key=_site_key) if key[0] == file
            ),
            entry_sites={e: site for e, site in entry_sites.items() if e in mine},
        )

    def _provenance(self, position: Position, file: Path | None = None) -> Provenance:
        return Provenance(self.kind, file or self.file, position.line + 1, position.column + 1)


def _string_site(group: str | None, literal: Literal, file: Path | None) -> StringSite:
    """A string as written (a half-typed one has no value, nor a map of its pieces)."""
    return StringSite(
        group=group,
        text=literal.raw,
        span=literal.span,
        terminated=literal.terminated,
        value=literal.value if literal.terminated else None,
        pieces=literal.pieces if literal.terminated else (),
        file=file,
    )


def _site_key(item: tuple[tuple[Path | None, int, int, int, int], StringSite]) -> tuple[int, ...]:
    return item[0][1:]


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
