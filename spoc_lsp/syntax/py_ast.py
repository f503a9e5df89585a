"""The small syntax tree the settings reader builds: just enough Python to read ``PLUGINS``.

Literals (strings, numbers, displays) are kept in full; names, attributes, subscripts, calls
and ``+`` are kept as structure; anything else is :class:`Opaque` ("computed"). A node is
``broken`` when a syntax error is inside it (an unclosed bracket, a missing operand).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass

from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import Span


@dataclass
class Node:
    """An expression: where it is, and whether a syntax error is inside it."""

    span: Span
    broken: bool = field(default=False, kw_only=True)


@dataclass
class Str(Node):
    """One string literal, or adjacent ones read as one (implicit concatenation)."""

    literal: Literal


@dataclass
class OpenStr(Node):
    """An unterminated string: being typed."""

    literal: Literal


@dataclass
class Const(Node):
    """A number, ``None``, ``True``/``False`` or ``...``: ``kind`` says which, for messages."""

    text: str
    kind: str


@dataclass
class Name(Node):
    """A bare name."""

    name: str


@dataclass
class Seq(Node):
    """A list, tuple or set display."""

    kind: str  # "list", "tuple" or "set"
    items: list[Node]
    comprehension: bool = False
    bare: bool = False  # a tuple written without parentheses: ``a, b``


@dataclass
class Starred(Node):
    """``*value`` (or ``**value`` when ``double``) in a display or call."""

    value: Node
    double: bool = False


@dataclass
class DictItem:
    """``key: value`` in a dict display."""

    key: Node
    value: Node


@dataclass
class Dict(Node):
    """A dict display (``**x`` items are :class:`Starred`)."""

    items: list[DictItem | Starred]
    comprehension: bool = False


@dataclass
class Attr(Node):
    """``obj.name`` (``name`` is empty when it is still being typed: ``obj.``)."""

    obj: Node
    name: str


@dataclass
class Subscript(Node):
    """``obj[index]``."""

    obj: Node
    index: Node


@dataclass
class Keyword:
    """A keyword argument, ``name=value``."""

    name: str
    name_span: Span
    value: Node


@dataclass
class Call(Node):
    """A call, with its positional and keyword arguments."""

    func: Node
    args: list[Node]  # positional arguments, ``*x`` and ``**x`` as :class:`Starred`
    keywords: list[Keyword]
    comprehension: bool = False  # a generator expression argument


@dataclass
class BinOp(Node):
    """``left + right`` (lists) or ``left | right`` (dicts): the operators that build config."""

    op: str
    left: Node
    right: Node


@dataclass
class Opaque(Node):
    """Any other expression: computed. ``head`` is the literal it starts with, if any;
    ``first`` its first operand (``f()`` in ``f() == x``)."""

    head: Node | None = None
    first: Node | None = None


@dataclass
class Missing(Node):
    """An expression was expected and there was none (a syntax error)."""


@dataclass
class Damaged(Node):
    """Part of a syntax error, with no literal to salvage from it: ignored."""


def head(node: Node) -> Node | None:
    """The literal an expression starts with: ``{...}`` in ``{...}.copy()``; None if none."""
    if isinstance(node, Seq) and node.bare:  # "{...}, oops": what was meant is the first
        return head(node.items[0]) if node.items else None
    if isinstance(node, (Str, OpenStr, Const, Seq, Dict)):
        return node
    if isinstance(node, Attr):
        return head(node.obj)
    if isinstance(node, Subscript):
        return head(node.obj)
    if isinstance(node, Call):
        if isinstance(node.func, Name) and node.func.name == "dict":
            return node  # dict(a=[...]) is written like a literal
        return head(node.func)
    if isinstance(node, BinOp):
        return head(node.left)
    if isinstance(node, Opaque):
        return node.head
    return None


def salvage(node: Node) -> Node:
    """What to read of an expression a syntax error is in or right after.

    The user is most likely typing after a literal (``PLUGINS = {...}.`` or ``["a", "b"] +``):
    the literal is what they wrote so far, so it is read; with no literal, nothing is.
    """
    found = head(node)
    return found if found is not None else Damaged(node.span)


# --- statements -------------------------------------------------------------------------------


@dataclass
class Stmt:
    """A statement: where it is, and whether a syntax error is in or right after it."""

    span: Span
    # A syntax error is in or right after it: it is being typed, not finished.
    damaged: bool = field(default=False, kw_only=True)


@dataclass
class Assign(Stmt):
    """``a = b = value`` (targets in order)."""

    targets: list[Node]
    value: Node


@dataclass
class AugAssign(Stmt):
    """``target += value`` (or another augmented operator)."""

    target: Node
    op: str
    value: Node


@dataclass
class AnnAssign(Stmt):
    """``target: annotation = value`` (the value may be missing)."""

    target: Node
    annotation: Node
    value: Node | None


@dataclass
class ExprStmt(Stmt):
    """An expression on its own: a call, most likely."""

    value: Node


@dataclass
class Delete(Stmt):
    """``del a, b``."""

    targets: list[Node]


@dataclass
class Import(Stmt):
    """An import: the module and the names it binds (``*`` for all)."""

    module: str
    names: list[tuple[str, Span]]  # the names the statement binds
    star: bool = False
    imported: list[str] = field(default_factory=list)  # what each name is in the module
    level: int = 0  # the leading dots of ``from .x import``


@dataclass
class OtherStmt(Stmt):
    """A statement that cannot assign ``PLUGINS`` the way the reader follows."""


def spans_in(node: object) -> Iterator[Span]:
    """Every span held in a node or statement, its children and its literals."""
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Span):
            yield item
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, Literal):
            yield item.span
        elif is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, spec.name) for spec in fields(item))
