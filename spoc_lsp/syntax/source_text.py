"""A text as the parsers see it: LSP line breaks, code-point columns, and bytes for tree-sitter.

LSP counts ``\\r\\n``, ``\\r`` and ``\\n`` as line breaks, and columns here are code points.
Tree-sitter reads UTF-8 bytes and reports (row, byte column) points, so this module keeps a
*parse copy* of the text whose bytes line up one for one with the UTF-8 encoding of the
original: lone surrogates become U+FFFD (three bytes either way), a lone ``\\r`` becomes
``\\n`` (so tree-sitter's rows are LSP lines), and repairs overwrite bytes without moving any.
Positions are always computed from the *original* bytes, so they are right whatever the copy
holds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spoc_lsp.syntax.model import Position, Span

_BREAK = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(rb"\r(?!\n)")
# UTF-8 "encodings" of U+D800..U+DFFF, which only ``surrogatepass`` produces.
_SURROGATE = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")
_REPLACEMENT = "\ufffd".encode()
BOM = "\ufeff"


@dataclass(frozen=True)
class ByteEdit:
    """A same-length overwrite of the parse copy, in the terms ``Tree.edit`` wants."""

    start_byte: int
    end_byte: int
    start_point: tuple[int, int]
    end_point: tuple[int, int]


class SourceText:
    """One text: its lines, its bytes, its parse copy, and position conversions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.length = len(text)
        self.data = text.encode("utf-8", "surrogatepass")
        self.is_ascii = len(self.data) == len(text)
        self.has_bom = text.startswith(BOM)
        starts = [0]
        starts.extend(match.end() for match in _BREAK.finditer(text))
        self.line_starts = starts
        if self.is_ascii:
            self.byte_starts = starts
        else:
            byte_starts = [0]
            byte_starts.extend(
                match.end() for match in _BREAK.finditer(self.data.decode("latin-1"))
            )
            self.byte_starts = byte_starts
        copy = _LONE_CR.sub(b"\n", self.data)
        if not self.is_ascii:
            copy = _SURROGATE.sub(_REPLACEMENT, copy)
        self.copy = bytearray(copy)
        self._columns: dict[int, list[int]] = {}

    # --- lines --------------------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_end(self, line: int) -> int:
        """The code-point offset of the end of ``line``'s content (before its line break)."""
        if line + 1 < len(self.line_starts):
            end = self.line_starts[line + 1]
            text = self.text
            if end >= 2 and text[end - 2 : end] == "\r\n":
                return end - 2
            return end - 1
        return len(self.text)

    def line_text(self, line: int) -> str:
        return self.text[self.line_starts[line] : self.line_end(line)]

    def line_length(self, line: int) -> int:
        return self.line_end(line) - self.line_starts[line]

    def indent_base(self, line: int) -> int:
        """The column a line's first statement starts at when it is not indented (the BOM)."""
        return 1 if line == 0 and self.has_bom else 0

    # --- positions ----------------------------------------------------------------------------

    def offset(self, line: int, column: int) -> int:
        """The code-point offset of a position (clamped to the text)."""
        if line >= len(self.line_starts):
            return self.length
        offset = self.line_starts[line] + column
        return offset if offset < self.length else self.length

    def position_at(self, offset: int) -> Position:
        """The position of a code-point offset."""
        line = bisect_right(self.line_starts, offset) - 1
        return Position(line, offset - self.line_starts[line])

    def column(self, line: int, byte_column: int) -> int:
        """The code-point column of a tree-sitter (row, byte column) point."""
        if self.is_ascii or line >= len(self.byte_starts):
            return byte_column
        table = self._columns.get(line)
        if table is None:
            table = self._column_table(line)
            self._columns[line] = table
        if byte_column < len(table):
            return table[byte_column]
        return table[-1] + (byte_column - len(table) + 1)

    def _column_table(self, line: int) -> list[int]:
        start = self.byte_starts[line]
        end = self.byte_starts[line + 1] if line + 1 < len(self.byte_starts) else len(self.data)
        table: list[int] = []
        column = 0
        for byte in self.data[start:end]:
            if byte & 0xC0 != 0x80 and table:  # not a continuation byte: a new code point
                column += 1
            table.append(column)
        table.append(column + 1 if table else 0)
        return table

    def point(self, row: int, byte_column: int) -> tuple[int, int]:
        """A tree-sitter point as (line, code-point column)."""
        return row, self.column(row, byte_column)

    def position(self, point: tuple[int, int]) -> Position:
        """A tree-sitter (row, byte column) point as a position."""
        row, byte_column = point
        if self.is_ascii:
            return Position(row, byte_column)
        return Position(row, self.column(row, byte_column))

    def byte_of(self, line: int, column: int) -> int:
        """The byte offset of a position (for edits of the parse copy)."""
        prefix = self.text[self.line_starts[line] : self.line_starts[line] + column]
        return self.byte_starts[line] + len(prefix.encode("utf-8", "surrogatepass"))

    def span(self, start: tuple[int, int], end: tuple[int, int]) -> Span:
        return Span(Position(*start), Position(*end))

    def slice(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        return self.text[self.offset(*start) : self.offset(*end)]

    # --- the parse copy -----------------------------------------------------------------------

    def overwrite(
        self, start: tuple[int, int], end: tuple[int, int], keep_breaks: bool
    ) -> ByteEdit:
        """Overwrite ``[start, end)`` of the parse copy with ASCII filler of the same length.

        The filler is spaces, or ``x`` when ``keep_breaks`` (a string's content, kept a valid
        string); line breaks are kept so that rows do not move.
        """
        start_byte = self.byte_of(*start)
        end_byte = self.byte_of(*end)
        filler = ord("x") if keep_breaks else ord(" ")
        copy = self.copy
        for index in range(start_byte, end_byte):
            if copy[index] not in (0x0A, 0x0D):
                copy[index] = filler
        start_point = (start[0], start_byte - self.byte_starts[start[0]])
        end_point = (end[0], end_byte - self.byte_starts[end[0]])
        return ByteEdit(start_byte, end_byte, start_point, end_point)
