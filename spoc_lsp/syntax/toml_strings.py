"""TOML string literals: their value (escapes undone) and where they end.

The four kinds: ``"basic"``, ``'literal'``, ``\"\"\"multi-line basic\"\"\"`` and
``'''multi-line literal'''``. Invalid escapes and control characters are reported as errors
and kept in the value as written, so a broken string still has a value to show. The escapes
are TOML 1.0's, plus TOML 1.1's ``\\e`` and ``\\xHH`` when the runtime's parser reads them
(``tomli`` does on Python 3.10, ``tomllib`` does not).
"""

from __future__ import annotations

import re

from spoc_lsp.syntax import toml_runtime
from spoc_lsp.syntax.literal import Literal, ValueBuilder, is_identity
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.syntax.source_text import SourceText

_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_NEEDS_CARE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HEX = re.compile(r"[0-9A-Fa-f]+")


def delimiter_of(text: str) -> str:
    """The opening delimiter of a TOML string token."""
    for delimiter in ('"""', "'''", '"', "'"):
        if text.startswith(delimiter):
            return delimiter
    return ""


def decode(text: str, start: Position, end: Position) -> Literal:
    """Read a complete TOML string token ``text`` that runs from ``start`` to ``end``."""
    delimiter = delimiter_of(text)
    size = len(delimiter)
    if size == 0 or len(text) < 2 * size:
        content = Position(start.line, start.column + size)
        return Literal(text[size:], Span(content, end), None, terminated=False)
    raw = text[size : len(text) - size]
    content_start = Position(start.line, start.column + size)
    content_end = Position(end.line, end.column - size)
    span = Span(content_start, content_end)
    if not _NEEDS_CARE.search(raw) and is_identity(raw, span):
        return Literal(raw, span, raw)
    builder = ValueBuilder(content_start)
    _read(builder, raw, basic=delimiter[0] == '"', multiline=size == 3)
    return Literal(raw, span, builder.value(), tuple(builder.pieces), errors=tuple(builder.errors))


def _read(builder: ValueBuilder, raw: str, *, basic: bool, multiline: bool) -> None:
    index = 0
    length = len(raw)
    if multiline:  # a line break right after the opening delimiter is not part of the value
        for newline in ("\r\n", "\n", "\r"):
            if raw.startswith(newline):
                builder.line_break(newline, "")
                index = len(newline)
                break
    run_start = index
    while index < length:
        char = raw[index]
        if char in "\r\n" or (basic and char == "\\") or _CONTROL.match(char):
            builder.verbatim(raw[run_start:index])
            index = _special(builder, raw, index, basic=basic, multiline=multiline)
            run_start = index
            continue
        index += 1
    builder.verbatim(raw[run_start:index])


def _special(builder: ValueBuilder, raw: str, index: int, *, basic: bool, multiline: bool) -> int:
    """Read one escape, line break or control character at ``raw[index]``; return the next index."""
    char = raw[index]
    if char in "\r\n":
        newline = "\r\n" if raw.startswith("\r\n", index) else char
        builder.line_break(newline, "\n")
        if not multiline:
            builder.error("invalid TOML: line break in a single-line string", builder.position)
        return index + len(newline)
    if char != "\\":
        start = builder.position
        builder.mapped(char, char)
        builder.error(f"invalid TOML: control character {char!r} in a string", start)
        return index + 1
    start = builder.position
    following = raw[index + 1 : index + 2]
    if following in _SIMPLE_ESCAPES:
        builder.mapped(raw[index : index + 2], _SIMPLE_ESCAPES[following])
        return index + 2
    toml_11 = toml_runtime.has_toml_11_escapes()
    if following == "e" and toml_11:
        builder.mapped(raw[index : index + 2], "\x1b")
        return index + 2
    if following in ("u", "U") or (following == "x" and toml_11):
        size = {"u": 4, "U": 8, "x": 2}[following]
        digits = raw[index + 2 : index + 2 + size]
        if len(digits) == size and _HEX.fullmatch(digits):
            code = int(digits, 16)
            if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                builder.mapped(raw[index : index + 2 + size], chr(code))
                return index + 2 + size
    if multiline and basic:
        end = _line_ending_backslash(raw, index)
        if end is not None:
            return _trim(builder, raw, index, end)
    escape = raw[index : index + 2]
    builder.mapped(escape, escape)
    builder.error(f"invalid TOML: invalid escape sequence {escape!r}", start)
    return index + len(escape)


def _line_ending_backslash(raw: str, index: int) -> int | None:
    """Where the whitespace after a line-ending backslash ends, if ``raw[index]`` is one."""
    cursor = index + 1
    while cursor < len(raw) and raw[cursor] in " \t":
        cursor += 1
    if cursor < len(raw) and raw[cursor] in "\r\n":
        return cursor
    return None


def _trim(builder: ValueBuilder, raw: str, index: int, newline_at: int) -> int:
    """Drop a line-ending backslash and all whitespace and line breaks after it."""
    builder.skip(raw[index:newline_at])
    cursor = newline_at
    while cursor < len(raw) and raw[cursor] in " \t\r\n":
        if raw[cursor] in "\r\n":
            newline = "\r\n" if raw.startswith("\r\n", cursor) else raw[cursor]
            builder.line_break(newline, "")
            cursor += len(newline)
        else:
            builder.skip(raw[cursor])
            cursor += 1
    return cursor


def closing_end(source: SourceText, opener: Position, delimiter: str) -> Position | None:
    """Where a string opened at ``opener`` ends (after its closing delimiter), if it does."""
    start = source.offset_of(opener.line, opener.column) + len(delimiter)
    end = closing_index(source.text, start, delimiter)
    return None if end is None else source.position_at(end)


def closing_index(text: str, start: int, delimiter: str) -> int | None:
    """The offset after the delimiter that closes a string whose content starts at ``start``.

    Single-line strings must close on their line; multi-line ones may close anywhere later.
    """
    quote = delimiter[0]
    basic = quote == '"'
    length = len(text)
    if len(delimiter) == 1:
        index = start
        while index < length:
            char = text[index]
            if char in "\r\n":
                return None
            if basic and char == "\\":
                if text[index + 1 : index + 2] in ("\r", "\n"):
                    return None  # (a line-ending backslash continues only multi-line strings)
                index += 2
                continue
            if char == quote:
                return index + 1
            index += 1
        return None
    index = start
    while index < length:
        found = text.find(delimiter, index)
        if found < 0:
            return None
        if basic:
            escaped = _escaped_quote_before(text, index, found)
            if escaped is not None:
                index = escaped
                continue
        end = found + 3
        extra = 0
        while extra < 2 and end < length and text[end] == quote:
            end += 1
            extra += 1
        return end
    return None


def _escaped_quote_before(text: str, start: int, found: int) -> int | None:
    """Where to search on if an escape in ``text[start:found]`` hides the quote at ``found``."""
    index = start
    while index < found:
        if text[index] == "\\":
            if index + 1 == found:
                return found + 1
            index += 2
            continue
        index += 1
    return None
