"""Offsets and positions in a text, with the LSP's idea of a line break (``\\r\\n``, ``\\r``,
``\\n``) and columns counted in code points; conversion to UTF-16 or UTF-8 columns too."""

from __future__ import annotations

import bisect
import functools
import re

from spoc_lsp.syntax.model import Position

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Maps offsets in ``text`` to 0-based (line, column) positions and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
        self._starts = starts

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def line_text(self, line: int) -> str:
        """The text of ``line`` without its line break ('' past the end)."""
        if not 0 <= line < len(self._starts):
            return ""
        start = self._starts[line]
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return Position(line, offset - self._starts[line])

    def offset(self, position: Position) -> int:
        """The offset of ``position``, clamped into the text and into its line."""
        if position.line < 0:
            return 0
        if position.line >= len(self._starts):
            return len(self.text)
        start = self._starts[position.line]
        return start + max(0, min(position.column, len(self.line_text(position.line))))


@functools.lru_cache(maxsize=16)
def line_index(text: str) -> LineIndex:
    """The index of ``text``, built once however many layers ask for it (the suppression
    check, the quick fixes and the protocol conversion all read the published texts)."""
    return LineIndex(text)


def to_code_units(line_text: str, column: int, encoding: str) -> int:
    """A code-point column of ``line_text`` as a column in ``encoding`` units (utf-16/utf-8)."""
    prefix = line_text[:column]
    if encoding == "utf-32":
        return len(prefix)
    if encoding == "utf-8":
        return len(prefix.encode("utf-8", errors="surrogatepass"))
    return len(prefix.encode("utf-16-le", errors="surrogatepass")) // 2


def from_code_units(line_text: str, units: int, encoding: str) -> int:
    """A column in ``encoding`` units as a code-point column of ``line_text`` (clamped)."""
    if encoding == "utf-32":
        return max(0, min(units, len(line_text)))
    width = 0
    for index, char in enumerate(line_text):
        if width >= units:
            return index
        if encoding == "utf-8":
            width += len(char.encode("utf-8", errors="surrogatepass"))
        else:
            width += 2 if ord(char) > 0xFFFF else 1
    return len(line_text)
