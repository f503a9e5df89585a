"""A string literal as written and as read: its raw content, its value, and the map between.

Both decoders (TOML and Python) build values with :class:`ValueBuilder`, which records where
each run of value characters came from, so a problem at offset ``n`` of a URI can be shown at
the right place even when the URI was written with escapes or in several pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

from spoc_lsp.syntax.model import Piece, Position, Span

# Why a literal has no usable ``str`` value (or is not a plain ``str``).
NOTE_BYTES = "bytes"
NOTE_MIXED = "mixed"  # bytes and str literals side by side: a SyntaxError in Python
NOTE_FSTRING = "fstring"  # an f-string with placeholders: computed
NOTE_TEMPLATE = "template"  # a t-string: a Template, not a str


@dataclass(frozen=True)
class Literal:
    """One string literal (or several adjacent ones, in Python), decoded."""

    raw: str  # the characters between the delimiters (to the line end when unterminated)
    span: Span  # of ``raw``
    value: str | None  # the unescaped value; ``None`` when it is not a plain ``str``
    pieces: tuple[Piece, ...] = ()  # empty when ``value == raw`` on one line
    terminated: bool = True
    note: str | None = None
    errors: tuple[tuple[str, Span], ...] = ()  # invalid escapes and the like


def is_identity(raw: str, span: Span) -> bool:
    """True when a raw content that is its own value needs no piece map."""
    return span.start.line == span.end.line and "\n" not in raw and "\r" not in raw


class ValueBuilder:
    """Accumulates a value and its pieces while a decoder walks raw content."""

    def __init__(self, start: Position) -> None:
        self.parts: list[str] = []
        self.pieces: list[Piece] = []
        self.length = 0
        self.line = start.line
        self.column = start.column
        self.errors: list[tuple[str, Span]] = []

    @property
    def position(self) -> Position:
        return Position(self.line, self.column)

    def verbatim(self, chunk: str) -> None:
        """Source characters that are value characters one for one (no line breaks)."""
        if not chunk:
            return
        start = self.position
        self.column += len(chunk)
        self.pieces.append(Piece(self.length, start, self.position, True))
        self.parts.append(chunk)
        self.length += len(chunk)

    def mapped(self, source: str, value: str) -> None:
        """Source characters (no line breaks) standing for ``value`` as a whole."""
        start = self.position
        self.column += len(source)
        if value:
            self.pieces.append(Piece(self.length, start, self.position, False))
            self.parts.append(value)
            self.length += len(value)

    def line_break(self, source: str, value: str) -> None:
        """A line break in the source (``source`` is it), giving ``value`` (maybe empty)."""
        start = self.position
        self.line += 1
        self.column = 0
        if value:
            self.pieces.append(Piece(self.length, start, self.position, False))
            self.parts.append(value)
            self.length += len(value)

    def skip(self, source: str) -> None:
        """Source characters (no line breaks) that give no value characters."""
        self.column += len(source)

    def error(self, message: str, start: Position) -> None:
        self.errors.append((message, Span(start, self.position)))

    def value(self) -> str:
        return "".join(self.parts)


def concatenate(parts: list[Literal], raw: str) -> Literal:
    """Adjacent literals read as one (Python's implicit concatenation)."""
    first, last = parts[0], parts[-1]
    span = Span(first.span.start, last.span.end)
    notes = {part.note for part in parts}
    kinds = {part.note == NOTE_BYTES for part in parts}
    note: str | None
    if len(kinds) > 1:
        note = NOTE_MIXED
    elif NOTE_BYTES in notes:
        note = NOTE_BYTES
    elif NOTE_TEMPLATE in notes:
        note = NOTE_TEMPLATE
    elif NOTE_FSTRING in notes:
        note = NOTE_FSTRING
    else:
        note = None
    pieces: list[Piece] = []
    values: list[str] = []
    offset = 0
    for part in parts:
        text = part.value if part.value is not None else part.raw
        if part.pieces:
            pieces.extend(
                Piece(piece.value_offset + offset, piece.start, piece.end, piece.verbatim)
                for piece in part.pieces
            )
        elif text:
            pieces.append(Piece(offset, part.span.start, part.span.end, True))
        values.append(text)
        offset += len(text)
    value = "".join(values) if note is None else None
    errors = tuple(error for part in parts for error in part.errors)
    return Literal(raw, span, value, tuple(pieces), True, note, errors)
