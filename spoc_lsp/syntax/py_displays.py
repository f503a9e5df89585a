"""Displays, calls and subscripts of the tolerant Python expression parser.

On a syntax error a display never gives up on what came before: it keeps the items read so far,
and an item a syntax error is in or right after is read as the literal it starts with (see
:func:`py_ast.salvage`); a display left open ends where a new dict item starts a line.
"""

from __future__ import annotations

from spoc_lsp.syntax import py_ast
from spoc_lsp.syntax.model import Position
from spoc_lsp.syntax.py_cursor import StatementCursor
from spoc_lsp.syntax.py_statements import CLOSERS, OPENERS
from spoc_lsp.syntax.tokens import WORD, Token

MAX_DEPTH = 100


class DisplayParser(StatementCursor):
    """Lists, tuples, sets, dicts, call arguments and subscripts."""

    def display(self) -> py_ast.Node:
        opener = self.take()
        closer = OPENERS[opener.kind]
        if self.depth >= MAX_DEPTH:
            self.skip_balanced(closer)
            return py_ast.Opaque(self.span_from(opener.start), broken=True)
        self.depth += 1
        self.closers.append(closer)
        try:
            if opener.kind == "{":
                return self.brace_display(opener)
            return self.sequence_display(opener, closer)
        finally:
            self.closers.pop()
            self.depth -= 1

    def sequence_display(self, opener: Token, closer: str) -> py_ast.Node:
        errors = self.syntax_errors
        items: list[py_ast.Node] = []
        saw_comma = False
        comprehension = False
        expect_item = True
        closed = False
        while True:
            token = self.peek()
            if token is None:
                break
            if token.kind == closer:
                self.take()
                closed = True
                break
            if token.kind in CLOSERS:
                if CLOSERS[token.kind] != opener.kind and token.kind in self.closers[:-1]:
                    break  # it closes a display around this one: this one is not closed
                self.take()  # a stray closing bracket: a syntax error right after the last item
                self.syntax_errors += 1
                if items and not expect_item:
                    items[-1] = py_ast.salvage(items[-1])
                continue
            if token.kind == ",":
                self.comma(bool(items))
                saw_comma = True
                expect_item = True
                continue
            if token.kind == WORD and token.text in ("for", "async") and items:
                comprehension = True
                closed = self.skip_balanced(closer)
                break
            if token.first_on_line and self.starts_dict_item():
                break  # '"group": [' on a new line: this display was left open
            if not expect_item:  # no comma after the last item: a syntax error right after it
                items[-1] = py_ast.salvage(items[-1])
                if not token.first_on_line:
                    self.skip_garbage()
                    expect_item = True
                    continue
                self.syntax_errors += 1  # read on from this new line
            item = self.star_or_expression()
            if isinstance(item, py_ast.Missing):
                self.skip_garbage()
                continue
            if item.broken:
                item = py_ast.salvage(item)
            items.append(item)
            # An unterminated string took the rest of its line, with any comma on it.
            expect_item = isinstance(item, py_ast.OpenStr)
        if not closed:
            self.syntax_errors += 1
        if self.syntax_errors > errors:  # a syntax error inside: any item may be half-typed
            items = [py_ast.salvage(item) for item in items]
        span = self.span_from(opener.start)
        if opener.kind == "(" and len(items) == 1 and not saw_comma and not comprehension:
            inner = items[0]  # (x) is x
            inner.broken = inner.broken or not closed
            return inner
        if comprehension:
            return py_ast.Opaque(span, broken=not closed)
        kind = "list" if opener.kind == "[" else "tuple"
        return py_ast.Seq(span, kind, items, broken=not closed or self.syntax_errors > errors)

    def brace_display(self, opener: Token) -> py_ast.Node:
        errors = self.syntax_errors
        items: list[py_ast.DictItem | py_ast.Starred] = []
        elements: list[py_ast.Node] = []
        is_dict: bool | None = None
        expect_item = True
        closed = False
        comprehension = False
        while True:
            token = self.peek()
            if token is None:
                break
            if token.kind == "}":
                self.take()
                closed = True
                break
            if token.kind in CLOSERS:
                if token.kind in self.closers[:-1]:
                    break
                self.take()  # a stray closing bracket: a syntax error right after the last item
                self.syntax_errors += 1
                if not expect_item:
                    _salvage_last(items, elements)
                continue
            if token.kind == ",":
                self.comma(bool(items or elements))
                expect_item = True
                continue
            if token.kind == WORD and token.text in ("for", "async") and (items or elements):
                comprehension = True
                closed = self.skip_balanced("}")
                break
            if not expect_item:  # no comma after the last item: a syntax error right after it
                _salvage_last(items, elements)
                if not token.first_on_line:
                    self.skip_garbage()
                    expect_item = True
                    continue
                self.syntax_errors += 1  # read on from this new line
            if token.kind == "**":
                self.take()
                value = self.expression()
                items.append(py_ast.Starred(self.span_from(token.start), value, True))
                is_dict = True
                expect_item = False
                continue
            key = self.star_or_expression()
            if isinstance(key, py_ast.Missing):
                self.skip_garbage()
                continue
            if key.broken:
                key = py_ast.salvage(key)
            if self.at(":") and is_dict is not False:
                self.take()
                is_dict = True
                value = self.expression()
                if value.broken:
                    value = py_ast.salvage(value)
                items.append(py_ast.DictItem(key, value))
            elif is_dict:  # a key with no value yet: "{'a': [...], 'b'" being typed
                items.append(py_ast.DictItem(key, self.missing(key.span.end)))
            elif isinstance(key, py_ast.OpenStr) and not elements:
                pass  # "{'mw" being typed: the first key of a dict, most likely
            else:
                is_dict = False
                elements.append(key)
            expect_item = isinstance(key, py_ast.OpenStr)
        if not closed:
            self.syntax_errors += 1
        if self.syntax_errors > errors:  # a syntax error inside: any item may be half-typed
            elements = [py_ast.salvage(element) for element in elements]
            items = [_salvage_item(item) for item in items]
        span = self.span_from(opener.start)
        if comprehension:
            return py_ast.Opaque(span, broken=not closed)
        if is_dict is None and not closed:  # "{'mw" being typed: the first key of a dict
            return py_ast.Dict(span, [], broken=True)
        broken = not closed or self.syntax_errors > errors
        if is_dict is False:
            return py_ast.Seq(span, "set", elements, broken=broken)
        return py_ast.Dict(span, items, broken=broken)

    def call(self, func: py_ast.Node, start: Position) -> py_ast.Node:
        self.take()
        if self.depth >= MAX_DEPTH:
            self.skip_balanced(")")
            return py_ast.Opaque(self.span_from(start), broken=True)
        self.depth += 1
        self.closers.append(")")
        args: list[py_ast.Node] = []
        keywords: list[py_ast.Keyword] = []
        closed = False
        errors = self.syntax_errors
        comprehension = False
        expect_item = True
        try:
            while True:
                token = self.peek()
                if token is None:
                    break
                if token.kind == ")":
                    self.take()
                    closed = True
                    break
                if token.kind in CLOSERS:
                    if token.kind in self.closers[:-1]:
                        break
                    self.take()  # a stray closing bracket: a syntax error after the last one
                    self.syntax_errors += 1
                    if not expect_item:
                        _salvage_last_argument(args, keywords)
                    continue
                if token.kind == ",":
                    self.comma(bool(args or keywords))
                    expect_item = True
                    continue
                if token.kind == WORD and token.text in ("for", "async") and args:
                    comprehension = True
                    closed = self.skip_balanced(")")
                    break
                if not expect_item:  # no comma after the last argument: a syntax error
                    _salvage_last_argument(args, keywords)
                    if not token.first_on_line:
                        self.skip_garbage()
                        expect_item = True
                        continue
                    self.syntax_errors += 1  # read on from this new line
                following = self.peek(1)
                if token.kind == WORD and following is not None and following.kind == "=":
                    self.take()
                    self.take()
                    value = self.expression()
                    if value.broken:
                        value = py_ast.salvage(value)
                    keywords.append(py_ast.Keyword(token.text, token.span, value))
                    expect_item = isinstance(value, py_ast.OpenStr)
                    continue
                argument = self.star_or_expression()
                if isinstance(argument, py_ast.Missing):
                    self.skip_garbage()
                    continue
                if keywords and not isinstance(argument, py_ast.Starred):
                    self.syntax_errors += 1  # a positional argument after a keyword one
                    continue
                if argument.broken:
                    argument = py_ast.salvage(argument)
                args.append(argument)
                expect_item = isinstance(argument, py_ast.OpenStr)
        finally:
            self.closers.pop()
            self.depth -= 1
        if not closed:
            self.syntax_errors += 1
        if self.syntax_errors > errors:  # a syntax error inside: any argument may be half-typed
            args = [py_ast.salvage(argument) for argument in args]
            keywords = [
                py_ast.Keyword(k.name, k.name_span, py_ast.salvage(k.value)) for k in keywords
            ]
        return py_ast.Call(
            self.span_from(start),
            func,
            args,
            keywords,
            comprehension,
            broken=not closed or self.syntax_errors > errors,
        )

    def subscript(self, obj: py_ast.Node, start: Position) -> py_ast.Node:
        self.take()
        errors = self.syntax_errors
        self.closers.append("]")
        try:
            index = self.expression_list()
            if self.at(":"):  # a slice: a[x:y:z, ...]
                while self.at(":") or self.at(","):
                    self.take()
                    if not self.at_delimiter():
                        self.expression()
                index = py_ast.Opaque(self.span_from(index.span.start))
            closed = self.at("]")
            if closed:
                self.take()
            else:
                self.syntax_errors += 1
        finally:
            self.closers.pop()
        if index.broken:
            index = py_ast.salvage(index)
        broken = not closed or self.syntax_errors > errors
        return py_ast.Subscript(self.span_from(start), obj, index, broken=broken)


def _salvage_last(
    items: list[py_ast.DictItem | py_ast.Starred], elements: list[py_ast.Node]
) -> None:
    if elements:
        elements[-1] = py_ast.salvage(elements[-1])
    elif items and isinstance(items[-1], py_ast.DictItem):
        items[-1] = py_ast.DictItem(items[-1].key, py_ast.salvage(items[-1].value))


def _salvage_item(item: py_ast.DictItem | py_ast.Starred) -> py_ast.DictItem | py_ast.Starred:
    if isinstance(item, py_ast.Starred):
        return item
    return py_ast.DictItem(py_ast.salvage(item.key), py_ast.salvage(item.value))


def _salvage_last_argument(args: list[py_ast.Node], keywords: list[py_ast.Keyword]) -> None:
    """Salvage the argument written last (positional or keyword)."""
    last_keyword = keywords[-1] if keywords else None
    last_arg = args[-1] if args else None
    if last_keyword is not None and (
        last_arg is None or last_keyword.value.span.start > last_arg.span.start
    ):
        keywords[-1] = py_ast.Keyword(
            last_keyword.name, last_keyword.name_span, py_ast.salvage(last_keyword.value)
        )
    elif last_arg is not None:
        args[-1] = py_ast.salvage(last_arg)
