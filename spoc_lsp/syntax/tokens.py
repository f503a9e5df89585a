"""The tokens the tolerant readers work on, made from tree-sitter leaves (and repairs)."""

from __future__ import annotations

from dataclasses import dataclass

from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import Position, Span

# Token kinds shared by both languages; punctuation and operators use their own text as kind.
STRING = "string"  # a complete string literal: ``literal`` holds it decoded
UNTERMINATED = "unterminated"  # a string with no closing quote, to the end of its line
WORD = "word"  # a TOML bare key or a Python name or keyword
SCALAR = "scalar"  # a TOML number, boolean or date; a Python number
GARBAGE = "garbage"  # text tree-sitter could not make a token of
SKIPPED = "skipped"  # a whole top-level statement the reader has no use for
SKIPPED_TABLE = "skipped-table"  # a whole TOML table (header and pairs) of no interest
CONTINUATION = "continuation"  # a Python backslash line continuation


@dataclass(slots=True)
class Token:
    """One token: its kind, its text, where it is, and whether it starts its line."""

    kind: str
    text: str
    start: Position
    end: Position
    first_on_line: bool = False
    literal: Literal | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def mark_line_starts(tokens: list[Token]) -> None:
    """Set ``first_on_line`` on each token that starts after the previous one's last line."""
    previous_line = -1
    for token in tokens:
        token.first_on_line = token.start.line > previous_line
        previous_line = token.end.line
