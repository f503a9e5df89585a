"""A text as the parsers (and the language server) see it: LSP lines, code-point columns.

LSP counts ``\\r\\n``, ``\\r`` and ``\\n`` as line breaks, and columns here are code points.
:class:`LineIndex` is the one implementation of that rule in ``spoc_lsp`` (``spoc_lsp.text``
re-exports it); :class:`SourceText` adds what the lexers and readers need on top.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from spoc_lsp.syntax.model import Position, Span

LINE_BREAK = re.compile(r"\r\n|\r|\n")
BOM = "\ufeff"


class LineIndex:
    """Maps offsets in ``text`` to 0-based (line, column) positions and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        starts.extend(match.end() for match in LINE_BREAK.finditer(text))
        self.line_starts = starts

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_end(self, line: int) -> int:
        """The offset of the end of ``line``'s content (before its line break)."""
        starts = self.line_starts
        if line + 1 < len(starts):
            end = starts[line + 1]
            return end - 2 if self.text.startswith("\r\n", end - 2) else end - 1
        return len(self.text)

    def line_text(self, line: int) -> str:
        """The text of ``line`` without its line break ('' past the end)."""
        if not 0 <= line < len(self.line_starts):
            return ""
        return self.text[self.line_starts[line] : self.line_end(line)]

    def position(self, offset: int) -> Position:
        """The position of an offset (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.line_starts, offset) - 1
        return Position(line, offset - self.line_starts[line])

    def offset(self, position: Position) -> int:
        """The offset of ``position``, clamped into the text and into its line."""
        if position.line < 0:
            return 0
        if position.line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[position.line]
        return start + max(0, min(position.column, self.line_end(position.line) - start))


class SourceText(LineIndex):
    """One text being lexed: its lines, its BOM, and slices by position."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.length = len(text)
        self.has_bom = text.startswith(BOM)

    def line_length(self, line: int) -> int:
        return self.line_end(line) - self.line_starts[line]

    def indent_base(self, line: int) -> int:
        """The column a line's first statement starts at when it is not indented (the BOM)."""
        return 1 if line == 0 and self.has_bom else 0

    def position_at(self, offset: int) -> Position:
        """The position of an offset inside the text (not clamped: the lexers' fast path)."""
        line = bisect_right(self.line_starts, offset) - 1
        return Position(line, offset - self.line_starts[line])

    def offset_of(self, line: int, column: int) -> int:
        """The offset of a position (clamped to the text, not to its line)."""
        if line >= len(self.line_starts):
            return self.length
        offset = self.line_starts[line] + column
        return offset if offset < self.length else self.length

    def span(self, start: tuple[int, int], end: tuple[int, int]) -> Span:
        return Span(Position(*start), Position(*end))

    def slice(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        return self.text[self.offset_of(*start) : self.offset_of(*end)]
