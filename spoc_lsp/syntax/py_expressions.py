"""A tolerant recursive-descent parser of Python expressions, into :mod:`py_ast` nodes.

It keeps literals and the structure around them (names, attributes, subscripts, calls, ``+``);
anything else is opaque. On a syntax error it never gives up on what came before: a display
keeps the items read so far; a stray token is skipped up to the next ``,``, closing bracket or
line; an expression a syntax error is in or right after is read as the literal it starts with
(see :func:`py_ast.salvage`). Every syntax error met is counted: a display, call or subscript
with one inside is ``broken``.
"""

from __future__ import annotations

from spoc_lsp.syntax import py_ast as ast
from spoc_lsp.syntax.literal import concatenate
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.syntax.py_statements import AUGMENTED, CLOSERS, OPENERS
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import SCALAR, STRING, UNTERMINATED, WORD, Token

MAX_DEPTH = 100
_BINARY = frozenset(
    {"+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", "<", ">"}
    | {"<=", ">=", "==", "!=", "<>", ":="}
)
_WORD_OPERATORS = frozenset({"and", "or", "in", "is", "if", "else"})
NOT_ATOMS = frozenset(
    {
        "and",
        "as",
        "assert",
        "async",
        "break",
        "class",
        "continue",
        "def",
        "del",
        "elif",
        "else",
        "except",
        "finally",
        "for",
        "from",
        "global",
        "if",
        "import",
        "in",
        "is",
        "nonlocal",
        "or",
        "pass",
        "raise",
        "return",
        "try",
        "while",
        "with",
    }
)
_CONSTANTS = {"None": "None", "True": "a boolean", "False": "a boolean"}


class ExpressionParser:
    """Reads expressions from the tokens of one logical statement."""

    def __init__(self, source: SourceText, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.index = 0
        self.last_end = tokens[0].start if tokens else Position(0, 0)
        self.closers: list[str] = []  # closing brackets of the displays being read
        self.depth = 0
        self.syntax_errors = 0  # how many were met so far: a display with one inside is broken

    # --- token helpers ------------------------------------------------------------------------

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

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == WORD and token.text in words

    def span_from(self, start: Position) -> Span:
        end = self.last_end
        if (end.line, end.column) < (start.line, start.column):
            end = start
        return Span(start, end)

    def missing(self, where: Position) -> ast.Node:
        """An expression that should be here and is not: a syntax error."""
        self.syntax_errors += 1
        return ast.Missing(Span(where, where), broken=True)

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)

    # --- expressions --------------------------------------------------------------------------

    def expression_list(self) -> ast.Node:
        """Expressions separated by commas: a tuple when there is a comma."""
        token = self.peek()
        start = token.start if token is not None else self.last_end
        errors = self.syntax_errors
        first = self.star_or_expression()
        if not self.at(","):
            return first
        items = [first]
        while self.at(","):
            self.take()
            if self.at_delimiter():
                break
            items.append(self.star_or_expression())
        broken = self.syntax_errors > errors or any(item.broken for item in items)
        return ast.Seq(self.span_from(start), "tuple", items, bare=True, broken=broken)

    def star_or_expression(self) -> ast.Node:
        token = self.peek()
        if token is not None and token.kind in ("*", "**"):
            self.take()
            value = self.expression()
            return ast.Starred(self.span_from(token.start), value, token.kind == "**")
        return self.expression()

    def at_delimiter(self) -> bool:
        token = self.peek()
        if token is None:
            return True
        kind = token.kind
        if kind in (",", ")", "]", "}", ":", "=", ";") or kind in AUGMENTED:
            return True
        return kind == WORD and token.text in ("for", "async")

    def expression(self) -> ast.Node:
        token = self.peek()
        if token is None or self.at_delimiter():
            return self.missing(self.last_end)
        start = token.start
        if token.kind == WORD and token.text == "lambda":
            return self.lambda_expression()
        if token.kind == WORD and token.text in ("yield", "await"):
            self.take()
            if not self.at_delimiter():
                self.expression_list()
            return ast.Opaque(self.span_from(start))
        first = self.unary()
        node = first
        while (operator := self.binary_operator()) is not None:
            if self.at_delimiter():  # "x +" with nothing after: being typed
                node.broken = True
                return node
            if operator == ":=" and not isinstance(node, ast.Name):
                self.syntax_errors += 1  # only a name can be assigned with ":="
            right = self.unary()
            span = self.span_from(start)
            broken = node.broken or right.broken  # a syntax error anywhere in the chain
            broken = broken or isinstance(right, (ast.Missing, ast.Damaged, ast.OpenStr))
            broken = broken or (operator == ":=" and not isinstance(node, ast.Name))
            if operator == "+":
                node = ast.BinOp(span, "+", node, right, broken=broken)
            else:
                node = ast.Opaque(span, ast.head(first), first, broken=broken)
        return node

    def binary_operator(self) -> str | None:
        """Consume a binary operator (``not in`` and ``is not`` too) and return it."""
        token = self.peek()
        if token is None:
            return None
        if token.kind in _BINARY:
            self.take()
            return token.kind
        if token.kind == WORD and token.text in _WORD_OPERATORS:
            self.take()
            if token.text == "is" and self.at_word("not"):
                self.take()
            return token.text
        if token.kind == WORD and token.text == "not":
            following = self.peek(1)
            if following is not None and following.kind == WORD and following.text == "in":
                self.take()
                self.take()
                return "not in"
        return None

    def lambda_expression(self) -> ast.Node:
        start = self.take().start
        level = 0
        while (token := self.peek()) is not None:
            if token.kind in OPENERS:
                level += 1
            elif token.kind in CLOSERS:
                if level == 0:
                    break
                level -= 1
            elif token.kind == ":" and level == 0:
                self.take()
                self.expression()
                break
            self.take()
        return ast.Opaque(self.span_from(start))

    def unary(self) -> ast.Node:
        token = self.peek()
        if token is None:
            return self.missing(self.last_end)
        start = token.start
        if token.kind in ("-", "+", "~"):
            self.take()
            operand = self.unary()
            span = self.span_from(start)
            if isinstance(operand, ast.Const) and token.kind != "~" and operand.kind != "None":
                return ast.Const(span, token.kind + operand.text, operand.kind)
            return ast.Opaque(span, broken=operand.broken)
        if token.kind == WORD and token.text == "not":
            self.take()
            operand = self.unary()
            return ast.Opaque(self.span_from(start), broken=operand.broken)
        if token.kind in ("*", "**"):  # unpacking where an expression is expected
            self.take()
            operand = self.unary()
            return ast.Starred(self.span_from(start), operand, token.kind == "**")
        return self.postfix()

    def postfix(self) -> ast.Node:
        node = self.atom()
        start = node.span.start
        # No trailer after a syntax error: what follows a broken display is not its trailer.
        while not node.broken and (token := self.peek()) is not None:
            if token.kind == ".":
                self.take()
                name = self.peek()
                if name is None or name.kind != WORD:
                    return ast.Attr(self.span_from(start), node, "", broken=True)  # "x." typed
                self.take()
                node = ast.Attr(self.span_from(start), node, name.text)
            elif token.kind == "(":
                node = self.call(node, start)
            elif token.kind == "[":
                node = self.subscript(node, start)
            else:
                break
        return node

    def atom(self) -> ast.Node:
        token = self.peek()
        if token is None:
            return self.missing(self.last_end)
        kind = token.kind
        if kind == STRING:
            return self.strings()
        if kind == UNTERMINATED:
            self.take()
            self.syntax_errors += 1
            assert token.literal is not None
            return ast.OpenStr(token.span, token.literal)
        if kind == SCALAR:
            self.take()
            return ast.Const(token.span, token.text, _number_kind(token.text))
        if kind == "...":
            self.take()
            return ast.Const(token.span, "...", "an ellipsis")
        if kind == WORD:
            if token.text in _CONSTANTS:
                self.take()
                return ast.Const(token.span, token.text, _CONSTANTS[token.text])
            if token.text in NOT_ATOMS:
                return self.missing(token.start)
            self.take()
            return ast.Name(token.span, token.text)
        if kind in OPENERS:
            return self.display()
        return self.missing(token.start)

    def strings(self) -> ast.Node:
        parts = []
        first = self.peek()
        assert first is not None
        while (token := self.peek()) is not None and token.kind == STRING:
            self.take()
            assert token.literal is not None
            parts.append(token.literal)
        span = self.span_from(first.start)
        if len(parts) == 1:
            return ast.Str(span, parts[0])
        raw = self.source.slice(
            (parts[0].span.start.line, parts[0].span.start.column),
            (parts[-1].span.end.line, parts[-1].span.end.column),
        )
        return ast.Str(span, concatenate(parts, raw))

    # --- displays, calls and subscripts ---------------------------------------------------------

    def display(self) -> ast.Node:
        opener = self.take()
        closer = OPENERS[opener.kind]
        if self.depth >= MAX_DEPTH:
            self.skip_balanced(closer)
            return ast.Opaque(self.span_from(opener.start), broken=True)
        self.depth += 1
        self.closers.append(closer)
        try:
            if opener.kind == "{":
                return self.brace_display(opener)
            return self.sequence_display(opener, closer)
        finally:
            self.closers.pop()
            self.depth -= 1

    def sequence_display(self, opener: Token, closer: str) -> ast.Node:
        errors = self.syntax_errors
        items: list[ast.Node] = []
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
                    items[-1] = ast.salvage(items[-1])
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
                items[-1] = ast.salvage(items[-1])
                if not token.first_on_line:
                    self.skip_garbage()
                    expect_item = True
                    continue
                self.syntax_errors += 1  # read on from this new line
            item = self.star_or_expression()
            if isinstance(item, ast.Missing):
                self.skip_garbage()
                continue
            if item.broken:
                item = ast.salvage(item)
            items.append(item)
            # An unterminated string took the rest of its line, with any comma on it.
            expect_item = isinstance(item, ast.OpenStr)
        if not closed:
            self.syntax_errors += 1
        if self.syntax_errors > errors:  # a syntax error inside: any item may be half-typed
            items = [ast.salvage(item) for item in items]
        span = self.span_from(opener.start)
        if opener.kind == "(" and len(items) == 1 and not saw_comma and not comprehension:
            inner = items[0]  # (x) is x
            inner.broken = inner.broken or not closed
            return inner
        if comprehension:
            return ast.Opaque(span, broken=not closed)
        kind = "list" if opener.kind == "[" else "tuple"
        return ast.Seq(span, kind, items, broken=not closed or self.syntax_errors > errors)

    def brace_display(self, opener: Token) -> ast.Node:
        errors = self.syntax_errors
        items: list[ast.DictItem | ast.Starred] = []
        elements: list[ast.Node] = []
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
                items.append(ast.Starred(self.span_from(token.start), value, True))
                is_dict = True
                expect_item = False
                continue
            key = self.star_or_expression()
            if isinstance(key, ast.Missing):
                self.skip_garbage()
                continue
            if key.broken:
                key = ast.salvage(key)
            if self.at(":") and is_dict is not False:
                self.take()
                is_dict = True
                value = self.expression()
                if value.broken:
                    value = ast.salvage(value)
                items.append(ast.DictItem(key, value))
            elif is_dict:  # a key with no value yet: "{'a': [...], 'b'" being typed
                items.append(ast.DictItem(key, self.missing(key.span.end)))
            elif isinstance(key, ast.OpenStr) and not elements:
                pass  # "{'mw" being typed: the first key of a dict, most likely
            else:
                is_dict = False
                elements.append(key)
            expect_item = isinstance(key, ast.OpenStr)
        if not closed:
            self.syntax_errors += 1
        if self.syntax_errors > errors:  # a syntax error inside: any item may be half-typed
            elements = [ast.salvage(element) for element in elements]
            items = [_salvage_item(item) for item in items]
        span = self.span_from(opener.start)
        if comprehension:
            return ast.Opaque(span, broken=not closed)
        if is_dict is None and not closed:  # "{'mw" being typed: the first key of a dict
            return ast.Dict(span, [], broken=True)
        broken = not closed or self.syntax_errors > errors
        if is_dict is False:
            return ast.Seq(span, "set", elements, broken=broken)
        return ast.Dict(span, items, broken=broken)

    def call(self, func: ast.Node, start: Position) -> ast.Node:
        self.take()
        if self.depth >= MAX_DEPTH:
            self.skip_balanced(")")
            return ast.Opaque(self.span_from(start), broken=True)
        self.depth += 1
        self.closers.append(")")
        args: list[ast.Node] = []
        keywords: list[ast.Keyword] = []
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
                        value = ast.salvage(value)
                    keywords.append(ast.Keyword(token.text, token.span, value))
                    expect_item = isinstance(value, ast.OpenStr)
                    continue
                argument = self.star_or_expression()
                if isinstance(argument, ast.Missing):
                    self.skip_garbage()
                    continue
                if keywords and not isinstance(argument, ast.Starred):
                    self.syntax_errors += 1  # a positional argument after a keyword one
                    continue
                if argument.broken:
                    argument = ast.salvage(argument)
                args.append(argument)
                expect_item = isinstance(argument, ast.OpenStr)
        finally:
            self.closers.pop()
            self.depth -= 1
        if not closed:
            self.syntax_errors += 1
        if self.syntax_errors > errors:  # a syntax error inside: any argument may be half-typed
            args = [ast.salvage(argument) for argument in args]
            keywords = [ast.Keyword(k.name, k.name_span, ast.salvage(k.value)) for k in keywords]
        return ast.Call(
            self.span_from(start),
            func,
            args,
            keywords,
            comprehension,
            broken=not closed or self.syntax_errors > errors,
        )

    def subscript(self, obj: ast.Node, start: Position) -> ast.Node:
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
                index = ast.Opaque(self.span_from(index.span.start))
            closed = self.at("]")
            if closed:
                self.take()
            else:
                self.syntax_errors += 1
        finally:
            self.closers.pop()
        if index.broken:
            index = ast.salvage(index)
        broken = not closed or self.syntax_errors > errors
        return ast.Subscript(self.span_from(start), obj, index, broken=broken)

    # --- recovery -------------------------------------------------------------------------------

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


def _salvage_last(items: list[ast.DictItem | ast.Starred], elements: list[ast.Node]) -> None:
    if elements:
        elements[-1] = ast.salvage(elements[-1])
    elif items and isinstance(items[-1], ast.DictItem):
        items[-1] = ast.DictItem(items[-1].key, ast.salvage(items[-1].value))


def _salvage_item(item: ast.DictItem | ast.Starred) -> ast.DictItem | ast.Starred:
    if isinstance(item, ast.Starred):
        return item
    return ast.DictItem(ast.salvage(item.key), ast.salvage(item.value))


def _salvage_last_argument(args: list[ast.Node], keywords: list[ast.Keyword]) -> None:
    """Salvage the argument written last (positional or keyword)."""
    last_keyword = keywords[-1] if keywords else None
    last_arg = args[-1] if args else None
    if last_keyword is not None and (
        last_arg is None or last_keyword.value.span.start > last_arg.span.start
    ):
        keywords[-1] = ast.Keyword(
            last_keyword.name, last_keyword.name_span, ast.salvage(last_keyword.value)
        )
    elif last_arg is not None:
        args[-1] = ast.salvage(last_arg)


def _number_kind(text: str) -> str:
    lowered = text.lower()
    if lowered.endswith("j"):
        return "a complex number"
    if lowered.startswith(("0x", "0o", "0b")):
        return "an integer"
    if "." in lowered or "e" in lowered:
        return "a float"
    return "an integer"
