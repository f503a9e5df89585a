"""The tokens the tolerant readers work on, as the lexers (:mod:`scanner`) make them."""

from __future__ import annotations

from dataclasses import dataclass

from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import Position, Span

# Token kinds shared by both languages; punctuation and operators use their own text as kind.
STRING = "string"  # a complete string literal: ``literal`` holds it decoded
UNTERMINATED = "unterminated"  # a string with no closing quote, to the end of its line
WORD = "word"  # a TOML bare key or a Python name or keyword
SCALAR = "scalar"  # a TOML number, boolean or date; a Python number
GARBAGE = "garbage"  # text that is no token of the language
SKIPPED = "skipped"  # a whole top-level statement the reader has no use for
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


class Cursor:
    """Reading a token list left to right: the readers' shared moves."""

    def __init__(self, tokens: list[Token], start: Position) -> None:
        self.tokens = tokens
        self.index = 0
        self.last_end = start  # the end of the last token taken

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.index + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        self.last_end = token.end
        return token

    def at(self, kind: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == kind

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)
