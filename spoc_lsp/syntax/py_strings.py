"""Python string literals: their value (escapes undone as Python does) and where they end.

Handles every prefix (``r``, ``u``, ``b``, ``f``, ``t`` and their mixes), single and triple
quotes, line continuations inside strings, ``{{``/``}}`` in f-strings. A ``b`` prefix gives
bytes, a ``t`` prefix a Template, an f-string with a placeholder a computed value: none of
them is a plain ``str``, so their ``value`` is ``None`` and ``note`` says why.
"""

from __future__ import annotations

import re
import unicodedata

from spoc_lsp.syntax.literal import (
    NOTE_BYTES,
    NOTE_FSTRING,
    NOTE_TEMPLATE,
    Literal,
    ValueBuilder,
    is_identity,
)
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.syntax.source_text import SourceText

_SIMPLE = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"


def split_opener(text: str) -> tuple[str, str]:
    """The prefix (``rb``...) and the quote (``'``, ``\"\"\"``...) a string token starts with."""
    index = 0
    while index < len(text) and text[index] not in "'\"":
        index += 1
    prefix = text[:index]
    rest = text[index:]
    if rest[:3] in ('"""', "'''"):
        return prefix, rest[:3]
    return prefix, rest[:1]


def decode(text: str, start: Position, end: Position, terminated: bool = True) -> Literal:
    """Read the string token ``text`` running from ``start`` to ``end``.

    An unterminated token runs to the end of its line: its raw content is all of the rest.
    """
    prefix, quote = split_opener(text)
    opener = len(prefix) + len(quote)
    closer = len(quote) if terminated and len(text) >= opener + len(quote) else 0
    raw = text[opener : len(text) - closer]
    content_start = Position(start.line, start.column + opener)
    content_end = Position(end.line, end.column - closer)
    span = Span(content_start, content_end)
    flags = prefix.lower()
    note = NOTE_BYTES if "b" in flags else NOTE_TEMPLATE if "t" in flags else None
    formatted = "f" in flags or "t" in flags
    simple = "\\" not in raw and (not formatted or ("{" not in raw and "}" not in raw))
    if simple and is_identity(raw, span):
        value = raw if note is None else None
        return Literal(raw, span, value, (), terminated, note)
    builder = ValueBuilder(content_start)
    placeholder = _read(builder, raw, raw_string="r" in flags, formatted=formatted)
    if placeholder and note is None:
        note = NOTE_FSTRING
    value = builder.value() if note is None else None
    return Literal(raw, span, value, tuple(builder.pieces), terminated, note, tuple(builder.errors))


def _read(builder: ValueBuilder, raw: str, *, raw_string: bool, formatted: bool) -> bool:
    """Walk ``raw`` into ``builder``; return True when an f-string placeholder was found."""
    index = 0
    length = len(raw)
    run_start = 0
    placeholder = False
    while index < length:
        char = raw[index]
        if char in "\r\n":
            builder.verbatim(raw[run_start:index])
            newline = "\r\n" if raw.startswith("\r\n", index) else char
            builder.line_break(newline, "\n")  # Python reads every line break as "\n"
            index += len(newline)
            run_start = index
        elif char == "\\":
            builder.verbatim(raw[run_start:index])
            index = _escape(builder, raw, index, raw_string=raw_string)
            run_start = index
        elif formatted and char in "{}":
            builder.verbatim(raw[run_start:index])
            if raw.startswith(char * 2, index):
                builder.mapped(char * 2, char)
                index += 2
            else:
                placeholder = True
                builder.mapped(char, char)
                index += 1
            run_start = index
        else:
            index += 1
    builder.verbatim(raw[run_start:index])
    return placeholder


def _escape(builder: ValueBuilder, raw: str, index: int, *, raw_string: bool) -> int:
    """Read the backslash sequence at ``raw[index]``; return the index after it."""
    following = raw[index + 1 : index + 2]
    if following in ("\r", "\n"):
        newline = "\r\n" if raw.startswith("\r\n", index + 1) else following
        if raw_string:  # in a raw string the backslash and the line break both stay
            builder.verbatim("\\")
            builder.line_break(newline, "\n")
        else:  # a line continuation: neither is in the value
            builder.skip("\\")
            builder.line_break(newline, "")
        return index + 1 + len(newline)
    if raw_string:
        # A backslash only stops the next quote from closing the string: it stays.
        builder.verbatim("\\")
        return index + 1
    start = builder.position
    if following in _SIMPLE:
        builder.mapped(raw[index : index + 2], _SIMPLE[following])
        return index + 2
    if following and following in _OCTAL:
        end = index + 1
        while end < len(raw) and end < index + 4 and raw[end] in _OCTAL:
            end += 1
        builder.mapped(raw[index:end], chr(int(raw[index + 1 : end], 8)))
        return end
    size = {"x": 2, "u": 4, "U": 8}.get(following)
    if size is not None:
        digits = raw[index + 2 : index + 2 + size]
        if len(digits) == size and all(digit in _HEX for digit in digits):
            code = int(digits, 16)
            if code <= 0x10FFFF:
                builder.mapped(raw[index : index + 2 + size], chr(code))
                return index + 2 + size
        builder.error(f"invalid escape sequence {raw[index : index + 2]!r}", start)
    if following == "N" and raw.startswith("{", index + 2):
        close = raw.find("}", index + 3)
        if close >= 0:
            try:
                char = unicodedata.lookup(raw[index + 3 : close])
            except KeyError:
                char = None
            if char is not None:
                builder.mapped(raw[index : close + 1], char)
                return close + 1
    # Python keeps an unknown escape as written (with a warning); what follows the backslash
    # is read as usual (in an f-string, "\\{{" is a backslash and a brace).
    builder.verbatim("\\")
    return index + 1


def closing_end(source: SourceText, opener: Position, delimiter: str) -> Position | None:
    """Where a string opened at ``opener`` with ``delimiter`` (prefix and quote) ends, if it does.

    A single-quoted string may go on past a line end only after a backslash.
    """
    _, quote = split_opener(delimiter)
    if not quote:
        return None
    start = source.offset_of(opener.line, opener.column) + len(delimiter)
    end = closing_index(source.text, start, quote)
    return None if end is None else source.position_at(end)


def closing_index(text: str, start: int, quote: str) -> int | None:
    """The offset just after the quote that closes a string whose content starts at ``start``."""
    pattern = _STOPS[quote]
    index = start
    while True:
        match = pattern.search(text, index)
        if match is None:
            return None
        found = match.group()
        if found[0] == "\\":
            index = match.end()
        elif found in ("\r", "\n"):
            return None
        else:
            return match.end()


# What can end (or stop) a string: an escape (skipped), a line break (single quotes), the quote.
_STOPS = {
    quote: re.compile(
        r"\\(?:\r\n|[\s\S])?|" + ("\r|\n|" if len(quote) == 1 else "") + re.escape(quote)
    )
    for quote in ("'", '"', "'''", '"""')
}
