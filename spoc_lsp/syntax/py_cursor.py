"""Moving through the tokens of one Python statement, and the syntax-error bookkeeping.

The expression parser counts every syntax error it meets (``syntax_errors``): a display, call
or subscript with one inside is ``broken``. Recovery skips stray tokens to the next ``,``,
closing bracket or line (:meth:`StatementCursor.skip_garbage`).
"""

from __future__ import annotations

from spoc_lsp.syntax import py_ast
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.syntax.py_statements import AUGMENTED, CLOSERS, OPENERS
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import STRING, UNTERMINATED, WORD, Cursor, Token


class StatementCursor(Cursor):
    """The tokens of one logical statement, the displays open, and the syntax errors met."""

    def __init__(self, source: SourceText, tokens: list[Token]) -> None:
        super().__init__(tokens, tokens[0].start if tokens else Position(0, 0))
        self.source = source
        self.closers: list[str] = []  # closing brackets of the displays being read
        self.depth = 0
        self.syntax_errors = 0  # how many were met so far: a display with one inside is broken

    # (the grammar, in :mod:`py_expressions`: displays read their items with it)

    def expression(self) -> py_ast.Node:
        raise NotImplementedError

    def star_or_expression(self) -> py_ast.Node:
        raise NotImplementedError

    def expression_list(self) -> py_ast.Node:
        raise NotImplementedError

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == WORD and token.text in words

    def span_from(self, start: Position) -> Span:
        end = self.last_end
        if (end.line, end.column) < (start.line, start.column):
            end = start
        return Span(start, end)

    def missing(self, where: Position) -> py_ast.Node:
        """An expression that should be here and is not: a syntax error."""
        self.syntax_errors += 1
        return py_ast.Missing(Span(where, where), broken=True)

    def at_delimiter(self) -> bool:
        token = self.peek()
        if token is None:
            return True
        kind = token.kind
        if kind in (",", ")", "]", "}", ":", "=", ";") or kind in AUGMENTED:
            return True
        return kind == WORD and token.text in ("for", "async")

    def comma(self, after_items: bool) -> None:
        """Take a ',' in a display or call: one with no item before it is a syntax error."""
        previous = self.tokens[self.index - 1] if self.index >= 1 else None
        self.take()
        if not after_items or (previous is not None and previous.kind in (",", *OPENERS)):
            self.syntax_errors += 1

    def starts_dict_item(self) -> bool:
        """Whether the current token begins ``"key":`` while a dict display is open around."""
        token = self.peek()
        following = self.peek(1)
        return (
            token is not None
            and token.kind == STRING
            and following is not None
            and following.kind == ":"
            and "}" in self.closers[:-1]
        )

    def skip_garbage(self) -> None:
        """Skip a stray token and what follows it, to a ',' or closing bracket at this level,
        an unterminated string (a site to keep), or the next line."""
        self.syntax_errors += 1
        if self.at_end():
            return
        self.take()
        level = 0
        while (token := self.peek()) is not None and not token.first_on_line:
            if token.kind == UNTERMINATED:
                return
            if level == 0 and (token.kind == "," or token.kind in CLOSERS):
                return
            if token.kind in OPENERS:
                level += 1
            elif token.kind in CLOSERS:
                level -= 1
            self.take()

    def skip_balanced(self, closer: str) -> bool:
        """Skip to the closing bracket of the display being read; True if it was found."""
        level = 0
        while (token := self.peek()) is not None:
            self.take()
            if token.kind in OPENERS:
                level += 1
            elif token.kind in CLOSERS:
                if level == 0:
                    return token.kind == closer
                level -= 1
        return False
