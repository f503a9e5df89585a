"""A tolerant recursive-descent parser of Python expressions, into :mod:`py_ast` nodes.

It keeps literals and the structure around them (names, attributes, subscripts, calls, ``+``);
anything else is opaque. On a syntax error it never gives up on what came before: a display
keeps the items read so far; a stray token is skipped up to the next ``,``, closing bracket or
line; an expression a syntax error is in or right after is read as the literal it starts with
(see :func:`py_ast.salvage`). Every syntax error met is counted: a display, call or subscript
with one inside is ``broken``. Displays and calls are read by :mod:`py_displays`.
"""

from __future__ import annotations

from spoc_lsp.syntax import py_ast
from spoc_lsp.syntax.literal import concatenate
from spoc_lsp.syntax.py_displays import DisplayParser
from spoc_lsp.syntax.py_statements import CLOSERS, OPENERS
from spoc_lsp.syntax.tokens import SCALAR, STRING, UNTERMINATED, WORD

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


class ExpressionParser(DisplayParser):
    """Reads expressions from the tokens of one logical statement."""

    # --- expressions --------------------------------------------------------------------------

    def expression_list(self) -> py_ast.Node:
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
        return py_ast.Seq(self.span_from(start), "tuple", items, bare=True, broken=broken)

    def star_or_expression(self) -> py_ast.Node:
        token = self.peek()
        if token is not None and token.kind in ("*", "**"):
            self.take()
            value = self.expression()
            return py_ast.Starred(self.span_from(token.start), value, token.kind == "**")
        return self.expression()

    def expression(self) -> py_ast.Node:
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
            return py_ast.Opaque(self.span_from(start))
        first = self.unary()
        node = first
        while (operator := self.binary_operator()) is not None:
            if self.at_delimiter():  # "x +" with nothing after: being typed
                node.broken = True
                return node
            if operator == ":=" and not isinstance(node, py_ast.Name):
                self.syntax_errors += 1  # only a name can be assigned with ":="
            right = self.unary()
            span = self.span_from(start)
            broken = node.broken or right.broken  # a syntax error anywhere in the chain
            broken = broken or isinstance(right, (py_ast.Missing, py_ast.Damaged, py_ast.OpenStr))
            broken = broken or (operator == ":=" and not isinstance(node, py_ast.Name))
            # "+" and "|" chains are kept (lists, dicts); with other operators in, it is computed
            # (this flat chain does not know precedence: "a | b + c" is not "(a | b) + c").
            same = node is first or (isinstance(node, py_ast.BinOp) and node.op == operator)
            if operator in ("+", "|") and same:
                node = py_ast.BinOp(span, operator, node, right, broken=broken)
            else:
                node = py_ast.Opaque(span, py_ast.head(first), first, broken=broken)
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

    def lambda_expression(self) -> py_ast.Node:
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
        return py_ast.Opaque(self.span_from(start))

    def unary(self) -> py_ast.Node:
        token = self.peek()
        if token is None:
            return self.missing(self.last_end)
        start = token.start
        if token.kind in ("-", "+", "~"):
            self.take()
            operand = self.unary()
            span = self.span_from(start)
            if isinstance(operand, py_ast.Const) and token.kind != "~" and operand.kind != "None":
                return py_ast.Const(span, token.kind + operand.text, operand.kind)
            return py_ast.Opaque(span, broken=operand.broken)
        if token.kind == WORD and token.text == "not":
            self.take()
            operand = self.unary()
            return py_ast.Opaque(self.span_from(start), broken=operand.broken)
        if token.kind in ("*", "**"):  # unpacking where an expression is expected
            self.take()
            operand = self.unary()
            return py_ast.Starred(self.span_from(start), operand, token.kind == "**")
        return self.postfix()

    def postfix(self) -> py_ast.Node:
        node = self.atom()
        start = node.span.start
        # No trailer after a syntax error: what follows a broken display is not its trailer.
        while not node.broken and (token := self.peek()) is not None:
            if token.kind == ".":
                self.take()
                name = self.peek()
                if name is None or name.kind != WORD:
                    return py_ast.Attr(self.span_from(start), node, "", broken=True)  # "x." typed
                self.take()
                node = py_ast.Attr(self.span_from(start), node, name.text)
            elif token.kind == "(":
                node = self.call(node, start)
            elif token.kind == "[":
                node = self.subscript(node, start)
            else:
                break
        return node

    def atom(self) -> py_ast.Node:
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
            return py_ast.OpenStr(token.span, token.literal)
        if kind == SCALAR:
            self.take()
            return py_ast.Const(token.span, token.text, _number_kind(token.text))
        if kind == "...":
            self.take()
            return py_ast.Const(token.span, "...", "an ellipsis")
        if kind == WORD:
            if token.text in _CONSTANTS:
                self.take()
                return py_ast.Const(token.span, token.text, _CONSTANTS[token.text])
            if token.text in NOT_ATOMS:
                return self.missing(token.start)
            self.take()
            return py_ast.Name(token.span, token.text)
        if kind in OPENERS:
            return self.display()
        return self.missing(token.start)

    def strings(self) -> py_ast.Node:
        parts = []
        first = self.peek()
        assert first is not None
        while (token := self.peek()) is not None and token.kind == STRING:
            self.take()
            assert token.literal is not None
            parts.append(token.literal)
        span = self.span_from(first.start)
        if len(parts) == 1:
            return py_ast.Str(span, parts[0])
        raw = self.source.slice(
            (parts[0].span.start.line, parts[0].span.start.column),
            (parts[-1].span.end.line, parts[-1].span.end.column),
        )
        return py_ast.Str(span, concatenate(parts, raw))


def _number_kind(text: str) -> str:
    lowered = text.lower()
    if lowered.endswith("j"):
        return "a complex number"
    if lowered.startswith(("0x", "0o", "0b")):
        return "an integer"
    if "." in lowered or "e" in lowered:
        return "a float"
    return "an integer"
