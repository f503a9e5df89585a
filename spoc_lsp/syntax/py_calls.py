"""Calls a settings module makes on ``PLUGINS`` and its groups, applied as they run.

``PLUGINS.update()``, ``setdefault()``, ``pop()``, ``clear()``; a group's ``append()``,
``extend()``, ``insert()``, ``remove()``, ``pop()``, ``clear()``, ``sort()``, ``reverse()``.
Methods that only read change nothing; any other call is reported (SPOC006) and makes what it
may touch unknown. A call being typed (``damaged``) never drops what was there.
"""

from __future__ import annotations

from spoc_lsp.syntax import py_ast
from spoc_lsp.syntax.model import Span
from spoc_lsp.syntax.py_names import int_literal
from spoc_lsp.syntax.py_values import (
    PLUGINS,
    UNKNOWN,
    Entries,
    GroupValue,
    State,
    ValueReader,
    is_name,
    mentions_plugins,
    store,
)

# Methods of dicts and lists that only read: calling them changes nothing.
_READING_METHODS = frozenset({"get", "copy", "keys", "values", "items", "count", "index"})


class CallReader(ValueReader):
    """Applies calls on ``PLUGINS`` (and the state changes they share with assignments)."""

    def set_group(self, name: str, key: Span, value: GroupValue | None) -> None:
        if value is not None:
            store(self.state, name, key, value)

    def lose_unknown_key(self, key: py_ast.Node) -> None:
        """A group was set under a name that cannot be read: it may be any group."""
        if isinstance(key, (py_ast.Damaged, py_ast.Missing, py_ast.OpenStr)):
            return
        self.state.partial = True

    def current(self, name: str, span: Span) -> GroupValue | None:
        """The value of an existing group about to be changed (None if there is none)."""
        found = self.state.groups.get(name)
        if found is None:
            if self.state.partial:
                self.unreadable(
                    f"group {name!r} is not known here; this change is not checked", span, name
                )
                return UNKNOWN
            self.unreadable(
                f"there is no group {name!r} here (a KeyError at runtime); "
                "this change is not checked",
                span,
                name,
            )
            return None
        if found is UNKNOWN:
            self.unreadable(
                f"group {name!r} is not known here; this change is not checked", span, name
            )
        return found

    def forget_all(self) -> None:
        self.state.groups = dict.fromkeys(self.state.groups, UNKNOWN)
        self.state.partial = True

    def calls_in(self, value: py_ast.Node, span: Span) -> None:
        """``x = PLUGINS.pop("g")``: the call runs before the assignment, and changes PLUGINS."""
        if isinstance(value, py_ast.Call) and _mentions_plugins_as_target(value):
            self.expression_statement(py_ast.ExprStmt(span, value))

    def expression_statement(self, statement: py_ast.ExprStmt) -> None:
        value = statement.value
        if isinstance(value, py_ast.Seq) and value.bare:  # "f(), g()": each call runs, in order
            for item in value.items:
                damaged = statement.damaged or value.broken
                self.expression_statement(py_ast.ExprStmt(statement.span, item, damaged=damaged))
            return
        call = _method_call_being_typed(value)
        if statement.damaged:  # being typed: read leniently, as a broken call
            call.broken = True
        if not isinstance(call, py_ast.Call) or not isinstance(call.func, py_ast.Attr):
            if _mentions_plugins_as_target(call):
                self.unreadable(
                    "this change to PLUGINS cannot be read statically; it is not checked",
                    statement.span,
                )
            return
        method = call.func.name
        obj = call.func.obj
        if isinstance(obj, py_ast.Name) and obj.name != PLUGINS:
            self.names.method(obj.name, method, call, statement.span)
        elif is_name(obj, PLUGINS):
            self.use()
            self.dict_method(method, call)
        elif isinstance(obj, py_ast.Subscript) and is_name(obj.obj, PLUGINS):
            self.use()
            name = self.group_name(obj.index)
            if name is None:
                self.lose_unknown_key(obj.index)
                self.sites_in(call, None)
                return
            self.list_method(name, obj.index.span, method, call)
        elif (
            isinstance(obj, py_ast.Call)
            and isinstance(obj.func, py_ast.Attr)
            and obj.func.name == "setdefault"
            and is_name(obj.func.obj, PLUGINS)
        ):
            self.use()
            name = self.setdefault(obj)
            if name is not None:
                self.list_method(name, obj.args[0].span, method, call)
            else:
                self.sites_in(call, None)

    def dict_method(self, method: str, call: py_ast.Call) -> None:
        if method in _READING_METHODS:
            return
        state = self.state
        if call.broken and method == "update":  # being typed: read what is there, lose nothing
            self.quiet, quiet = True, self.quiet
            try:
                update = State(defined=True)
                for argument in call.args:
                    self.read_dict(argument, update)
                self.update_keywords(call, update)
            finally:
                self.quiet = quiet
            for name, value in update.groups.items():
                store(state, name, update.keys[name], value)
            return
        if method == "update" and not call.comprehension and len(call.args) <= 1:
            update = State(defined=True)
            readable = all(self.read_dict(argument, update) for argument in call.args)
            self.update_keywords(call, update)
            for name, value in update.groups.items():
                store(state, name, update.keys[name], value)
            if not readable or update.partial:
                self.forget_all_but(update.groups)
            return
        if method == "setdefault":
            self.setdefault(call)
            return
        if method == "pop" and len(call.args) in (1, 2):
            popped = self.group_name(call.args[0])
            if popped is not None:
                state.groups.pop(popped, None)
                state.keys.pop(popped, None)
            else:
                self.forget_all()
            return
        if method == "clear" and not call.args:
            self.state = State(defined=True)
            return
        self.sites_in(call, None)
        if call.broken:  # being typed: keep PLUGINS as it was
            return
        self.unreadable(
            f"PLUGINS.{method}() cannot be read statically; it is not checked", call.span
        )
        self.forget_all()

    def update_keywords(self, call: py_ast.Call, update: State) -> None:
        for keyword in call.keywords:
            self.group_key(keyword.name, keyword.name_span)
            value = self.group_value(keyword.name, keyword.value)
            if value is not None:
                store(update, keyword.name, keyword.name_span, value)

    def forget_all_but(self, kept: dict[str, GroupValue]) -> None:
        self.state.groups = {
            name: value if name in kept else UNKNOWN for name, value in self.state.groups.items()
        }
        self.state.partial = True

    def setdefault(self, call: py_ast.Call) -> str | None:
        """``PLUGINS.setdefault(name, default)``: the group name, if it can be read."""
        if not call.args or call.keywords or len(call.args) > 2:
            self.unreadable("this change to PLUGINS cannot be read statically", call.span)
            return None
        name = self.group_name(call.args[0])
        if name is None:
            self.lose_unknown_key(call.args[0])
            return None
        # With no default the group becomes None, and a later .append() fails at runtime.
        default = self.group_value(name, call.args[1]) if len(call.args) == 2 else UNKNOWN
        if name not in self.state.groups:
            if self.state.partial:
                default = UNKNOWN
            if default is not None:
                store(self.state, name, call.args[0].span, default)
        return name

    def list_method(self, name: str, key: Span, method: str, call: py_ast.Call) -> None:
        if method in _READING_METHODS:
            return
        current = self.current(name, key)
        arguments = call.args
        if method == "append" and len(arguments) == 1:
            added = self.group_value(name, py_ast.Seq(arguments[0].span, "list", arguments))
        elif method == "extend" and len(arguments) == 1:
            added = self.group_value(name, arguments[0])
        elif method == "insert" and len(arguments) == 2:
            added = self.group_value(name, py_ast.Seq(arguments[1].span, "list", arguments[1:]))
        elif method in ("clear", "pop", "remove", "sort", "reverse"):
            added = Entries("list")
        elif call.broken:  # being typed: keep the group as it was
            self.sites_in(call, name)
            return
        else:
            self.unreadable(
                f"PLUGINS[{name!r}].{method}() cannot be read statically; it is not checked",
                call.span,
                name,
            )
            self.sites_in(call, name)
            self.set_group(name, key, UNKNOWN)
            return
        if current is None or added is None:
            return
        if not isinstance(current, Entries) or not isinstance(added, Entries):
            self.set_group(name, key, UNKNOWN)
            return
        if current.kind == "tuple":
            self.wrong_type(
                f"PLUGINS group {name!r} is a tuple: it has no {method}() method", call.span, name
            )
            return
        self.apply_list_method(current, method, added, call)

    def apply_list_method(
        self, current: Entries, method: str, added: Entries, call: py_ast.Call
    ) -> None:
        sites = current.sites
        if method in ("append", "extend"):
            sites.extend(added.sites)
        elif method == "insert":
            index = int_literal(call.args[0])
            if index is None:
                self.unreadable(
                    "a computed position: the entry is added at the end here", call.args[0].span
                )
                sites.extend(added.sites)
            else:
                sites[index:index] = added.sites
        elif method == "clear" and not call.args:
            sites.clear()
        elif method == "pop" and len(call.args) <= 1:
            index = -1 if not call.args else int_literal(call.args[0])
            if index is not None and -len(sites) <= index < len(sites):
                sites.pop(index)
        elif method == "remove" and len(call.args) == 1 and isinstance(call.args[0], py_ast.Str):
            value = call.args[0].literal.value
            match = next((s for s in sites if s.value == value), None)
            if match is not None:
                sites.remove(match)
        elif method in ("sort", "reverse") and not call.args:
            if method == "sort":
                sites.sort(key=lambda site: site.value or "")
            else:
                sites.reverse()


# --- helpers --------------------------------------------------------------------------------


def _method_call_being_typed(node: py_ast.Node) -> py_ast.Node:
    """``PLUGINS.update(...)[`` being typed: the call before the broken part (lenient)."""
    while node.broken:
        if isinstance(node, (py_ast.Attr, py_ast.Subscript)) and isinstance(
            node.obj, (py_ast.Call, py_ast.Attr, py_ast.Subscript)
        ):
            inner: py_ast.Node = node.obj  # (".a[" after the call: strip trailers down to it)
        elif isinstance(node, py_ast.Call) and isinstance(
            node.func, (py_ast.Call, py_ast.Subscript)
        ):
            inner = node.func
        elif isinstance(node, py_ast.BinOp):
            inner = node.left
        elif isinstance(node, py_ast.Seq) and node.bare and node.items:
            inner = node.items[0]
        elif isinstance(node, py_ast.Opaque) and node.first is not None:
            inner = node.first
        else:
            break
        inner.broken = True
        node = inner
    return node


def _mentions_plugins_as_target(node: py_ast.Node) -> bool:
    """A call on ``PLUGINS`` (or on one of its groups) that is not a form the reader follows."""
    if isinstance(node, py_ast.Call):
        return _mentions_plugins_as_target(node.func)
    if isinstance(node, py_ast.Attr):
        return mentions_plugins(node.obj)
    return False
