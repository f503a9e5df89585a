"""A small TOML scanner for the stretches tree-sitter lexed while recovering from an error.

It needs no parse state: a token is what the text at hand can only be. A string runs to its
closing quote (or, unterminated, to the end of its line).
"""

from __future__ import annotations

import re

from spoc_lsp.syntax import toml_strings
from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import GARBAGE, SCALAR, STRING, UNTERMINATED, WORD, Token

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
    |(?P<comment>\#[^\r\n]*)
    |(?P<quote>\"\"\"|'''|"|')
    |(?P<date>\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?)
    |(?P<scalar>[+-]?[0-9][0-9A-Za-z_.:+-]*|[+-](?:inf|nan))
    |(?P<word>[A-Za-z0-9_-]+)
    |(?P<punctuation>\[\[|\]\]|[\[\]{}=.,])
    |(?P<other>[^\s\[\]{}=.,\#"']+|.)
    """,
    re.VERBOSE | re.DOTALL,
)


def scan(source: SourceText, start: Position, end: Position) -> list[Token]:
    """The tokens of the text from ``start`` to ``end`` (a string may run past ``end``)."""
    text = source.text
    index = source.offset(start.line, start.column)
    limit = source.offset(end.line, end.column)
    tokens: list[Token] = []
    while index < limit:
        match = _TOKEN.match(text, index)
        if match is None:  # pragma: no cover - the last alternative matches any character
            break
        kind = match.lastgroup
        if kind in ("space", "comment"):
            index = match.end()
            continue
        begin = source.position_at(index)
        if kind == "quote":
            token = _string(source, begin, match.group())
        else:
            stop = source.position_at(match.end())
            token_kind = {
                "date": SCALAR,
                "scalar": SCALAR,
                "word": WORD,
                "other": GARBAGE,
            }.get(kind or "", match.group())
            token = Token(token_kind, match.group(), begin, stop)
        tokens.append(token)
        index = source.offset(token.end.line, token.end.column)
    return tokens


def _string(source: SourceText, begin: Position, delimiter: str) -> Token:
    close = toml_strings.closing_end(source, begin, delimiter)
    if close is None:
        content = Position(begin.line, begin.column + len(delimiter))
        line_end = Position(begin.line, source.line_length(begin.line))
        raw = source.slice((content.line, content.column), (line_end.line, line_end.column))
        literal = Literal(raw, Span(content, line_end), None, terminated=False)
        return Token(UNTERMINATED, delimiter + raw, begin, line_end, literal=literal)
    text = source.slice((begin.line, begin.column), (close.line, close.column))
    return Token(STRING, text, begin, close, literal=toml_strings.decode(text, begin, close))
