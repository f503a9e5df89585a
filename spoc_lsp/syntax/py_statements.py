"""Python tokens to logical statements, the way Python's tokenizer splits them, tolerantly.

A statement ends at a line end outside brackets (not after a backslash continuation), or at a
``;``. When brackets are left open, Python would read on to the end of the file; here, a line
that starts in column 0 with what can only begin a new statement — a statement keyword
(``def``, ``import``, ``del``...), ``if ...:``-style headers, or an assignment target followed
by ``=`` where an ``=`` cannot be inside the open bracket — ends the broken statement first.
None of these can start a line inside brackets in valid code, so valid files split exactly as
Python splits them. In a file with a syntax error, so can ``name =`` in parentheses and any line
starting with ``PLUGINS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import CONTINUATION, SKIPPED, WORD, Token

OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {")": "(", "]": "[", "}": "{"}
AUGMENTED = frozenset(
    {"+=", "-=", "*=", "/=", "//=", "%=", "@=", "&=", "|=", "^=", ">>=", "<<=", "**="}
)
_STATEMENT_KEYWORDS = frozenset(
    {
        "def",
        "class",
        "import",
        "from",
        "del",
        "try",
        "while",
        "with",
        "return",
        "raise",
        "assert",
        "global",
        "nonlocal",
        "pass",
        "async",
    }
)
_HEADER_KEYWORDS = frozenset({"if", "elif", "else", "for", "except", "finally", "match", "case"})
COMPOUND_KEYWORDS = frozenset(
    {"if", "elif", "else", "for", "while", "try", "except", "finally", "with", "def", "class"}
    | {"async", "@"}
)


@dataclass
class Statement:
    """One logical statement: its tokens, its indentation, and how it ended."""

    tokens: list[Token]
    indent: int  # the column of its first token, less the BOM's on the first line
    after_semicolon: bool = False  # it follows another statement on the same line


@dataclass
class Skipped:
    """A top-level statement the lexer did not tokenize (it cannot concern PLUGINS)."""


@dataclass
class _Splitter:
    source: SourceText
    tokens: list[Token]
    damaged: bool  # the text has syntax errors: "name =" in parentheses may start a line
    statements: list[Statement | Skipped] = field(default_factory=list)
    current: list[Token] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)
    after_semicolon: bool = False

    def flush(self) -> None:
        if self.current:
            first = self.current[0]
            indent = first.start.column - self.source.indent_base(first.start.line)
            self.statements.append(Statement(self.current, indent, self.after_semicolon))
        self.current = []
        self.stack = []
        self.after_semicolon = False

    def run(self) -> list[Statement | Skipped]:
        continued = False
        for index, token in enumerate(self.tokens):
            if token.kind == SKIPPED:
                self.flush()
                self.statements.append(Skipped())
                continued = False
                continue
            if token.kind == CONTINUATION:
                continued = True
                continue
            if self.current and token.first_on_line and not continued:
                if not self.stack:
                    self.flush()
                elif self.starts_statement(index):
                    self.flush()  # brackets left open: the statement is broken
            continued = False
            if token.kind == ";" and not self.stack:
                self.flush()
                self.after_semicolon = True
                continue
            self.current.append(token)
            self.track(token)
        self.flush()
        return self.statements

    def track(self, token: Token) -> None:
        kind = token.kind
        if kind in OPENERS:
            self.stack.append(kind)
        elif kind in CLOSERS:
            opener = CLOSERS[kind]
            if opener in self.stack:  # close it, and any bracket left open inside it
                while self.stack and self.stack.pop() != opener:
                    pass

    def starts_statement(self, index: int) -> bool:
        """Whether the line at ``tokens[index]`` can only be a new statement (see module doc)."""
        token = self.tokens[index]
        if token.start.column != self.source.indent_base(token.start.line) or token.kind != WORD:
            return False
        word = token.text
        if word in _STATEMENT_KEYWORDS:
            return True
        if word == "PLUGINS" and self.damaged:  # the one name this reader is here for
            return True
        line = _line_tokens(self.tokens, index)
        if word in _HEADER_KEYWORDS:
            return line[-1].kind == ":"
        end = _target_end(line)
        if end is None or end >= len(line):
            return False
        operator = line[end].kind
        bare_name = end == 1
        if self.stack[-1] == "(" and bare_name and not self.damaged:
            return False  # "name=" inside parentheses is a keyword argument (in valid code)
        if operator == "=" or operator in AUGMENTED:
            return True
        return operator == ":" and any(t.kind == "=" for t in line[end + 1 :])


def _line_tokens(tokens: list[Token], index: int) -> list[Token]:
    end = index + 1
    while end < len(tokens) and not tokens[end].first_on_line:
        end += 1
    return tokens[index:end]


def _target_end(line: list[Token]) -> int | None:
    """Where an assignment target at the start of ``line`` ends: ``name(.attr|[...])*``."""
    index = 1
    while index < len(line):
        kind = line[index].kind
        if kind == "." and index + 1 < len(line) and line[index + 1].kind == WORD:
            index += 2
        elif kind == "[":
            depth = 0
            while index < len(line):
                if line[index].kind in OPENERS:
                    depth += 1
                elif line[index].kind in CLOSERS:
                    depth -= 1
                index += 1
                if depth == 0:
                    break
            if depth:
                return None
        else:
            return index
    return index


def split(source: SourceText, tokens: list[Token], damaged: bool) -> list[Statement | Skipped]:
    """Split tokens into logical statements (see the module docstring)."""
    return _Splitter(source, tokens, damaged).run()


def inline_body(statement: Statement) -> list[Token]:
    """The statements after a compound header's ``:`` on its own line (``if x: y = 1``)."""
    depth = 0
    tokens = statement.tokens
    for index, token in enumerate(tokens):
        if token.kind in OPENERS:
            depth += 1
        elif token.kind in CLOSERS:
            depth = max(0, depth - 1)
        elif token.kind == ":" and depth == 0:
            rest = tokens[index + 1 :]
            if rest and rest[0].start.line == token.end.line:
                return rest
            return []
    return []


def is_compound_header(statement: Statement) -> bool:
    """Whether a statement opens a compound statement (``if x:``, ``def f():``, ``@deco``...)."""

    first = statement.tokens[0]
    if first.kind == "@" or (first.kind == WORD and first.text in COMPOUND_KEYWORDS):
        return True
    if first.kind == WORD and first.text in ("match", "case"):
        return statement.tokens[-1].kind == ":" or bool(inline_body(statement))
    return False
