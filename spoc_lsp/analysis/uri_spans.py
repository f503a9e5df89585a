"""From characters of a plugin URI to where they are written, and back: the one path.

The parsers map each character of a URI's value to its source (``StringSite.pieces``: escapes,
concatenated literals, line continuations), and ``ParsedConfig.entry_sites`` keeps the map of
every entry. Squiggles, quick fixes, go to definition and rename all read it through here, so a
URI written with an escape is located exactly, never by counting raw columns.
"""

from __future__ import annotations

from spoc.plugins import PluginEntry
from spoc_lsp.syntax.model import ParsedConfig, Position, Span


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


def _plain(span: Span, uri: str) -> bool:
    return span.start.line == span.end.line and span.end.column - span.start.column == len(uri)
