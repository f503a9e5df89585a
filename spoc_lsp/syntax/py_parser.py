"""A tolerant recursive-descent parser for one Python statement, into :mod:`py_ast` nodes.

It reads the statement forms that can change ``PLUGINS`` and any expression, keeping literals
and the structure around them. On a syntax error it never gives up on what came before: a
display keeps the items read so far; a stray token is skipped up to the next ``,``, closing
bracket or line; an expression a syntax error is in or right after is read as the literal it
starts with (see :func:`py_ast.salvage`).
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
_NOT_ATOMS = frozenset(
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


def parse_statement(
    source: SourceText, tokens: list[Token], damaged_after: bool = False
) -> ast.Stmt:
    """Parse the tokens of one logical statement.

    ``damaged_after``: a syntax error follows the statement (an unexpected indent), which
    most likely means it was meant to go on: its value is read as if it did not end well.
    """
    return _Parser(source, tokens, damaged_after).statement()


class _Parser:
    def __init__(self, source: SourceText, tokens: list[Token], damaged_after: bool) -> None:
        self.source = source
        self.damaged_after = damaged_after
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

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.peek()
        return token is not None and token.kind == kind and (text is None or token.text == text)

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == WORD and token.text in words

    def span_from(self, start: Position) -> Span:
        return Span(start, max(start, self.last_end))

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)

    # --- statements ---------------------------------------------------------------------------

    def statement(self) -> ast.Stmt:
        first = self.tokens[0]
        start = first.start
        if first.kind == WORD and first.text == "del":
            self.take()
            deleted = self.expression_list()
            return ast.Delete(self.span_from(start), _flatten(deleted))
        if first.kind == WORD and first.text in ("import", "from"):
            return self.import_statement()
        if first.kind == WORD and first.text in _NOT_ATOMS and first.text not in ("async",):
            return ast.OtherStmt(Span(start, self.tokens[-1].end))
        target = self.expression_list()
        token = self.peek()
        statement: ast.Stmt
        if token is None:
            target.broken = target.broken or self.damaged_after
            return ast.ExprStmt(self.span_from(start), target)
        if token.kind in ("=", ":", *AUGMENTED) and not _is_target(target):
            target.broken = True  # "f(...) =": no call can be assigned to; the call was meant
            return ast.ExprStmt(self.span_from(start), target)
        if token.kind == "=":
            targets = [target]
            self.take()
            assigned = self.expression_list()
            while self.at("="):
                self.take()
                targets.append(assigned)
                assigned = self.expression_list()
            value = self.value_end(assigned)
            invalid = next((i for i, t in enumerate(targets) if i and not _is_target(t)), None)
            if invalid is not None:  # "a = {...} = ...": no literal can be assigned to
                value = ast.salvage(targets[invalid])
                targets = targets[:invalid]
            elif isinstance(value, (ast.Missing, ast.Damaged)) and len(targets) > 1:
                value = ast.salvage(targets.pop())  # "a = b =" being typed: a = b
            statement = ast.Assign(self.span_from(start), targets, value)
        elif token.kind in AUGMENTED:
            self.take()
            value = self.value_end(self.expression_list())
            statement = ast.AugAssign(self.span_from(start), target, token.kind, value)
        elif token.kind == ":":
            self.take()
            annotation = self.expression()
            value = None
            if self.at("="):
                self.take()
                value = self.value_end(self.expression_list())
            statement = ast.AnnAssign(self.span_from(start), target, annotation, value)
        else:  # stray tokens right after the expression: it is being typed
            target.broken = True
            statement = ast.ExprStmt(self.span_from(start), target)
        return statement

    def value_end(self, value: ast.Node) -> ast.Node:
        """The value of an assignment: salvaged if broken or followed by stray tokens."""
        if value.broken or not self.at_end() or self.damaged_after:
            return ast.salvage(value)
        return value

    def import_statement(self) -> ast.Stmt:
        tokens = self.tokens
        span = Span(tokens[0].start, tokens[-1].end)
        module = ""
        items = tokens[1:]
        if tokens[0].text == "from":
            index = next(
                (i for i, t in enumerate(tokens) if t.kind == WORD and t.text == "import"),
                len(tokens),
            )
            module = "".join(token.text for token in tokens[1:index])
            items = tokens[index + 1 :]
        star = any(token.kind == "*" for token in items)
        return ast.Import(span, module, _bound_names(items), star)

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
            return ast.Missing(Span(self.last_end, self.last_end), broken=True)
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
            broken = right.broken or isinstance(right, (ast.Missing, ast.Damaged))
            broken = broken or (operator == ":=" and not isinstance(node, ast.Name))
            if operator == "+":
                node = ast.BinOp(span, "+", node, right, broken=broken)
            else:
                node = ast.Opaque(span, ast.head(first), broken=broken)
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
            return ast.Missing(Span(self.last_end, self.last_end), broken=True)
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
        if isinstance(node, (ast.Missing, ast.Damaged)):
            return node
        start = node.span.start
        while (token := self.peek()) is not None:
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
            if node.broken:
                return node
        return node

    def atom(self) -> ast.Node:
        token = self.peek()
        if token is None:
            return ast.Missing(Span(self.last_end, self.last_end), broken=True)
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
            if token.text in _NOT_ATOMS:
                return ast.Missing(Span(token.start, token.start), broken=True)
            self.take()
            return ast.Name(token.span, token.text)
        if kind in OPENERS:
            return self.display()
        return ast.Missing(Span(token.start, token.start), broken=True)

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
                self.take()  # a stray closing bracket
                self.syntax_errors += 1
                continue
            if token.kind == ",":
                self.take()
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
            if items:  # the display ends in a syntax error: its last item is half-typed
                items[-1] = ast.salvage(items[-1])
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
                self.take()  # a stray closing bracket
                self.syntax_errors += 1
                continue
            if token.kind == ",":
                self.take()
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
                items.append(ast.DictItem(key, ast.Missing(key.span, broken=True)))
            elif isinstance(key, ast.OpenStr) and not elements:
                pass  # "{'mw" being typed: the first key of a dict, most likely
            else:
                is_dict = False
                elements.append(key)
            expect_item = isinstance(key, ast.OpenStr)
        if not closed:
            self.syntax_errors += 1
            _salvage_last(items, elements)  # the display ends in a syntax error: half-typed
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
                    self.take()  # a stray closing bracket
                    self.syntax_errors += 1
                    continue
                if token.kind == ",":
                    self.take()
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
        if not closed:  # the call ends in a syntax error: its last argument is half-typed
            self.syntax_errors += 1
            _salvage_last_argument(args, keywords)
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
        return ast.Subscript(self.span_from(start), obj, index, broken=not closed)

    # --- recovery -------------------------------------------------------------------------------

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


def _is_target(node: ast.Node) -> bool:
    """Whether ``node`` can be assigned to (a name, attribute, subscript, or a list of them)."""
    if isinstance(node, (ast.Name, ast.Attr, ast.Subscript)):
        return True
    if isinstance(node, ast.Starred):
        return _is_target(node.value)
    if isinstance(node, ast.Seq) and node.kind in ("list", "tuple"):
        return all(_is_target(item) for item in node.items)
    return False


def _flatten(node: ast.Node) -> list[ast.Node]:
    if isinstance(node, ast.Seq) and node.kind == "tuple":
        return list(node.items)
    return [node]


def _bound_names(items: list[Token]) -> list[tuple[str, Span]]:
    """The names ``import a.b, c as d`` (or ``from m import b, c as d``) binds."""
    names: list[tuple[str, Span]] = []
    group: list[Token] = []
    for token in [*items, None]:
        if token is None or token.kind == ",":
            words = [t for t in group if t.kind == WORD]
            if words:
                if len(words) >= 2 and words[-2].text == "as":
                    names.append((words[-1].text, words[-1].span))
                else:
                    names.append((words[0].text, words[0].span))
            group = []
        else:
            group.append(token)
    return names


def _number_kind(text: str) -> str:
    lowered = text.lower()
    if lowered.endswith("j"):
        return "a complex number"
    if lowered.startswith(("0x", "0o", "0b")):
        return "an integer"
    if "." in lowered or "e" in lowered:
        return "a float"
    return "an integer"
