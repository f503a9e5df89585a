"""Where part of a listed URI is written in its config file, through the parser's own map from
value characters to source (``StringSite.pieces``), so escapes and concatenated pieces land on
the characters that really spell them.

``segment_span`` is for pointing (a placeholder, a hit test); ``rewritable_span`` is for
editing: it answers only when overwriting that source range with new plain text leaves the
rest of the string's value as it was.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from spoc.plugins import PluginEntry
from spoc_lsp.analysis.check import ProjectAnalysis
from spoc_lsp.syntax.model import ParsedConfig, Position, Span, StringSite


def segment_range(uri: str, segment: int) -> tuple[int, int]:
    """The value offset and length of dot-separated segment ``segment`` of ``uri``."""
    parts = uri.split(".")
    return sum(len(part) + 1 for part in parts[:segment]), len(parts[segment])


def segment_span(analysis: ProjectAnalysis, file: Path, entry: PluginEntry, segment: int) -> Span:
    """The source range spelling segment ``segment`` of ``entry.uri`` (the whole string when
    the file keeps no map for it)."""
    parsed = analysis.parsed[file]
    offset, length = segment_range(entry.uri, segment)
    found = parsed.value_span(entry, offset, length)
    return found if found is not None else parsed.entry_spans[entry]


def rewritable_span(
    analysis: ProjectAnalysis, file: Path, entry: PluginEntry, offset: int, length: int
) -> Span | None:
    """The source range to overwrite to replace ``entry.uri[offset:offset + length]``, or
    ``None`` when those characters are not one unbroken stretch of a single string (split
    over concatenated pieces or a line continuation, or sharing an escape with neighbours)."""
    parsed = analysis.parsed.get(file)
    if parsed is None or length <= 0:
        return None
    site = parsed.entry_sites.get(entry)
    if site is None:
        return _verbatim(parsed, entry, offset, length)
    value = site.value if site.value is not None else site.text
    if value != entry.uri or offset + length > len(value):
        return None
    chars = [site.span_of(index, 1) for index in range(offset, offset + length)]
    for before, after in pairwise(chars):
        if after.start > before.end:  # a gap: a closing quote, a continuation, a comment
            return None
    span = Span(chars[0].start, max(char.end for char in chars))
    if not _alone(site, value, offset, length, span):
        return None
    return span


def _alone(site: StringSite, value: str, offset: int, length: int, span: Span) -> bool:
    """No value character outside the stretch is written inside ``span``."""
    if offset > 0 and site.span_of(offset - 1, 1).end > span.start:
        return False
    end = offset + length
    return not (end < len(value) and site.span_of(end, 1).start < span.end)


def _verbatim(parsed: ParsedConfig, entry: PluginEntry, offset: int, length: int) -> Span | None:
    """Without a map: only a string written on one line exactly as its value."""
    span = parsed.entry_spans.get(entry)
    if span is None or span.start.line != span.end.line:
        return None
    if span.end.column - span.start.column != len(entry.uri):
        return None
    start = Position(span.start.line, span.start.column + offset)
    return Span(start, Position(start.line, start.column + length))
