"""What a value in a settings module means for ``PLUGINS``: group names, groups, entries.

The state is what ``PLUGINS`` holds: a dict of group name to the group's list (or tuple) of
entries — real Python dicts and lists, so that key order and aliasing (``PLUGINS["b"] =
PLUGINS["a"]``) behave exactly as at runtime. A value that cannot be read statically is
reported (SPOC006, information) and left out, never guessed: a group whose value is computed
is :data:`UNKNOWN`. A literal of the wrong type is a SPOC005 error. Strings met along the way
are plugin string sites, for completion, even where they are not entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from spoc_lsp.syntax import py_ast
from spoc_lsp.syntax.builder import ResultBuilder
from spoc_lsp.syntax.literal import NOTE_FSTRING, NOTE_MIXED, NOTE_TEMPLATE
from spoc_lsp.syntax.model import Span, StringSite
from spoc_lsp.syntax.py_imports import Imports
from spoc_lsp.syntax.py_names import Names

PLUGINS = "PLUGINS"
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


class ValueReader:
    """Reads values into groups and entries, against the current :class:`State`."""

    def __init__(
        self,
        builder: ResultBuilder,
        quiet: bool = False,
        imports: Imports | None = None,
        file: Path | None = None,
    ) -> None:
        self.builder = builder
        self.imports = imports  # the project modules this module's imports run (split settings)
        self.file = file  # the module being read (what relative imports are relative to)
        self.quiet = quiet  # a dry run (inside an if block, say): sites only, no problems
        self.state = State()
        self.dict_rebound = False  # the module rebinds ``dict``: dict(...) is not the builtin
        self.names = Names(builder.list_watchers)
        self.star_import: py_ast.Import | None = None

    def unreadable(self, message: str, span: Span, group: str | None = None) -> None:
        if not self.quiet:
            self.builder.problem("SPOC006", message, span, "information", group)

    def wrong_type(self, message: str, span: Span, group: str | None = None) -> None:
        if not self.quiet:
            self.builder.problem("SPOC005", message, span, "error", group)

    def group_key(self, name: str, span: Span) -> None:
        if not self.quiet:
            self.builder.group_span(name, span)

    def use(self) -> None:
        """``PLUGINS`` is about to be read or changed: if only a star import defines it, say so."""
        if self.state.defined:
            return
        if self.star_import is not None:
            star = self.star_import
            module = (
                "." * star.level + star.module if star.level or star.module else "another module"
            )
            self.unreadable(
                f"PLUGINS may come from 'from {module} import *'; entries listed there are "
                "not checked",
                self.star_import.span,
            )
            self.state = State(defined=True, partial=True)
            return
        self.state = State(defined=True)  # a NameError at runtime: read on as if it were {}

    def read_dict(self, value: py_ast.Node, state: State) -> bool:
        """Read a dict-valued expression into ``state``; False (reported) if it is not readable."""
        value = self.names.evaluate(value)
        if isinstance(value, (py_ast.Damaged, py_ast.Missing, py_ast.OpenStr)):
            return True  # part of a syntax error: nothing (readable) was written here yet
        if isinstance(value, py_ast.Dict):
            if value.comprehension:
                self.unreadable("PLUGINS is computed; its entries are not checked", value.span)
                return False
            for item in value.items:
                if isinstance(item, py_ast.Starred):
                    if self.read_dict_unpacking(item, state):
                        continue
                    state.partial = True
                    continue
                self.read_item(item.key, item.value, state)
            return True
        if isinstance(value, py_ast.Call) and is_name(value.func, "dict") and not self.dict_rebound:
            return self.read_dict_call(value, state)
        literal = literal_kind(value)
        if literal is not None:
            self.wrong_type(
                f"PLUGINS must be a dict of group name to list of URIs, not {literal}", value.span
            )
            self.sites_in(value, None)
            return False
        self.unreadable("PLUGINS is computed; its entries are not checked", value.span)
        self.sites_in(value, None)
        return False

    def read_dict_unpacking(self, item: py_ast.Starred, state: State) -> bool:
        if isinstance(item.value, (py_ast.Dict, py_ast.Call)):
            return self.read_dict(item.value, state)
        self.unreadable("entries unpacked from here are not checked", item.span)
        return False

    def read_dict_call(self, call: py_ast.Call, state: State) -> bool:
        if call.comprehension or len(call.args) > 1:
            self.unreadable("PLUGINS is computed; its entries are not checked", call.span)
            return False
        for argument in call.args:
            if isinstance(argument, py_ast.Starred) or not self.read_dict(argument, state):
                if isinstance(argument, py_ast.Starred):
                    self.unreadable("entries unpacked from here are not checked", argument.span)
                state.partial = True
        for keyword in call.keywords:
            if keyword.name == "**":
                continue
            self.group_key(keyword.name, keyword.name_span)
            value = self.group_value(keyword.name, keyword.value)
            if value is not None:
                store(state, keyword.name, keyword.name_span, value)
        return True

    def read_item(self, key: py_ast.Node, value: py_ast.Node, state: State) -> None:
        name = self.group_name(key)
        if name is None:
            if not isinstance(key, (py_ast.Damaged, py_ast.Missing, py_ast.OpenStr)):
                state.partial = True
            self.sites_in(value, None)
            return
        result = self.group_value(name, value)
        if result is not None:
            store(state, name, key.span, result)

    def group_name(self, key: py_ast.Node) -> str | None:
        """The group name ``key`` stands for (reported and None when it cannot be read)."""
        if isinstance(key, py_ast.Str):
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
        if isinstance(key, (py_ast.Damaged, py_ast.Missing, py_ast.OpenStr)):
            return None
        literal_type = literal_kind(key)
        if literal_type is not None:
            message = f"PLUGINS group names must be strings, not {literal_type}"
            self.wrong_type(message, key.span)
            return None
        self.unreadable("a computed group name: this group is not checked", key.span)
        return None

    def group_value(self, name: str, value: py_ast.Node) -> GroupValue | None:
        """What group ``name`` holds when given ``value``; None when nothing was typed yet."""
        value = self.names.evaluate(value)
        if isinstance(value, (py_ast.Damaged, py_ast.Missing)):
            return None
        if isinstance(value, py_ast.OpenStr):
            self.builder.site(name, value.literal)
            return None
        if isinstance(value, py_ast.Seq):
            entries = self.entries(name, value)
            if value.kind == "set":
                self.wrong_type(
                    f"PLUGINS group {name!r} must be a list of URI strings, not a set",
                    value.span,
                    name,
                )
                return UNKNOWN
            return entries
        if isinstance(value, py_ast.Subscript) and is_name(value.obj, PLUGINS):
            return self.group_reference(name, value)
        if isinstance(value, py_ast.BinOp) and value.op == "+":
            return self.concatenation(name, value)
        if isinstance(value, py_ast.Str):
            self.builder.site(name, value.literal)
        literal = literal_kind(value)
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

    def group_reference(self, name: str, value: py_ast.Subscript) -> GroupValue:
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

    def concatenation(self, name: str, value: py_ast.BinOp) -> GroupValue:
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

    def quiet_group_value(self, name: str, value: py_ast.Node) -> GroupValue | None:
        if isinstance(value, py_ast.Seq) and value.kind != "set":
            return self.entries(name, value)
        if isinstance(value, py_ast.Subscript) and is_name(value.obj, PLUGINS):
            other = self.group_name(value.index)
            found = self.state.groups.get(other) if other is not None else None
            return found if isinstance(found, Entries) else UNKNOWN
        if isinstance(value, py_ast.BinOp) and value.op == "+":
            left = self.quiet_group_value(name, value.left)
            right = self.quiet_group_value(name, value.right)
            if isinstance(left, Entries) and isinstance(right, Entries) and left.kind == right.kind:
                return Entries(left.kind, left.sites + right.sites)
        self.sites_in(value, name)
        return UNKNOWN

    def entries(self, name: str, value: py_ast.Seq) -> Entries:
        """The readable entries of a list or tuple display (each other item reported)."""
        entries = Entries("tuple" if value.kind == "tuple" else "list")
        for number, item in enumerate(value.items, start=1):
            site = self.entry(name, number, item)
            if site is not None:
                entries.sites.append(site)
        if value.kind == "list":
            aligned = len(entries.sites) == len(value.items)

            def grow(index: int | None, items: list[py_ast.Node]) -> None:
                """The list grew (``BASE.append(...)`` after ``{"g": BASE}``): so does the group."""
                added = [self.entry(name, 0, item) for item in items]
                sites = [site for site in added if site is not None]
                if index is None or not aligned:
                    entries.sites.extend(sites)
                else:
                    entries.sites[index:index] = sites

            self.names.watch(value, grow)
        return entries

    def entry(self, name: str, number: int, item: py_ast.Node) -> StringSite | None:
        if isinstance(item, py_ast.Str):
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
        if isinstance(item, py_ast.OpenStr):
            self.builder.site(name, item.literal)
            return None
        if isinstance(item, (py_ast.Damaged, py_ast.Missing)):
            return None
        if isinstance(item, py_ast.Starred):
            self.unreadable("entries unpacked from here are not checked", item.span, name)
            return None
        literal_type = literal_kind(item)
        if literal_type is not None:
            written = isinstance(item, py_ast.Const) and item.text != literal_type
            shown = f" ({item.text})" if isinstance(item, py_ast.Const) and written else ""
            message = f"PLUGINS group {name!r} entry {number} must be a string"
            self.wrong_type(f"{message}, not {literal_type}{shown}", item.span, name)
            self.sites_in(item, name)
            return None
        self.unreadable("a computed entry: it is not checked", item.span, name)
        return None

    def sites_in(self, node: py_ast.Node, group: str | None) -> None:
        """Record the string sites in an expression that is not read (for completion)."""
        if isinstance(node, py_ast.OpenStr):
            self.builder.site(group, node.literal)
        elif isinstance(node, py_ast.Seq):
            for item in node.items:
                if isinstance(item, py_ast.Str) and item.literal.value is not None:
                    self.builder.site(group, item.literal)
                else:
                    self.sites_in(item, group)
        elif isinstance(node, py_ast.Dict):
            for entry in node.items:
                if isinstance(entry, py_ast.DictItem):
                    key = entry.key
                    name = key.literal.value if isinstance(key, py_ast.Str) else None
                    self.sites_in(entry.value, name)
        elif isinstance(node, (py_ast.Starred, py_ast.Opaque, py_ast.BinOp, py_ast.Call)):
            for child in _children(node):
                self.sites_in(child, group)


def store(state: State, name: str, key: Span, value: GroupValue) -> None:
    """Set a group, as ``dict.__setitem__`` does: a new name goes last, an old one stays put."""

    if name not in state.groups:
        state.keys[name] = key
    state.groups[name] = value


def is_name(node: py_ast.Node, name: str) -> bool:
    """Whether ``node`` is the bare name ``name``."""

    return isinstance(node, py_ast.Name) and node.name == name


def literal_kind(node: py_ast.Node) -> str | None:
    """What literal ``node`` is, for a message ("a list", "an integer"...); None if it is not."""
    if isinstance(node, py_ast.Str):
        note = node.literal.note
        if note is None:
            return "a string"
        return None if note == NOTE_FSTRING else "bytes" if note != NOTE_TEMPLATE else None
    if isinstance(node, py_ast.Const):
        return node.kind
    if isinstance(node, py_ast.Seq) and not node.comprehension:
        return _KINDS[node.kind]
    if isinstance(node, py_ast.Dict) and not node.comprehension:
        return "a dict"
    return None


def _children(node: py_ast.Node) -> list[py_ast.Node]:
    if isinstance(node, py_ast.Starred):
        return [node.value]
    if isinstance(node, py_ast.Opaque):
        return [node.head] if node.head is not None else []
    if isinstance(node, py_ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, py_ast.Call):
        return [*node.args, *(keyword.value for keyword in node.keywords)]
    return []


def mentions_plugins(node: py_ast.Node) -> bool:
    """Whether an assignment target involves ``PLUGINS`` (``a, PLUGINS = ...``, say)."""
    if isinstance(node, py_ast.Name):
        return node.name == PLUGINS
    if isinstance(node, (py_ast.Attr, py_ast.Subscript)):
        return mentions_plugins(node.obj)
    if isinstance(node, py_ast.Seq):
        return any(mentions_plugins(item) for item in node.items)
    if isinstance(node, py_ast.Starred):
        return mentions_plugins(node.value)
    return False
