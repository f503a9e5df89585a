"""What a read ``spoc.toml`` says about ``[spoc]``: plugin groups, entries, interfaces, and wrong
types.

Every way TOML can put a value at ``spoc.plugins.<group>`` counts: ``[spoc.plugins]`` tables
(in any number of pieces), dotted keys at any level, inline tables, quoted names. Groups are
listed in the order they first appear. The known keys are checked with
:func:`spoc.config.key_problem` (the runtime's own rules): a wrong type is SPOC009, except that
a plugin group that is not an array, or an entry that is not a string, is SPOC005.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spoc.config import KNOWN_KEYS, key_problem
from spoc_lsp.syntax import toml_runtime
from spoc_lsp.syntax.builder import GroupResult, ResultBuilder
from spoc_lsp.syntax.model import Span, StringSite
from spoc_lsp.syntax.toml_document import (
    ArrayValue,
    Event,
    Header,
    KeyPart,
    OpenStrValue,
    Pair,
    ScalarValue,
    StrValue,
    TableValue,
    TooDeepValue,
    Value,
)


class _Unreadable(Exception):
    """A value (or part of one) that a syntax error left unreadable: nothing to check."""


@dataclass
class _Group:
    name: str
    key: Span
    is_array: bool = False
    entries: list[StringSite] = field(default_factory=list)


class SpocTable:
    """Reads the ``[spoc]`` parts of a TOML document's events into a :class:`ResultBuilder`."""

    def __init__(self, builder: ResultBuilder) -> None:
        self.builder = builder
        self.table: list[KeyPart] | None = []  # None: inside a table of no interest
        self.groups: dict[str, _Group] = {}
        self._scalars: dict[str, object] = {}

    def read(self, events: list[Event]) -> list[GroupResult]:
        for event in events:
            if isinstance(event, Header):
                self.header(event)
            elif isinstance(event, Pair) and self.table is not None:
                self.define(self.table + event.parts, event.value, len(event.parts))
        return [
            GroupResult(group.name, group.key, group.entries)
            for group in self.groups.values()
            if group.is_array
        ]

    # --- headers ------------------------------------------------------------------------------

    def header(self, header: Header) -> None:
        parts = header.parts
        # The pairs under an array of tables belong to one of its elements: none is ours.
        self.table = None if header.is_array else list(parts)
        names = [part.name for part in parts]
        if names[0] != "spoc":
            return
        if len(names) == 1:
            if header.is_array:
                self.type_problem("[spoc] must be a table, not an array of tables", header.span)
            return
        key = names[1]
        if key not in KNOWN_KEYS:
            return
        if len(names) == 2:
            self.builder.key_span(key, parts[1].span)
            self.check(key, [{}] if header.is_array else {}, header.span)
            return
        table: object = [{}] if header.is_array and len(names) == 3 else {}
        if key == "plugins":
            group = self.group(names[2], parts[2].span)
            message = key_problem("plugins", {group.name: table})
            if message is not None:
                self.builder.problem("SPOC005", message, header.span, group=group.name)
        elif key in ("apps", "interfaces"):
            self.check(key, {names[2]: table}, header.span)
        else:
            self.check(key, {}, header.span)

    # --- pairs --------------------------------------------------------------------------------

    def define(self, path: list[KeyPart], value: Value, own: int) -> None:
        """A value at ``path``; the last ``own`` key parts were written with it."""
        names = [part.name for part in path]
        if names[0] != "spoc":
            return
        first_own = len(path) - own
        if len(names) >= 2 and names[1] in KNOWN_KEYS and first_own <= 1:
            self.builder.key_span(names[1], path[1].span)
        if isinstance(value, TableValue):
            self.table_value(path, value, first_own)
            return
        if len(names) == 1:
            self.not_a_table(value)
            return
        key = names[1]
        if key not in KNOWN_KEYS:
            return
        if len(names) == 2:
            self.check_value(key, value, value.span)
        elif key == "plugins":
            group = self.group(names[2], path[2].span)
            if len(names) == 3:
                self.group_value(group, value)
            elif first_own <= 2:  # spoc.plugins.group.x = ...: the group is a table
                span = Span(path[2].span.start, path[-1].span.end)
                message = key_problem("plugins", {group.name: {}})
                if message is not None:
                    self.builder.problem("SPOC005", message, span, group=group.name)
        elif key == "apps":
            if len(names) == 3:
                self.apps_group(names[2], value)
            elif first_own <= 2:
                self.check("apps", {names[2]: {}}, Span(path[2].span.start, path[-1].span.end))
        elif key == "interfaces":
            if len(names) == 3:
                self.interface(names[2], path[2].span, value)
            elif first_own <= 2:  # spoc.interfaces.group.x = ...: the value is a table
                span = Span(path[2].span.start, path[-1].span.end)
                self.check("interfaces", {names[2]: {}}, span)
        elif first_own <= 1:  # spoc.mode.x = ...: mode is a table
            self.check(key, {}, Span(path[1].span.start, path[-1].span.end))

    def table_value(self, path: list[KeyPart], table: TableValue, first_own: int) -> None:
        names = [part.name for part in path]
        if len(names) == 2 and names[1] in ("mode", "debug"):
            self.check(names[1], {}, table.span)
        elif len(names) == 3 and names[1] == "plugins":
            group = self.group(names[2], path[2].span)
            message = key_problem("plugins", {group.name: {}})
            if message is not None:
                self.builder.problem("SPOC005", message, table.span, group=group.name)
        elif len(names) == 3 and names[1] in ("apps", "interfaces"):
            self.check(names[1], {names[2]: {}}, table.span)
        for pair in table.pairs:
            self.define(path + pair.parts, pair.value, len(pair.parts))

    def not_a_table(self, value: Value) -> None:
        try:
            python = self.python(value)
        except _Unreadable:
            return
        self.type_problem(f"[spoc] must be a table, not {_kind(python)}", value.span)

    def group(self, name: str, key: Span) -> _Group:
        self.builder.group_span(name, key)
        group = self.groups.get(name)
        if group is None:
            group = self.groups[name] = _Group(name, key)
        return group

    def group_value(self, group: _Group, value: Value) -> None:
        if isinstance(value, ArrayValue):
            group.is_array = True
            for item in value.items:
                self.entry(group, item)
            return
        if isinstance(value, (StrValue, OpenStrValue)):
            assert value.token.literal is not None
            self.builder.site(group.name, value.token.literal)  # being typed: offer completion
            if isinstance(value, OpenStrValue):
                return
        try:
            python = self.python(value)
        except _Unreadable:
            return
        message = key_problem("plugins", {group.name: python})
        if message is not None:
            self.builder.problem("SPOC005", message, value.span, group=group.name)

    def entry(self, group: _Group, item: Value) -> None:
        if isinstance(item, (StrValue, OpenStrValue)):
            literal = item.token.literal
            assert literal is not None
            site = self.builder.site(group.name, literal)
            if isinstance(item, StrValue) and literal.value is not None:
                group.entries.append(site)
            return
        try:
            python = self.python(item)
        except _Unreadable:
            return
        message = key_problem("plugins", {group.name: [python]})
        if message is not None:
            self.builder.problem("SPOC005", message, item.span, group=group.name)

    def interface(self, group: str, key: Span, value: Value) -> None:
        """``group = "value"`` in ``[spoc.interfaces]``: a string, else SPOC009."""
        if isinstance(value, (StrValue, OpenStrValue)):
            assert value.token.literal is not None
            self.builder.interface(group, key, value.token.literal)
            return
        self.check_value("interfaces", value, value.span, wrap=group)

    def apps_group(self, name: str, value: Value) -> None:
        if isinstance(value, ArrayValue):
            for item in value.items:
                try:
                    python = self.python(item)
                except _Unreadable:
                    continue
                self.check("apps", {name: [python]}, item.span)
            return
        self.check_value("apps", value, value.span, wrap=name)

    # --- checks -------------------------------------------------------------------------------

    def check_value(self, key: str, value: Value, span: Span, wrap: str | None = None) -> None:
        try:
            python = self.python(value)
        except _Unreadable:
            return
        self.check(key, python if wrap is None else {wrap: python}, span)

    def check(self, key: str, value: object, span: Span) -> None:
        message = key_problem(key, value)
        if message is not None:
            self.type_problem(message, span)

    def type_problem(self, message: str, span: Span) -> None:
        self.builder.problem("SPOC009", message, span)

    def python(self, value: Value) -> object:
        """The Python value TOML gives ``value`` (raises :class:`_Unreadable` if broken)."""
        if isinstance(value, StrValue):
            literal = value.token.literal
            if literal is None or literal.value is None:
                raise _Unreadable
            return literal.value
        if isinstance(value, ScalarValue):
            return self.scalar(value.text)
        if isinstance(value, ArrayValue):
            return [self.python(item) for item in value.items]
        if isinstance(value, TableValue):
            table: dict[str, object] = {}
            for pair in value.pairs:
                target = table
                for part in pair.parts[:-1]:
                    inner = target.setdefault(part.name, {})
                    if not isinstance(inner, dict):
                        raise _Unreadable
                    target = inner
                target[pair.parts[-1].name] = self.python(pair.value)
            return table
        if isinstance(value, TooDeepValue):  # (what it holds is not read: it is one all the same)
            return [] if value.is_array else {}
        raise _Unreadable

    def scalar(self, text: str) -> object:
        if text not in self._scalars:
            try:
                self._scalars[text] = toml_runtime.loads(f"v = {text}")["v"]
            except (toml_runtime.TOMLDecodeError, ValueError, RecursionError):
                self._scalars[text] = _Unreadable
        result = self._scalars[text]
        if result is _Unreadable:
            raise _Unreadable
        return result


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
