"""From characters of a plugin URI to where they are written, and back: the one path.

The parsers map each character of a URI's value to its source (``StringSite.pieces``: escapes,
concatenated literals, line continuations), and ``ParsedConfig.entry_sites`` keeps the map of
every entry. Squiggles, quick fixes, go to definition and rename all read it through here, so a
URI written with an escape is located exactly, never by counting raw columns.

``segment_span`` and ``value_span`` are for pointing (a squiggle, a hit test);
``rewritable_span`` is for editing: it answers only when overwriting that source range with new
plain text leaves the rest of the string's value as it was.
"""

from __future__ import annotations

from itertools import pairwise

from spoc.plugins import PluginEntry
from spoc_lsp.syntax.model import ParsedConfig, Position, Span, StringSite


def segment_range(uri: str, segment: int) -> tuple[int, int] | None:
    """``(offset, length)`` of dotted segment ``segment`` in ``uri``."""
    parts = uri.split(".")
    if not 0 <= segment < len(parts):
        return None
    offset = sum(len(part) + 1 for part in parts[:segment])
    return offset, len(parts[segment])


def value_span(parsed: ParsedConfig, entry: PluginEntry, offset: int, length: int) -> Span | None:
    """The source range of ``entry.uri[offset:offset + length]``, or ``None`` when the parser
    kept no map for the entry and its text is not the URI written plainly on one line."""
    site = parsed.entry_sites.get(entry)
    if site is not None:
        return site.span_of(offset, length)
    span = parsed.entry_spans.get(entry)
    if span is None or not _plain(span, entry.uri):
        return None
    start = span.start.column + offset
    return Span(Position(span.start.line, start), Position(span.start.line, start + length))


def segment_span(parsed: ParsedConfig, entry: PluginEntry, segment: int) -> Span | None:
    """The source range of dotted segment ``segment`` of ``entry.uri``."""
    found = segment_range(entry.uri, segment)
    return value_span(parsed, entry, *found) if found is not None else None


def offset_at(parsed: ParsedConfig, entry: PluginEntry, position: Position) -> int | None:
    """Which character of ``entry.uri`` is written at ``position`` (``len(uri)`` right after
    the last one); ``None`` when the position is not inside the entry's string."""
    uri = entry.uri
    site = parsed.entry_sites.get(entry)
    if site is None:
        span = parsed.entry_spans.get(entry)
        if span is None or not _plain(span, uri) or not span.contains(position):
            return None
        return position.column - span.start.column
    for offset in range(len(uri)):
        written = site.span_of(offset, 1)
        if written.start <= position < written.end:
            return offset
    return len(uri) if site.position_of(len(uri)) == position else None


def segment_at(parsed: ParsedConfig, entry: PluginEntry, position: Position) -> int | None:
    """Index of the dotted segment of ``entry.uri`` written at ``position``."""
    offset = offset_at(parsed, entry, position)
    return entry.uri[:offset].count(".") if offset is not None else None


def rewritable_span(
    parsed: ParsedConfig | None, entry: PluginEntry, offset: int, length: int
) -> Span | None:
    """The source range to overwrite to replace ``entry.uri[offset:offset + length]``, or
    ``None`` when those characters are not one unbroken stretch of a single string (split
    over concatenated pieces or a line continuation, or sharing an escape with neighbours)."""
    if parsed is None or length <= 0:
        return None
    site = parsed.entry_sites.get(entry)
    if site is None:
        return value_span(parsed, entry, offset, length)
    value = site.value if site.value is not None else site.text
    if value != entry.uri or offset + length > len(value):
        return None
    chars = [site.span_of(index, 1) for index in range(offset, offset + length)]
    for before, after in pairwise(chars):
        if after.start > before.end:  # a gap: a closing quote, a continuation, a comment
            return None
    span = Span(chars[0].start, max(char.end for char in chars))
    return span if _alone(site, value, offset, length, span) else None


def _alone(site: StringSite, value: str, offset: int, length: int, span: Span) -> bool:
    """No value character outside the stretch is written inside ``span``."""
    if offset > 0 and site.span_of(offset - 1, 1).end > span.start:
        return False
    end = offset + length
    return not (end < len(value) and site.span_of(end, 1).start < span.end)


def _plain(span: Span, uri: str) -> bool:
    return span.start.line == span.end.line and span.end.column - span.start.column == len(uri)
