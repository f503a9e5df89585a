"""TOML text to tokens, in one pass and without parse state (see :mod:`scanner`).

A token is what the text at hand can only be; whether a word is a key or a value is left to
the reader. A string runs to its closing quote or, unterminated, to the end of its line.
"""

from __future__ import annotations

import re
from typing import ClassVar

from spoc_lsp.syntax import toml_strings
from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.syntax.scanner import Scanner
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import GARBAGE, SCALAR, STRING, UNTERMINATED, WORD, Token


class _TomlScanner(Scanner):
    PATTERN: ClassVar[re.Pattern[str]] = re.compile(
        r"""
        (?P<space>[ \t\r\n]+)
        |(?P<comment>\#[^\x00-\x08\x0a-\x1f\x7f]*)  # (a control character ends it: an error)
        |(?P<quote>\"\"\"|'''|"|')
        |(?P<date>\d{4}-\d{2}-\d{2}
            (?:[Tt\ ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?)
        |(?P<scalar>[+-]?[0-9][0-9A-Za-z_.:+-]*|[+-](?:inf|nan))
        |(?P<word>[A-Za-z0-9_-]+)
        |(?P<punctuation>\[\[|\]\]|[\[\]{}=.,])
        |(?P<other>[^\s\[\]{}=.,\#"']+|.)
        """,
        re.VERBOSE | re.DOTALL,
    )
    KINDS: ClassVar[dict[str, str]] = {
        "date": SCALAR,
        "scalar": SCALAR,
        "word": WORD,
        "other": GARBAGE,
    }

    def string(self, index: int, begin: Position, delimiter: str) -> tuple[Token, int]:
        source = self.source
        content = index + len(delimiter)
        close = toml_strings.closing_index(source.text, content, delimiter)
        if close is None:
            line_end = source.line_end(begin.line)
            end = source.position_at(line_end)
            raw = source.text[content:line_end]
            literal = Literal(raw, Span(source.position_at(content), end), None, terminated=False)
            return Token(UNTERMINATED, delimiter + raw, begin, end, literal=literal), line_end
        end = source.position_at(close)
        text = source.text[index:close]
        literal = toml_strings.decode(text, begin, end)
        return Token(STRING, text, begin, end, literal=literal), close


def lex(source: SourceText) -> list[Token]:
    """The tokens of a TOML text, comments and blanks left out."""
    return _TomlScanner(source).run()
