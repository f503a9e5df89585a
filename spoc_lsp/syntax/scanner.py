"""The scanner loop both lexers share: a whole text to tokens, left to right, without parse state.

A lexer gives one regular expression whose named groups are token classes (``space`` and
``comment`` are dropped; ``quote`` opens a string, which the lexer reads itself), the token kind
of each other group (a group it does not name gives the matched text as kind: punctuation and
operators), and may take over at the start of a line (to skip a stretch it has no use for).
No match is ever empty and the last alternative takes any character, so the loop always moves
on and a text of any content lexes in one pass.
"""

from __future__ import annotations

import re
from typing import ClassVar

from spoc_lsp.syntax.model import Position
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import Token

_DROPPED = ("space", "comment")


class Scanner:
    """Lexes a whole :class:`SourceText` into tokens (see the module docstring)."""

    PATTERN: ClassVar[re.Pattern[str]]
    KINDS: ClassVar[dict[str, str]]

    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.tokens: list[Token] = []

    def string(self, index: int, begin: Position, delimiter: str) -> tuple[Token, int]:
        """The string token opened at offset ``index`` by ``delimiter``, and the offset after it."""
        raise NotImplementedError  # (each lexer reads its own strings)

    def line_start(self, index: int, begin: Position) -> tuple[Token, int] | None:
        """A token standing for a stretch from the first token of a line, and the offset after
        it; None to lex the line as usual."""
        return None

    def run(self) -> list[Token]:
        source = self.source
        text = source.text
        limit = len(text)
        match_at = self.PATTERN.match
        starts = source.line_starts
        kinds = self.KINDS
        tokens = self.tokens
        index = 1 if source.has_bom else 0  # (a BOM is no token)
        last_line = -1
        line = 0  # the line of ``index``, followed as it moves on (no search per token)
        next_start = starts[1] if len(starts) > 1 else limit + 1
        while index < limit:
            match = match_at(text, index)
            if match is None:  # pragma: no cover - the last alternative matches any character
                break
            group = match.lastgroup or ""
            if group in _DROPPED:
                index = match.end()
                continue
            while index >= next_start:
                line += 1
                next_start = starts[line + 1] if line + 1 < len(starts) else limit + 1
            begin = Position(line, index - starts[line])
            first = line > last_line
            if first and (stretch := self.line_start(index, begin)) is not None:
                token, index = stretch
            elif group == "quote":
                token, index = self.string(index, begin, match.group())
            else:
                found = match.group()
                index = match.end()
                # Only a continuation ends on another line than it starts.
                end = (
                    Position(line, index - starts[line])
                    if index < next_start
                    else source.position_at(index)
                )
                token = Token(kinds.get(group, found), found, begin, end)
            token.first_on_line = first
            last_line = token.end.line
            tokens.append(token)
        return tokens
