"""Python text to tokens, in one pass and without parse state (see :mod:`scanner`).

Names, numbers, operators, brackets, strings with any prefix (an unterminated one runs to the
end of its line), backslash continuations. It simplifies one thing: an f-string with a nested
string of the same quote (Python 3.12+) ends at the inner quote. A top-level statement that
cannot concern ``PLUGINS`` is not tokenized at all (see :mod:`py_skip`): it becomes one SKIPPED
token, so a module of 3,000 functions costs little more than a scan for brackets and quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from spoc_lsp.syntax import py_skip, py_strings
from spoc_lsp.syntax.model import Position
from spoc_lsp.syntax.scanner import Scanner
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import (
    CONTINUATION,
    GARBAGE,
    SCALAR,
    SKIPPED,
    STRING,
    UNTERMINATED,
    WORD,
    Token,
)

_CLOSERS = {")": "(", "]": "[", "}": "{"}
_NAME = re.compile(r"[^\W\d]\w*")


@dataclass
class PythonTokens:
    """The tokens of a Python text, and whether it has a syntax error a lexer can see (an
    unterminated string, a stray character, brackets that do not match)."""

    tokens: list[Token]
    damaged: bool


class _PythonScanner(Scanner):
    PATTERN: ClassVar[re.Pattern[str]] = re.compile(
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
    KINDS: ClassVar[dict[str, str]] = {
        "continuation": CONTINUATION,
        "number": SCALAR,
        "name": WORD,
        "other": GARBAGE,
    }

    def __init__(self, source: SourceText) -> None:
        super().__init__(source)
        self.brackets: list[str] = []  # the brackets open after the tokens counted so far
        self.counted = 0
        self.damaged = False
        self.bound: set[str] = set()  # the first names of the top-level statements lexed

    def string(self, index: int, begin: Position, delimiter: str) -> tuple[Token, int]:
        source = self.source
        _, quote = py_strings.split_opener(delimiter)
        close = py_strings.closing_index(source.text, index + len(delimiter), quote)
        if close is None:
            line_end = source.line_end(begin.line)
            end = source.position_at(line_end)
            text = source.text[index:line_end]
            literal = py_strings.decode(text, begin, end, terminated=False)
            return Token(UNTERMINATED, text, begin, end, literal=literal), line_end
        end = source.position_at(close)
        text = source.text[index:close]
        return Token(STRING, text, begin, end, literal=py_strings.decode(text, begin, end)), close

    def line_start(self, index: int, begin: Position) -> tuple[Token, int] | None:
        self.count_brackets()
        tokens = self.tokens
        if self.brackets or (tokens and tokens[-1].kind == CONTINUATION):
            return None
        if begin.column != self.source.indent_base(begin.line):
            return None
        text = self.source.text
        end = py_skip.skippable_end(text, index, self.bound)
        if end is None:
            name = _NAME.match(text, index)
            if name is not None:  # (it may bind it: "BASE = [...]", "BASE.append(...)")
                self.bound.add(name.group())
            return None
        last = index + len(text[index:end].rstrip())  # (the span ends on its last line)
        return Token(SKIPPED, "", begin, self.source.position_at(last)), end

    def count_brackets(self) -> None:
        """Follow the brackets (and note the damage) of the tokens not counted yet."""
        brackets = self.brackets
        tokens = self.tokens
        for index in range(self.counted, len(tokens)):
            kind = tokens[index].kind
            if kind in ("(", "[", "{"):
                brackets.append(kind)
            elif kind in _CLOSERS:
                if not brackets or brackets.pop() != _CLOSERS[kind]:
                    self.damaged = True
            elif kind in (UNTERMINATED, GARBAGE):
                self.damaged = True
        self.counted = len(tokens)


def lex(source: SourceText) -> PythonTokens:
    """The tokens of a Python text, comments and blanks left out, irrelevant statements skipped."""
    scanner = _PythonScanner(source)
    tokens = scanner.run()
    scanner.count_brackets()
    return PythonTokens(tokens, scanner.damaged or bool(scanner.brackets))
