"""Module-level names of a settings module, evaluated statically as Python runs them.

``BASE = ["a", "b"]``, ``EXTRA = BASE + ["c"]``, ``MORE = [*BASE, "d"]``, ``list(BASE)``,
``BASE.copy()``, ``dict(COMMON)``, ``COMMON | {...}``, ``{**COMMON, ...}``, and their mutation in
order (``+=``, ``append``, ``extend``, ``insert``, ``update``, ``[k] =``, ``del``): each name is
bound to an *evaluated* node — a list, tuple or dict display whose items are themselves
evaluated, with every string literal where it was written — so that ``PLUGINS`` built from names
reads like one written out, and a diagnostic lands on the literal. One node object stands for one
runtime object: ``A = B`` binds the same node, and mutating one shows in the other, as at runtime.

A name bound to something that cannot be evaluated (a call, ``os.environ``, an import that is not
followed) is bound to an :class:`~py_ast.Opaque` node over that expression, so a use of it is
reported there as computed. Nothing is executed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spoc_lsp.syntax import py_ast
from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import Span

Grow = Callable[[int | None, list[py_ast.Node]], None]
Watchers = dict[int, tuple[py_ast.Seq, list[Grow]]]
_BUILTINS = frozenset({"list", "tuple", "dict"})
_READING = frozenset({"copy", "get", "keys", "values", "items", "count", "index"})


@dataclass
class ModuleRef(py_ast.Node):
    """A project module bound to a name (``import config.common as common``): its names."""

    names: Names


class Names:
    """The module's names and what they are bound to (see the module docstring)."""

    def __init__(self, watchers: Watchers | None = None) -> None:
        self.values: dict[str, py_ast.Node] = {}
        # Lists ``PLUGINS`` took as groups (``{"hooks": BASE}``): the group is that very list,
        # so what is added to it later is added to the group too (``grow(index, items)``).
        # (Shared by every module of one parse: another module may grow the list.)
        self.watchers: Watchers = {} if watchers is None else watchers

    def watch(self, seq: py_ast.Seq, grow: Grow) -> None:
        self.watchers.setdefault(id(seq), (seq, []))[1].append(grow)

    def grown(self, seq: py_ast.Seq, index: int | None, items: list[py_ast.Node]) -> None:
        """Items were added to ``seq`` (at ``index``; None: at the end)."""
        found = self.watchers.get(id(seq))
        if found is not None and found[0] is seq:
            for grow in found[1]:
                grow(index, items)

    # --- evaluation ---------------------------------------------------------------------------

    def builtin(self, name: str) -> bool:
        """Whether ``name`` (``list``, ``dict``...) is still the builtin (the module kept it)."""
        return name in _BUILTINS and name not in self.values

    def evaluate(self, node: py_ast.Node) -> py_ast.Node:
        """``node`` with names, unpacking, copies and concatenation worked out (see module doc).

        A node with nothing to work out is returned as it is (the very same object).
        """
        if node.broken:
            return node
        if isinstance(node, py_ast.Name):
            return self.values.get(node.name, node)
        if (
            isinstance(node, py_ast.Seq)
            and node.kind in ("list", "tuple")
            and not node.comprehension
        ):
            items = self.items(node.items)
            return node if items is None else _seq(node, node.kind, items)
        if isinstance(node, py_ast.Dict) and not node.comprehension:
            pairs = self.pairs(node.items)
            return node if pairs is None else py_ast.Dict(node.span, pairs)
        if isinstance(node, py_ast.BinOp):
            return self.operation(node)
        if isinstance(node, py_ast.Call):
            return self.call(node)
        if isinstance(node, py_ast.Attr):
            obj = self.evaluate(node.obj)
            if isinstance(obj, ModuleRef):
                return obj.names.values.get(node.name, node)
        if isinstance(node, py_ast.Subscript):
            obj = self.evaluate(node.obj)
            key = _key(node.index)
            if isinstance(obj, py_ast.Dict) and key is not None:
                found = _lookup(obj, key)
                if found is not None:
                    return found
        return node

    def items(self, items: list[py_ast.Node]) -> list[py_ast.Node] | None:
        """A display's items with names and ``*x`` unpacking worked out; None if none changed."""
        result: list[py_ast.Node] = []
        changed = False
        for item in items:
            if isinstance(item, py_ast.Starred) and not item.double:
                inner = self.evaluate(item.value)
                if isinstance(inner, py_ast.Seq) and inner.kind in ("list", "tuple"):
                    result.extend(inner.items)
                    changed = True
                    continue
            value = self.evaluate(item)
            changed = changed or value is not item
            result.append(value)
        return result if changed else None

    def pairs(
        self, items: list[py_ast.DictItem | py_ast.Starred]
    ) -> list[py_ast.DictItem | py_ast.Starred] | None:
        """A dict display's items with ``**x`` unpacking and values worked out; None if the same."""
        result: list[py_ast.DictItem | py_ast.Starred] = []
        changed = False
        for item in items:
            if isinstance(item, py_ast.Starred):
                inner = self.evaluate(item.value)
                if isinstance(inner, py_ast.Dict) and not inner.comprehension:
                    result.extend(inner.items)
                    changed = True
                else:
                    result.append(item)
                continue
            value = self.evaluate(item.value)
            changed = changed or value is not item.value
            result.append(item if value is item.value else py_ast.DictItem(item.key, value))
        return result if changed else None

    def operation(self, node: py_ast.BinOp) -> py_ast.Node:
        left = self.evaluate(node.left)
        right = self.evaluate(node.right)
        joined = _joined(node, left, right)
        if joined is not None:
            return joined
        if left is node.left and right is node.right:
            return node
        return py_ast.BinOp(node.span, node.op, left, right)

    def call(self, node: py_ast.Call) -> py_ast.Node:
        func = node.func
        if node.comprehension:
            return node
        if isinstance(func, py_ast.Attr) and func.name == "copy" and not node.args:
            obj = self.evaluate(func.obj)
            if isinstance(obj, py_ast.Seq) and obj.kind == "list" and not node.keywords:
                return _seq(node, "list", list(obj.items))
            if isinstance(obj, py_ast.Dict) and not obj.comprehension and not node.keywords:
                return py_ast.Dict(node.span, list(obj.items))
            return node
        if not isinstance(func, py_ast.Name) or not self.builtin(func.name):
            return node
        if func.name in ("list", "tuple") and len(node.args) == 1 and not node.keywords:
            inner = self.evaluate(node.args[0])
            if isinstance(inner, py_ast.Seq) and inner.kind in ("list", "tuple"):
                return _seq(node, func.name, list(inner.items))
            return node
        if func.name == "dict" and len(node.args) <= 1:
            return self.dict_call(node)
        return node

    def dict_call(self, node: py_ast.Call) -> py_ast.Node:
        """``dict(x, k=v)``: a dict display, when ``x`` evaluates to one (or there is none)."""
        items: list[py_ast.DictItem | py_ast.Starred] = []
        if node.args:
            inner = self.evaluate(node.args[0])
            if not isinstance(inner, py_ast.Dict) or inner.comprehension:
                return node
            items.extend(inner.items)
        for keyword in node.keywords:
            if keyword.name == "**":
                inner = self.evaluate(keyword.value)
                if not isinstance(inner, py_ast.Dict) or inner.comprehension:
                    return node
                items.extend(inner.items)
                continue
            key = py_ast.Str(
                keyword.name_span, Literal(keyword.name, keyword.name_span, keyword.name)
            )
            items.append(py_ast.DictItem(key, self.evaluate(keyword.value)))
        return py_ast.Dict(node.span, items)

    # --- statements ---------------------------------------------------------------------------

    def bind(self, name: str, value: py_ast.Node) -> None:
        """``name = value`` (``value`` evaluated already)."""
        self.values[name] = value

    def forget(self, names: Iterable[str], span: Span) -> None:
        """The names are bound to what cannot be read here (an import, a loop...)."""
        for name in names:
            self.values[name] = py_ast.Opaque(span)

    def delete(self, name: str) -> None:
        self.values.pop(name, None)

    def augment(self, name: str, op: str, value: py_ast.Node, span: Span) -> None:
        """``name += value``, ``name |= value``: in place for a list or dict, as at runtime."""
        current = self.values.get(name)
        added = self.evaluate(value)
        if op == "+=" and isinstance(current, py_ast.Seq) and isinstance(added, py_ast.Seq):
            if current.kind == "list" and added.kind in ("list", "tuple"):
                items = list(added.items)
                current.items.extend(items)
                self.grown(current, None, items)
                return
            if current.kind == added.kind == "tuple":
                self.values[name] = py_ast.Seq(span, "tuple", [*current.items, *added.items])
                return
        if op == "|=" and isinstance(current, py_ast.Dict) and isinstance(added, py_ast.Dict):
            current.items.extend(added.items)
            return
        self.forget([name], span)

    def method(self, name: str, method: str, call: py_ast.Call, span: Span) -> None:
        """``name.method(...)`` as a statement: lists and dicts changed in place, as they run."""
        if method in _READING:
            return
        current = self.values.get(name)
        args = [self.evaluate(argument) for argument in call.args]
        if call.broken or call.comprehension:
            self.forget([name], span)
        elif isinstance(current, py_ast.Seq) and current.kind == "list" and not call.keywords:
            added = _list_method(current, method, args)
            if added is None:
                self.forget([name], span)
            else:
                self.grown(current, *added)
        elif isinstance(current, py_ast.Dict) and method == "update" and len(args) <= 1:
            update = self.dict_call(
                py_ast.Call(call.span, py_ast.Name(call.span, "dict"), args, call.keywords)
            )
            if isinstance(update, py_ast.Dict):
                current.items.extend(update.items)
            else:
                self.forget([name], span)
        elif name in self.values:
            self.forget([name], span)

    def set_item(self, name: str, index: py_ast.Node, value: py_ast.Node, span: Span) -> None:
        """``name[key] = value``: a dict gets (or replaces) the key; anything else is lost."""
        current = self.values.get(name)
        if isinstance(current, py_ast.Dict) and _key(index) is not None:
            current.items.append(py_ast.DictItem(index, self.evaluate(value)))
        elif name in self.values:
            self.forget([name], span)

    def delete_item(self, name: str, index: py_ast.Node, span: Span) -> None:
        current = self.values.get(name)
        key = _key(index)
        if isinstance(current, py_ast.Dict) and key is not None:
            current.items[:] = [
                item
                for item in current.items
                if isinstance(item, py_ast.Starred) or _key(item.key) != key
            ]
        elif name in self.values:
            self.forget([name], span)


def _list_method(
    current: py_ast.Seq, method: str, args: list[py_ast.Node]
) -> tuple[int | None, list[py_ast.Node]] | None:
    """Apply a list method to an evaluated list: where and what it added; None when it
    cannot be followed."""
    if method == "append" and len(args) == 1:
        current.items.append(args[0])
        return None, [args[0]]
    if method == "extend" and len(args) == 1 and isinstance(args[0], py_ast.Seq):
        if args[0].kind not in ("list", "tuple"):
            return None
        added = list(args[0].items)  # (before: "x.extend(x)" doubles x)
        current.items.extend(added)
        return None, added
    if method == "insert" and len(args) == 2:
        index = int_literal(args[0])
        if index is None:
            return None
        current.items.insert(index, args[1])
        return index, [args[1]]
    return None


def _joined(node: py_ast.BinOp, left: py_ast.Node, right: py_ast.Node) -> py_ast.Node | None:
    """``list + list``, ``tuple + tuple`` and ``dict | dict`` of evaluated displays."""
    if isinstance(left, py_ast.Seq) and isinstance(right, py_ast.Seq) and node.op == "+":
        same = left.kind == right.kind and left.kind in ("list", "tuple")
        return py_ast.Seq(node.span, left.kind, [*left.items, *right.items]) if same else None
    if isinstance(left, py_ast.Dict) and isinstance(right, py_ast.Dict) and node.op == "|":
        readable = not (left.comprehension or right.comprehension)
        return py_ast.Dict(node.span, [*left.items, *right.items]) if readable else None
    return None


def _seq(node: py_ast.Node, kind: str, items: list[py_ast.Node]) -> py_ast.Seq:
    return py_ast.Seq(node.span, kind, items)


def _key(node: py_ast.Node) -> str | None:
    if isinstance(node, py_ast.Str):
        return node.literal.value
    return None


def _lookup(mapping: py_ast.Dict, key: str) -> py_ast.Node | None:
    """The value a dict display gives ``key`` (the last item with it), if it surely has it."""
    found: py_ast.Node | None = None
    for item in mapping.items:
        if isinstance(item, py_ast.Starred):
            return None  # (what it unpacks may hold the key too)
        if _key(item.key) == key:
            found = item.value
    return found


def int_literal(node: py_ast.Node) -> int | None:
    """The value of an integer literal (None for anything else)."""
    if isinstance(node, py_ast.Const) and node.kind == "an integer":
        try:
            return int(node.text.replace("_", ""), 0)
        except ValueError:
            return None
    return None
