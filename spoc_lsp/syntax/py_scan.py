"""A small Python scanner for the stretches tree-sitter lexed while recovering from an error.

It needs no parse state: names, numbers, operators, brackets, strings with any prefix (an
unterminated one runs to the end of its line), backslash continuations. The one thing it
simplifies is an f-string with a nested string of the same quote (Python 3.12+), which it
ends at the inner quote.
"""

from __future__ import annotations

import re

from spoc_lsp.syntax import py_strings
from spoc_lsp.syntax.model import Position
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import (
    CONTINUATION,
    GARBAGE,
    SCALAR,
    STRING,
    UNTERMINATED,
    WORD,
    Token,
)

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\f\r\n]+)
    |(?P<continuation>\\(?:\r\n|\r|\n))
    |(?P<comment>\#[^\r\n]*)
    |(?P<quote>(?:[rRbBuUfFtT]{1,2})?(?:\"\"\"|'''|"|'))
    |(?P<number>0[xXoObB][0-9a-fA-F_]+|(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?[jJ]?)
    |(?P<name>[^\W\d]\w*)
    |(?P<operator>\*\*=|//=|>>=|<<=|\.\.\.|->|:=|[-+*/%@&|^<>=!]=|\*\*|//|<<|>>|<>|[-+*/%@&|^~<>()\[\]{},:;.=])
    |(?P<other>.)
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
                "continuation": CONTINUATION,
                "number": SCALAR,
                "name": WORD,
                "other": GARBAGE,
            }.get(kind or "", match.group())
            token = Token(token_kind, match.group(), begin, stop)
        tokens.append(token)
        index = source.offset(token.end.line, token.end.column)
    return tokens


def _string(source: SourceText, begin: Position, delimiter: str) -> Token:
    close = py_strings.closing_end(source, begin, delimiter)
    if close is None:
        line_end = Position(begin.line, source.line_length(begin.line))
        text = source.slice((begin.line, begin.column), (line_end.line, line_end.column))
        literal = py_strings.decode(text, begin, line_end, terminated=False)
        return Token(UNTERMINATED, text, begin, line_end, literal=literal)
    text = source.slice((begin.line, begin.column), (close.line, close.column))
    return Token(STRING, text, begin, close, literal=py_strings.decode(text, begin, close))
