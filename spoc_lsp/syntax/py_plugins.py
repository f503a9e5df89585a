"""Following ``PLUGINS`` through a settings module's top-level statements, as Python would.

The state is what ``PLUGINS`` holds after each statement: a dict of group name to the group's
list (or tuple) of entries — real Python dicts and lists, so re-assignment, ``del``, key order
and aliasing (``PLUGINS["b"] = PLUGINS["a"]``) behave exactly as at runtime. What cannot be read
statically is reported (SPOC006, information) and left out, never guessed: a group whose value
is computed becomes :data:`UNKNOWN` and is not listed; a ``PLUGINS`` that comes from elsewhere
makes every group not assigned here unknown. Literals of the wrong type are SPOC005 errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spoc_lsp.syntax import py_ast as ast
from spoc_lsp.syntax.builder import GroupResult, ResultBuilder
from spoc_lsp.syntax.literal import NOTE_FSTRING, NOTE_MIXED, NOTE_TEMPLATE
from spoc_lsp.syntax.model import Span, StringSite

PLUGINS = "PLUGINS"
# Methods of dicts and lists that only read: calling them changes nothing.
_READING_METHODS = frozenset({"get", "copy", "keys", "values", "items", "count", "index"})
_KINDS = {"list": "a list", "tuple": "a tuple", "set": "a set"}


class _Unknown:
    """A group whose entries cannot be read statically."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(eq=False)
class Entries:
    """A group's list or tuple: the readable entries, in order (one object per runtime list)."""

    kind: str  # "list" or "tuple"
    sites: list[StringSite] = field(default_factory=list)


GroupValue = Entries | _Unknown


@dataclass
class State:
    """What ``PLUGINS`` holds: nothing yet, or groups (and whether others may exist unseen)."""

    defined: bool = False
    groups: dict[str, GroupValue] = field(default_factory=dict)
    keys: dict[str, Span] = field(default_factory=dict)  # where each group's name was written
    partial: bool = False  # groups may exist that these statements do not show


class SettingsReader:
    """Applies top-level statements to a :class:`State`, reporting what it cannot read."""

    def __init__(self, builder: ResultBuilder, quiet: bool = False) -> None:
        self.builder = builder
        self.quiet = quiet  # a dry run (inside an if block, say): sites only, no problems
        self.state = State()
        self.dict_rebound = False  # the module rebinds ``dict``: dict(...) is not the builtin
        self.star_import: ast.Import | None = None

    # --- reporting ----------------------------------------------------------------------------

    def unreadable(self, message: str, span: Span, group: str | None = None) -> None:
        if not self.quiet:
            self.builder.problem("SPOC006", message, span, "information", group)

    def wrong_type(self, message: str, span: Span, group: str | None = None) -> None:
        if not self.quiet:
            self.builder.problem("SPOC005", message, span, "error", group)

    def group_key(self, name: str, span: Span) -> None:
        if not self.quiet:
            self.builder.group_span(name, span)

    # --- results ------------------------------------------------------------------------------

    def groups(self) -> list[GroupResult]:
        return [
            GroupResult(name, self.state.keys.get(name), list(value.sites))
            for name, value in self.state.groups.items()
            if isinstance(value, Entries)
        ]

    # --- statements ---------------------------------------------------------------------------

    def statement(self, statement: ast.Stmt) -> None:
        if isinstance(statement, ast.Import):
            self.import_statement(statement)
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                self.assign(target, statement.value)
        elif isinstance(statement, ast.AnnAssign):
            if statement.value is not None:
                self.assign(statement.target, statement.value)
            elif _is_name(statement.target, "dict"):
                self.dict_rebound = True
        elif isinstance(statement, ast.AugAssign):
            self.augmented(statement)
        elif isinstance(statement, ast.ExprStmt):
            self.expression_statement(statement)
        elif isinstance(statement, ast.Delete):
            for target in statement.targets:
                self.delete(target, statement.span)

    def import_statement(self, statement: ast.Import) -> None:
        for name, _ in statement.names:
            if name == "dict":
                self.dict_rebound = True
            if name == PLUGINS:
                self.unreadable(
                    "PLUGINS comes from another module; its entries are not checked",
                    statement.span,
                )
                self.state = State(defined=True, partial=True)
        if statement.star:
            self.star_import = statement

    def use(self) -> None:
        """``PLUGINS`` is about to be read or changed: if only a star import defines it, say so."""
        if self.state.defined:
            return
        if self.star_import is not None:
            module = self.star_import.module or "another module"
            self.unreadable(
                f"PLUGINS may come from 'from {module} import *'; entries listed there are "
                "not checked",
                self.star_import.span,
            )
            self.state = State(defined=True, partial=True)
            return
        self.state = State(defined=True)  # a NameError at runtime: read on as if it were {}

    def assign(self, target: ast.Node, value: ast.Node) -> None:
        if target.broken and not isinstance(target, ast.Subscript):
            self.sites_in(value, None)  # a target being typed ("PLUGINS." ...): nothing yet
            return
        if _is_name(target, PLUGINS):
            self.assign_plugins(value)
        elif _is_name(target, "dict"):
            self.dict_rebound = True
        elif isinstance(target, ast.Subscript) and _is_name(target.obj, PLUGINS):
            self.use()
            name = self.group_name(target.index)
            if name is None:
                self.lose_unknown_key(target.index)
                self.sites_in(value, None)
                return
            self.set_group(name, target.index.span, self.group_value(name, value))
        elif _mentions_plugins(target):
            self.unreadable(
                "this change to PLUGINS cannot be read statically; it is not checked", target.span
            )
            self.sites_in(value, None)

    def assign_plugins(self, value: ast.Node) -> None:
        if isinstance(value, (ast.Damaged, ast.Missing)):
            return  # being typed: keep what PLUGINS was
        state = State(defined=True)
        if self.read_dict(value, state):
            self.state = state
            return
        self.state = State(defined=True, partial=True)

    def read_dict(self, value: ast.Node, state: State) -> bool:
        """Read a dict-valued expression into ``state``; False (reported) if it is not readable."""
        if isinstance(value, (ast.Damaged, ast.Missing, ast.OpenStr)):
            return True  # part of a syntax error: nothing (readable) was written here yet
        if isinstance(value, ast.Dict):
            if value.comprehension:
                self.unreadable("PLUGINS is computed; its entries are not checked", value.span)
                return False
            for item in value.items:
                if isinstance(item, ast.Starred):
                    if self.read_dict_unpacking(item, state):
                        continue
                    state.partial = True
                    continue
                self.read_item(item.key, item.value, state)
            return True
        if isinstance(value, ast.Call) and _is_name(value.func, "dict") and not self.dict_rebound:
            return self.read_dict_call(value, state)
        literal = _literal_kind(value)
        if literal is not None:
            self.wrong_type(
                f"PLUGINS must be a dict of group name to list of URIs, not {literal}", value.span
            )
            self.sites_in(value, None)
            return False
        self.unreadable("PLUGINS is computed; its entries are not checked", value.span)
        self.sites_in(value, None)
        return False

    def read_dict_unpacking(self, item: ast.Starred, state: State) -> bool:
        if isinstance(item.value, (ast.Dict, ast.Call)):
            return self.read_dict(item.value, state)
        self.unreadable("entries unpacked from here are not checked", item.span)
        return False

    def read_dict_call(self, call: ast.Call, state: State) -> bool:
        if call.comprehension or len(call.args) > 1:
            self.unreadable("PLUGINS is computed; its entries are not checked", call.span)
            return False
        for argument in call.args:
            if isinstance(argument, ast.Starred) or not self.read_dict(argument, state):
                if isinstance(argument, ast.Starred):
                    self.unreadable("entries unpacked from here are not checked", argument.span)
                state.partial = True
        for keyword in call.keywords:
            if keyword.name == "**":
                continue
            self.group_key(keyword.name, keyword.name_span)
            value = self.group_value(keyword.name, keyword.value)
            if value is not None:
                _store(state, keyword.name, keyword.name_span, value)
        return True

    def read_item(self, key: ast.Node, value: ast.Node, state: State) -> None:
        name = self.group_name(key)
        if name is None:
            if not isinstance(key, (ast.Damaged, ast.Missing, ast.OpenStr)):
                state.partial = True
            self.sites_in(value, None)
            return
        result = self.group_value(name, value)
        if result is not None:
            _store(state, name, key.span, result)

    def set_group(self, name: str, key: Span, value: GroupValue | None) -> None:
        if value is not None:
            _store(self.state, name, key, value)

    def lose_unknown_key(self, key: ast.Node) -> None:
        """A group was set under a name that cannot be read: it may be any group."""
        if isinstance(key, (ast.Damaged, ast.Missing, ast.OpenStr)):
            return
        self.state.partial = True

    # --- group names and values ---------------------------------------------------------------

    def group_name(self, key: ast.Node) -> str | None:
        """The group name ``key`` stands for (reported and None when it cannot be read)."""
        if isinstance(key, ast.Str):
            literal = key.literal
            if literal.value is not None:
                self.group_key(literal.value, key.span)
                return literal.value
            if literal.note in (NOTE_FSTRING,):
                self.unreadable("a computed group name: this group is not checked", key.span)
            else:
                kind = "bytes" if literal.note != NOTE_TEMPLATE else "a template string"
                self.wrong_type(f"PLUGINS group names must be strings, not {kind}", key.span)
            return None
        if isinstance(key, (ast.Damaged, ast.Missing, ast.OpenStr)):
            return None
        literal_kind = _literal_kind(key)
        if literal_kind is not None:
            self.wrong_type(f"PLUGINS group names must be strings, not {literal_kind}", key.span)
            return None
        self.unreadable("a computed group name: this group is not checked", key.span)
        return None

    def group_value(self, name: str, value: ast.Node) -> GroupValue | None:
        """What group ``name`` holds when given ``value``; None when nothing was typed yet."""
        if isinstance(value, (ast.Damaged, ast.Missing)):
            return None
        if isinstance(value, ast.OpenStr):
            self.builder.site(name, value.literal)
            return None
        if isinstance(value, ast.Seq):
            entries = self.entries(name, value)
            if value.kind == "set":
                self.wrong_type(
                    f"PLUGINS group {name!r} must be a list of URI strings, not a set",
                    value.span,
                    name,
                )
                return UNKNOWN
            return entries
        if isinstance(value, ast.Subscript) and _is_name(value.obj, PLUGINS):
            return self.group_reference(name, value)
        if isinstance(value, ast.BinOp):
            return self.concatenation(name, value)
        if isinstance(value, ast.Str):
            self.builder.site(name, value.literal)
        literal = _literal_kind(value)
        if literal is not None:
            self.wrong_type(
                f"PLUGINS group {name!r} must be a list of URI strings, not {literal}",
                value.span,
                name,
            )
            return UNKNOWN
        self.unreadable(
            f"group {name!r} is computed; its entries are not checked", value.span, name
        )
        self.sites_in(value, name)
        return UNKNOWN

    def group_reference(self, name: str, value: ast.Subscript) -> GroupValue:
        """``PLUGINS["other"]``: the very same list, as at runtime."""
        self.use()
        other = self.group_name(value.index)
        found = self.state.groups.get(other) if other is not None else None
        if found is None and other is not None and not self.state.partial:
            found = UNKNOWN  # a KeyError at runtime
        if isinstance(found, Entries):
            return found
        self.unreadable(
            f"group {other!r} is not known here; group {name!r} is not checked", value.span, name
        )
        return UNKNOWN

    def concatenation(self, name: str, value: ast.BinOp) -> GroupValue:
        parts = [
            self.quiet_group_value(name, value.left),
            self.quiet_group_value(name, value.right),
        ]
        left, right = parts
        if isinstance(left, Entries) and isinstance(right, Entries) and left.kind == right.kind:
            return Entries(left.kind, left.sites + right.sites)
        self.unreadable(
            f"group {name!r} is computed; its entries are not checked", value.span, name
        )
        return UNKNOWN

    def quiet_group_value(self, name: str, value: ast.Node) -> GroupValue | None:
        if isinstance(value, ast.Seq) and value.kind != "set":
            return self.entries(name, value)
        if isinstance(value, ast.Subscript) and _is_name(value.obj, PLUGINS):
            other = self.group_name(value.index)
            found = self.state.groups.get(other) if other is not None else None
            return found if isinstance(found, Entries) else UNKNOWN
        if isinstance(value, ast.BinOp):
            left = self.quiet_group_value(name, value.left)
            right = self.quiet_group_value(name, value.right)
            if isinstance(left, Entries) and isinstance(right, Entries) and left.kind == right.kind:
                return Entries(left.kind, left.sites + right.sites)
        self.sites_in(value, name)
        return UNKNOWN

    def entries(self, name: str, value: ast.Seq) -> Entries:
        """The readable entries of a list or tuple display (each other item reported)."""
        entries = Entries("tuple" if value.kind == "tuple" else "list")
        for number, item in enumerate(value.items, start=1):
            site = self.entry(name, number, item)
            if site is not None:
                entries.sites.append(site)
        return entries

    def entry(self, name: str, number: int, item: ast.Node) -> StringSite | None:
        if isinstance(item, ast.Str):
            literal = item.literal
            site = self.builder.site(name, literal)
            if literal.value is not None:
                return site
            if literal.note == NOTE_FSTRING:
                self.unreadable(
                    "an f-string with placeholders is computed; this entry is not checked",
                    item.span,
                    name,
                )
            else:
                kind = {NOTE_TEMPLATE: "a template string", NOTE_MIXED: "bytes and str"}.get(
                    literal.note or "", "bytes"
                )
                self.wrong_type(
                    f"PLUGINS group {name!r} entry {number} must be a string, not {kind}",
                    item.span,
                    name,
                )
            return None
        if isinstance(item, ast.OpenStr):
            self.builder.site(name, item.literal)
            return None
        if isinstance(item, (ast.Damaged, ast.Missing)):
            return None
        if isinstance(item, ast.Starred):
            self.unreadable("entries unpacked from here are not checked", item.span, name)
            return None
        literal_kind = _literal_kind(item)
        if literal_kind is not None:
            shown = (
                f" ({item.text})"
                if isinstance(item, ast.Const) and item.text != literal_kind
                else ""
            )
            message = f"PLUGINS group {name!r} entry {number} must be a string"
            self.wrong_type(f"{message}, not {literal_kind}{shown}", item.span, name)
            self.sites_in(item, name)
            return None
        self.unreadable("a computed entry: it is not checked", item.span, name)
        return None

    def sites_in(self, node: ast.Node, group: str | None) -> None:
        """Record the string sites in an expression that is not read (for completion)."""
        if isinstance(node, ast.OpenStr):
            self.builder.site(group, node.literal)
        elif isinstance(node, ast.Seq):
            for item in node.items:
                if isinstance(item, ast.Str) and item.literal.value is not None:
                    self.builder.site(group, item.literal)
                else:
                    self.sites_in(item, group)
        elif isinstance(node, ast.Dict):
            for entry in node.items:
                if isinstance(entry, ast.DictItem):
                    key = entry.key
                    name = key.literal.value if isinstance(key, ast.Str) else None
                    self.sites_in(entry.value, name)
        elif isinstance(node, (ast.Starred, ast.Opaque, ast.BinOp, ast.Call)):
            for child in _children(node):
                self.sites_in(child, group)

    # --- changes ------------------------------------------------------------------------------

    def augmented(self, statement: ast.AugAssign) -> None:
        target = statement.target
        if _is_name(target, PLUGINS):
            self.use()
            self.unreadable(
                f"'PLUGINS {statement.op} ...' cannot be read statically; it is not checked",
                statement.span,
            )
            self.forget(statement.value)
            return
        if not (isinstance(target, ast.Subscript) and _is_name(target.obj, PLUGINS)):
            if _mentions_plugins(target):
                self.unreadable(
                    "this change to PLUGINS cannot be read statically; it is not checked",
                    statement.span,
                )
            return
        self.use()
        name = self.group_name(target.index)
        if name is None:
            self.lose_unknown_key(target.index)
            return
        if statement.op != "+=":
            self.unreadable(
                f"'{statement.op}' on group {name!r} cannot be read statically",
                statement.span,
                name,
            )
            self.set_group(name, target.index.span, UNKNOWN)
            return
        added = self.group_value(name, statement.value)
        current = self.current(name, target.span)
        if added is None:
            return
        if isinstance(current, Entries) and isinstance(added, Entries):
            if current.kind == "list":
                current.sites.extend(added.sites)  # list += iterable: in place
            elif added.kind == "tuple":
                self.set_group(
                    name, target.index.span, Entries("tuple", current.sites + added.sites)
                )
            else:
                self.wrong_type(
                    f"a tuple cannot be extended with a list (group {name!r})",
                    statement.value.span,
                    name,
                )
                self.set_group(name, target.index.span, UNKNOWN)
        elif current is not None:
            self.set_group(name, target.index.span, UNKNOWN)

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
        if isinstance(found, _Unknown):
            self.unreadable(
                f"group {name!r} is not known here; this change is not checked", span, name
            )
        return found

    def forget(self, value: ast.Node) -> None:
        """An unreadable change to PLUGINS: any group it may touch is no longer known."""
        if isinstance(value, ast.Dict) and not value.comprehension:
            for item in value.items:
                if isinstance(item, ast.DictItem) and isinstance(item.key, ast.Str):
                    key_value = item.key.literal.value
                    if key_value is not None:
                        self.state.groups[key_value] = UNKNOWN
                        continue
                self.forget_all()
            return
        self.forget_all()

    def forget_all(self) -> None:
        self.state.groups = dict.fromkeys(self.state.groups, UNKNOWN)
        self.state.partial = True

    def expression_statement(self, statement: ast.ExprStmt) -> None:
        call = _method_call_being_typed(statement.value)
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attr):
            if _mentions_plugins_as_target(call):
                self.unreadable(
                    "this change to PLUGINS cannot be read statically; it is not checked",
                    statement.span,
                )
            return
        method = call.func.name
        obj = call.func.obj
        if _is_name(obj, PLUGINS):
            self.use()
            self.dict_method(method, call)
        elif isinstance(obj, ast.Subscript) and _is_name(obj.obj, PLUGINS):
            self.use()
            name = self.group_name(obj.index)
            if name is None:
                self.lose_unknown_key(obj.index)
                self.sites_in(call, None)
                return
            self.list_method(name, obj.index.span, method, call)
        elif (
            isinstance(obj, ast.Call)
            and isinstance(obj.func, ast.Attr)
            and obj.func.name == "setdefault"
            and _is_name(obj.func.obj, PLUGINS)
        ):
            self.use()
            name = self.setdefault(obj)
            if name is not None:
                self.list_method(name, obj.args[0].span, method, call)
            else:
                self.sites_in(call, None)

    def dict_method(self, method: str, call: ast.Call) -> None:
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
                _store(state, name, update.keys[name], value)
            return
        if method == "update" and not call.comprehension and len(call.args) <= 1:
            update = State(defined=True)
            readable = all(self.read_dict(argument, update) for argument in call.args)
            self.update_keywords(call, update)
            for name, value in update.groups.items():
                _store(state, name, update.keys[name], value)
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

    def update_keywords(self, call: ast.Call, update: State) -> None:
        for keyword in call.keywords:
            self.group_key(keyword.name, keyword.name_span)
            value = self.group_value(keyword.name, keyword.value)
            if value is not None:
                _store(update, keyword.name, keyword.name_span, value)

    def forget_all_but(self, kept: dict[str, GroupValue]) -> None:
        self.state.groups = {
            name: value if name in kept else UNKNOWN for name, value in self.state.groups.items()
        }
        self.state.partial = True

    def setdefault(self, call: ast.Call) -> str | None:
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
                _store(self.state, name, call.args[0].span, default)
        return name

    def list_method(self, name: str, key: Span, method: str, call: ast.Call) -> None:
        if method in _READING_METHODS:
            return
        current = self.current(name, key)
        arguments = call.args
        if method == "append" and len(arguments) == 1:
            added = self.group_value(name, ast.Seq(arguments[0].span, "list", arguments))
        elif method == "extend" and len(arguments) == 1:
            added = self.group_value(name, arguments[0])
        elif method == "insert" and len(arguments) == 2:
            added = self.group_value(name, ast.Seq(arguments[1].span, "list", arguments[1:]))
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
        self, current: Entries, method: str, added: Entries, call: ast.Call
    ) -> None:
        sites = current.sites
        if method in ("append", "extend"):
            sites.extend(added.sites)
        elif method == "insert":
            index = _int_literal(call.args[0])
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
            index = -1 if not call.args else _int_literal(call.args[0])
            if index is not None and -len(sites) <= index < len(sites):
                sites.pop(index)
        elif method == "remove" and len(call.args) == 1 and isinstance(call.args[0], ast.Str):
            value = call.args[0].literal.value
            match = next((s for s in sites if s.value == value), None)
            if match is not None:
                sites.remove(match)
        elif method in ("sort", "reverse") and not call.args:
            if method == "sort":
                sites.sort(key=lambda site: site.value or "")
            else:
                sites.reverse()

    def delete(self, target: ast.Node, span: Span) -> None:
        if _is_name(target, PLUGINS):
            self.state = State()
        elif isinstance(target, ast.Subscript) and _is_name(target.obj, PLUGINS):
            self.use()
            name = self.group_name(target.index)
            if name is None:
                self.forget_all()
                return
            self.state.groups.pop(name, None)
            self.state.keys.pop(name, None)
        elif _mentions_plugins(target):
            self.unreadable(
                "this change to PLUGINS cannot be read statically; it is not checked", span
            )


# --- helpers --------------------------------------------------------------------------------


def _method_call_being_typed(node: ast.Node) -> ast.Node:
    """``PLUGINS.update(...)[`` being typed: the call before the broken part (lenient)."""
    while node.broken:
        if isinstance(node, (ast.Attr, ast.Subscript)) and isinstance(node.obj, ast.Call):
            inner: ast.Node = node.obj
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Call):
            inner = node.func
        elif isinstance(node, ast.BinOp):
            inner = node.left
        elif isinstance(node, ast.Seq) and node.bare and node.items:
            inner = node.items[0]
        else:
            break
        inner.broken = True
        node = inner
    return node


def _store(state: State, name: str, key: Span, value: GroupValue) -> None:
    if name not in state.groups:
        state.keys[name] = key
    state.groups[name] = value


def _is_name(node: ast.Node, name: str) -> bool:
    return isinstance(node, ast.Name) and node.name == name


def _int_literal(node: ast.Node) -> int | None:
    if isinstance(node, ast.Const) and node.kind == "an integer":
        try:
            return int(node.text.replace("_", ""), 0)
        except ValueError:
            return None
    return None


def _literal_kind(node: ast.Node) -> str | None:
    """What literal ``node`` is, for a message ("a list", "an integer"...); None if it is not."""
    if isinstance(node, ast.Str):
        note = node.literal.note
        if note is None:
            return "a string"
        return None if note == NOTE_FSTRING else "bytes" if note != NOTE_TEMPLATE else None
    if isinstance(node, ast.Const):
        return node.kind
    if isinstance(node, ast.Seq) and not node.comprehension:
        return _KINDS[node.kind]
    if isinstance(node, ast.Dict) and not node.comprehension:
        return "a dict"
    return None


def _children(node: ast.Node) -> list[ast.Node]:
    if isinstance(node, ast.Starred):
        return [node.value]
    if isinstance(node, ast.Opaque):
        return [node.head] if node.head is not None else []
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.Call):
        return [*node.args, *(keyword.value for keyword in node.keywords)]
    return []


def _mentions_plugins(node: ast.Node) -> bool:
    """Whether an assignment target involves ``PLUGINS`` (``a, PLUGINS = ...``, say)."""
    if isinstance(node, ast.Name):
        return node.name == PLUGINS
    if isinstance(node, (ast.Attr, ast.Subscript)):
        return _mentions_plugins(node.obj)
    if isinstance(node, ast.Seq):
        return any(_mentions_plugins(item) for item in node.items)
    if isinstance(node, ast.Starred):
        return _mentions_plugins(node.value)
    return False


def _mentions_plugins_as_target(node: ast.Node) -> bool:
    """A call on ``PLUGINS`` (or on one of its groups) that is not a form the reader follows."""
    if isinstance(node, ast.Call):
        return _mentions_plugins_as_target(node.func)
    if isinstance(node, ast.Attr):
        return _mentions_plugins(node.obj)
    return False
