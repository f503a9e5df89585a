"""What the tolerant TOML reader produces: headers and key/value pairs with spans, and errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from spoc_lsp.syntax.model import Span
from spoc_lsp.syntax.tokens import Token


@dataclass(frozen=True)
class KeyPart:
    """One part of a dotted key: its name (unquoted) and where it was written."""

    name: str
    span: Span  # of the key part as written (with its quotes)


@dataclass
class Value:
    """A value as read, with its span (quotes and brackets included)."""

    span: Span


@dataclass
class StrValue(Value):
    """A complete string."""

    token: Token  # a STRING token (``token.literal`` is set)


@dataclass
class OpenStrValue(Value):
    """An unterminated string (being typed)."""

    token: Token  # an UNTERMINATED token


@dataclass
class ScalarValue(Value):
    """A number, boolean, date or time."""

    text: str


@dataclass
class BadValue(Value):
    """Something that is not a value (reported as a syntax error)."""

    text: str


@dataclass
class TooDeepValue(Value):
    """An array (``is_array``) or inline table nested too deep to read; it is one all the same."""

    is_array: bool


@dataclass
class MissingValue(Value):
    """No value where one should be (reported as a syntax error)."""

    pass


@dataclass
class ArrayValue(Value):
    """An array and the items read from it (``closed`` when its ``]`` was found)."""

    items: list[Value] = field(default_factory=list)
    closed: bool = True


@dataclass
class TableValue(Value):
    """An inline table and the pairs read from it."""

    pairs: list[Pair] = field(default_factory=list)
    closed: bool = True


@dataclass
class Header:
    """A ``[table]`` or ``[[array.of.tables]]`` header."""

    parts: list[KeyPart]
    is_array: bool
    span: Span


@dataclass
class Pair:
    """``key = value`` (in a table, or in an inline table)."""

    parts: list[KeyPart]  # the key as written (relative to the table or inline table)
    value: Value


Event = Header | Pair


@dataclass
class TomlDocument:
    """What the reader found: headers and pairs in order, and syntax errors."""

    events: list[Event]
    errors: list[tuple[str, Span]]
