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

from collections.abc import Iterable

from spoc_lsp.syntax import py_ast as ast
from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import Span

_BUILTINS = frozenset({"list", "tuple", "dict"})
_READING = frozenset({"copy", "get", "keys", "values", "items", "count", "index"})


class Names:
    """The module's names and what they are bound to (see the module docstring)."""

    def __init__(self) -> None:
        self.values: dict[str, ast.Node] = {}

    # --- evaluation ---------------------------------------------------------------------------

    def builtin(self, name: str) -> bool:
        """Whether ``name`` (``list``, ``dict``...) is still the builtin (the module kept it)."""
        return name in _BUILTINS and name not in self.values

    def evaluate(self, node: ast.Node) -> ast.Node:
        """``node`` with names, unpacking, copies and concatenation worked out (see module doc).

        A node with nothing to work out is returned as it is (the very same object).
        """
        if node.broken:
            return node
        if isinstance(node, ast.Name):
            return self.values.get(node.name, node)
        if isinstance(node, ast.Seq) and node.kind in ("list", "tuple") and not node.comprehension:
            items = self.items(node.items)
            return node if items is None else _seq(node, node.kind, items)
        if isinstance(node, ast.Dict) and not node.comprehension:
            pairs = self.pairs(node.items)
            return node if pairs is None else ast.Dict(node.span, pairs)
        if isinstance(node, ast.BinOp):
            return self.operation(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            obj = self.evaluate(node.obj)
            key = _key(node.index)
            if isinstance(obj, ast.Dict) and key is not None:
                found = _lookup(obj, key)
                if found is not None:
                    return found
        return node

    def items(self, items: list[ast.Node]) -> list[ast.Node] | None:
        """A display's items with names and ``*x`` unpacking worked out; None if none changed."""
        result: list[ast.Node] = []
        changed = False
        for item in items:
            if isinstance(item, ast.Starred) and not item.double:
                inner = self.evaluate(item.value)
                if isinstance(inner, ast.Seq) and inner.kind in ("list", "tuple"):
                    result.extend(inner.items)
                    changed = True
                    continue
            value = self.evaluate(item)
            changed = changed or value is not item
            result.append(value)
        return result if changed else None

    def pairs(
        self, items: list[ast.DictItem | ast.Starred]
    ) -> list[ast.DictItem | ast.Starred] | None:
        """A dict display's items with ``**x`` unpacking and values worked out; None if the same."""
        result: list[ast.DictItem | ast.Starred] = []
        changed = False
        for item in items:
            if isinstance(item, ast.Starred):
                inner = self.evaluate(item.value)
                if isinstance(inner, ast.Dict) and not inner.comprehension:
                    result.extend(inner.items)
                    changed = True
                else:
                    result.append(item)
                continue
            value = self.evaluate(item.value)
            changed = changed or value is not item.value
            result.append(item if value is item.value else ast.DictItem(item.key, value))
        return result if changed else None

    def operation(self, node: ast.BinOp) -> ast.Node:
        left = self.evaluate(node.left)
        right = self.evaluate(node.right)
        joined = _joined(node, left, right)
        if joined is not None:
            return joined
        if left is node.left and right is node.right:
            return node
        return ast.BinOp(node.span, node.op, left, right)

    def call(self, node: ast.Call) -> ast.Node:
        func = node.func
        if node.comprehension:
            return node
        if isinstance(func, ast.Attr) and func.name == "copy" and not node.args:
            obj = self.evaluate(func.obj)
            if isinstance(obj, ast.Seq) and obj.kind == "list" and not node.keywords:
                return _seq(node, "list", list(obj.items))
            if isinstance(obj, ast.Dict) and not obj.comprehension and not node.keywords:
                return ast.Dict(node.span, list(obj.items))
            return node
        if not isinstance(func, ast.Name) or not self.builtin(func.name):
            return node
        if func.name in ("list", "tuple") and len(node.args) == 1 and not node.keywords:
            inner = self.evaluate(node.args[0])
            if isinstance(inner, ast.Seq) and inner.kind in ("list", "tuple"):
                return _seq(node, func.name, list(inner.items))
            return node
        if func.name == "dict" and len(node.args) <= 1:
            return self.dict_call(node)
        return node

    def dict_call(self, node: ast.Call) -> ast.Node:
        """``dict(x, k=v)``: a dict display, when ``x`` evaluates to one (or there is none)."""
        items: list[ast.DictItem | ast.Starred] = []
        if node.args:
            inner = self.evaluate(node.args[0])
            if not isinstance(inner, ast.Dict) or inner.comprehension:
                return node
            items.extend(inner.items)
        for keyword in node.keywords:
            if keyword.name == "**":
                inner = self.evaluate(keyword.value)
                if not isinstance(inner, ast.Dict) or inner.comprehension:
                    return node
                items.extend(inner.items)
                continue
            key = ast.Str(keyword.name_span, Literal(keyword.name, keyword.name_span, keyword.name))
            items.append(ast.DictItem(key, self.evaluate(keyword.value)))
        return ast.Dict(node.span, items)

    # --- statements ---------------------------------------------------------------------------

    def bind(self, name: str, value: ast.Node) -> None:
        """``name = value`` (``value`` evaluated already)."""
        self.values[name] = value

    def forget(self, names: Iterable[str], span: Span) -> None:
        """The names are bound to what cannot be read here (an import, a loop...)."""
        for name in names:
            self.values[name] = ast.Opaque(span)

    def delete(self, name: str) -> None:
        self.values.pop(name, None)

    def augment(self, name: str, op: str, value: ast.Node, span: Span) -> None:
        """``name += value``, ``name |= value``: in place for a list or dict, as at runtime."""
        current = self.values.get(name)
        added = self.evaluate(value)
        if op == "+=" and isinstance(current, ast.Seq) and isinstance(added, ast.Seq):
            if current.kind == "list" and added.kind in ("list", "tuple"):
                current.items.extend(added.items)
                return
            if current.kind == added.kind == "tuple":
                self.values[name] = ast.Seq(span, "tuple", [*current.items, *added.items])
                return
        if op == "|=" and isinstance(current, ast.Dict) and isinstance(added, ast.Dict):
            current.items.extend(added.items)
            return
        self.forget([name], span)

    def method(self, name: str, method: str, call: ast.Call, span: Span) -> None:
        """``name.method(...)`` as a statement: lists and dicts changed in place, as they run."""
        if method in _READING:
            return
        current = self.values.get(name)
        args = [self.evaluate(argument) for argument in call.args]
        if call.broken or call.comprehension:
            self.forget([name], span)
        elif isinstance(current, ast.Seq) and current.kind == "list" and not call.keywords:
            if not _list_method(current, method, args):
                self.forget([name], span)
        elif isinstance(current, ast.Dict) and method == "update" and len(args) <= 1:
            update = self.dict_call(
                ast.Call(call.span, ast.Name(call.span, "dict"), args, call.keywords)
            )
            if isinstance(update, ast.Dict):
                current.items.extend(update.items)
            else:
                self.forget([name], span)
        elif name in self.values:
            self.forget([name], span)

    def set_item(self, name: str, index: ast.Node, value: ast.Node, span: Span) -> None:
        """``name[key] = value``: a dict gets (or replaces) the key; anything else is lost."""
        current = self.values.get(name)
        if isinstance(current, ast.Dict) and _key(index) is not None:
            current.items.append(ast.DictItem(index, self.evaluate(value)))
        elif name in self.values:
            self.forget([name], span)

    def delete_item(self, name: str, index: ast.Node, span: Span) -> None:
        current = self.values.get(name)
        key = _key(index)
        if isinstance(current, ast.Dict) and key is not None:
            current.items[:] = [
                item
                for item in current.items
                if isinstance(item, ast.Starred) or _key(item.key) != key
            ]
        elif name in self.values:
            self.forget([name], span)


def _list_method(current: ast.Seq, method: str, args: list[ast.Node]) -> bool:
    """Apply a list method to an evaluated list; False when it cannot be followed."""
    if method == "append" and len(args) == 1:
        current.items.append(args[0])
    elif method == "extend" and len(args) == 1 and isinstance(args[0], ast.Seq):
        if args[0].kind not in ("list", "tuple"):
            return False
        current.items.extend(args[0].items)
    elif method == "insert" and len(args) == 2:
        index = _int(args[0])
        if index is None:
            return False
        current.items.insert(index, args[1])
    else:
        return False
    return True


def _joined(node: ast.BinOp, left: ast.Node, right: ast.Node) -> ast.Node | None:
    """``list + list``, ``tuple + tuple`` and ``dict | dict`` of evaluated displays."""
    if isinstance(left, ast.Seq) and isinstance(right, ast.Seq) and node.op == "+":
        same = left.kind == right.kind and left.kind in ("list", "tuple")
        return ast.Seq(node.span, left.kind, [*left.items, *right.items]) if same else None
    if isinstance(left, ast.Dict) and isinstance(right, ast.Dict) and node.op == "|":
        readable = not (left.comprehension or right.comprehension)
        return ast.Dict(node.span, [*left.items, *right.items]) if readable else None
    return None


def _seq(node: ast.Node, kind: str, items: list[ast.Node]) -> ast.Seq:
    return ast.Seq(node.span, kind, items)


def _key(node: ast.Node) -> str | None:
    if isinstance(node, ast.Str):
        return node.literal.value
    return None


def _lookup(mapping: ast.Dict, key: str) -> ast.Node | None:
    """The value a dict display gives ``key`` (the last item with it), if it surely has it."""
    found: ast.Node | None = None
    for item in mapping.items:
        if isinstance(item, ast.Starred):
            return None  # (what it unpacks may hold the key too)
        if _key(item.key) == key:
            found = item.value
    return found


def _int(node: ast.Node) -> int | None:
    if isinstance(node, ast.Const) and node.kind == "an integer":
        try:
            return int(node.text.replace("_", ""), 0)
        except ValueError:
            return None
    return None
