"""A tolerant parser of one top-level Python statement, into :mod:`py_ast` statements.

The forms that can change ``PLUGINS`` are kept apart: assignments (chained, augmented,
annotated), expression statements, ``del``, imports; anything else is "other". A statement in
which a syntax error was met is ``damaged``: it is being typed, not finished.
"""

from __future__ import annotations

from spoc_lsp.syntax import py_ast
from spoc_lsp.syntax.model import Span
from spoc_lsp.syntax.py_expressions import NOT_ATOMS, ExpressionParser
from spoc_lsp.syntax.py_statements import AUGMENTED
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import WORD, Token


def parse_statement(
    source: SourceText, tokens: list[Token], damaged_after: bool = False
) -> py_ast.Stmt:
    """Parse the tokens of one logical statement.

    ``damaged_after``: a stray line follows the statement (an unexpected indent, a closing
    bracket...), which most likely means it was meant to go on: it is read as damaged.
    """
    return _StatementParser(source, tokens, damaged_after).statement()


class _StatementParser(ExpressionParser):
    def __init__(self, source: SourceText, tokens: list[Token], damaged_after: bool) -> None:
        super().__init__(source, tokens)
        self.damaged_after = damaged_after

    # --- statements ---------------------------------------------------------------------------

    def statement(self) -> py_ast.Stmt:
        statement = self.simple_statement()
        statement.damaged = self.syntax_errors > 0 or self.damaged_after or not self.at_end()
        return statement

    def simple_statement(self) -> py_ast.Stmt:
        first = self.tokens[0]
        start = first.start
        if first.kind == WORD and first.text == "del":
            self.take()
            deleted = self.expression_list()
            return py_ast.Delete(self.span_from(start), _flatten(deleted))
        if first.kind == WORD and first.text in ("import", "from"):
            return self.import_statement()
        if first.kind == WORD and first.text in NOT_ATOMS and first.text not in ("async",):
            return py_ast.OtherStmt(Span(start, self.tokens[-1].end))
        target = self.expression_list()
        token = self.peek()
        statement: py_ast.Stmt
        if token is None:
            target.broken = target.broken or self.damaged_after
            return py_ast.ExprStmt(self.span_from(start), target)
        if token.kind in ("=", ":", *AUGMENTED) and not _assignable(target):
            self.syntax_errors += 1
            target.broken = True  # "f(...) =": no call can be assigned to; the call was meant
            return py_ast.ExprStmt(self.span_from(start), target)
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
                self.syntax_errors += 1
                value = py_ast.salvage(targets[invalid])
                targets = targets[:invalid]
            elif isinstance(value, (py_ast.Missing, py_ast.Damaged)) and len(targets) > 1:
                value = py_ast.salvage(targets.pop())  # "a = b =" being typed: a = b
            statement = py_ast.Assign(self.span_from(start), targets, value)
        elif token.kind in AUGMENTED:
            self.take()
            value = self.value_end(self.expression_list())
            statement = py_ast.AugAssign(self.span_from(start), target, token.kind, value)
        elif token.kind == ":":
            self.take()
            annotation = self.expression()
            value = None
            if self.at("="):
                self.take()
                value = self.value_end(self.expression_list())
            statement = py_ast.AnnAssign(self.span_from(start), target, annotation, value)
        else:  # stray tokens right after the expression: it is being typed
            target.broken = True
            statement = py_ast.ExprStmt(self.span_from(start), target)
        return statement

    def value_end(self, value: py_ast.Node) -> py_ast.Node:
        """The value of an assignment: salvaged if broken or followed by stray tokens."""
        if value.broken or not self.at_end() or self.damaged_after:
            self.syntax_errors += 1
            return py_ast.salvage(value)
        return value

    def import_statement(self) -> py_ast.Stmt:
        tokens = self.tokens
        span = Span(tokens[0].start, tokens[-1].end)
        module = ""
        items = tokens[1:]
        level = 0
        if tokens[0].text == "from":
            index = next(
                (i for i, t in enumerate(tokens) if t.kind == WORD and t.text == "import"),
                len(tokens),
            )
            module = "".join(token.text for token in tokens[1:index])
            level = len(module) - len(module.lstrip("."))  # ("..." is one token: count dots)
            module = module.lstrip(".")
            items = tokens[index + 1 :]
        star = any(token.kind == "*" for token in items)
        bound = _bound_names(items)
        names = [(name, span) for name, span, _ in bound]
        imported = [original for _, _, original in bound]
        return py_ast.Import(span, module, names, star, imported, level)


def _is_target(node: py_ast.Node) -> bool:
    """Whether ``node`` can be assigned to (a name, attribute, subscript, or a list of them)."""
    if isinstance(node, (py_ast.Name, py_ast.Attr, py_ast.Subscript)):
        return True
    if isinstance(node, py_ast.Starred):
        return _is_target(node.value)
    if isinstance(node, py_ast.Seq) and node.kind in ("list", "tuple"):
        return all(_is_target(item) for item in node.items)
    return False


def _assignable(target: py_ast.Node) -> bool:
    """Whether ``target =`` is an assignment (and not an expression with ``=`` typed after).

    A broken target is taken as one only when it is ``name[...`` being typed.
    """
    if target.broken:
        return isinstance(target, py_ast.Subscript) and isinstance(target.obj, py_ast.Name)
    return _is_target(target)


def _flatten(node: py_ast.Node) -> list[py_ast.Node]:
    if isinstance(node, py_ast.Seq) and node.kind == "tuple":
        return list(node.items)
    return [node]


def _bound_names(items: list[Token]) -> list[tuple[str, Span, str]]:
    """The names ``import a.b, c as d`` (or ``from m import b, c as d``) binds, with what each
    is in the module (``a.b`` for ``import a.b``, which binds ``a``)."""
    names: list[tuple[str, Span, str]] = []
    group: list[Token] = []
    for token in [*items, None]:
        if token is None or token.kind == ",":
            words = [t for t in group if t.kind == WORD]
            if words:
                dotted = "".join(t.text for t in group if t.kind in (WORD, ".") and t.text != "as")
                if len(words) >= 2 and words[-2].text == "as":
                    original = dotted[: len(dotted) - len(words[-1].text)]
                    names.append((words[-1].text, words[-1].span, original))
                else:
                    names.append((words[0].text, words[0].span, dotted))
            group = []
        elif token.kind not in ("(", ")"):
            group.append(token)
    return names
