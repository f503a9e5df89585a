"""Plugin interfaces: what a group declares its plugins must be, and the one verdict on whether a
plugin satisfies it.

``[spoc.interfaces]`` maps a group to a kind (``"callable"``, ``"class"``, ``"function"``,
``"module"``) or to the URI of a class (a ``typing.Protocol``, an ABC or a plain class). Whoever
looks at a plugin describes what it saw as a :class:`Shape` and the interface as an
:class:`Interface`: the runtime from live objects without calling them (``spoc.conformance``),
the language server from source without running it. :func:`problems` then decides, so the two
can differ only in what they saw, never in the rules.

The rules:

- a kind: ``callable`` (anything that can be called: a function, a class, an object with
  ``__call__``), ``class``, ``function`` (a ``def``, ``lambda`` or built-in function),
  ``module``;
- a class: every public member declared in the interface's body or its bases' (dunders and
  names starting with ``_`` aside) must be provided. A plugin that is a class provides what its
  body and bases bind or annotate; an instance, that plus its own attributes; a module, its
  top-level names; missing names are listed in alphabetical order. A method of the plugin must
  accept the interface's call: it may not require more positional arguments than the interface
  passes, must accept as many as it may pass, and must accept its keyword-only arguments. A
  literal ``VERSION`` in the interface must be equal in the plugin. A function plugin is
  checked against the interface's ``__call__`` when the interface declares one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

KINDS: tuple[str, ...] = ("callable", "class", "function", "module")

ParameterKind = Literal[
    "positional_only", "positional_or_keyword", "var_positional", "keyword_only", "var_keyword"
]
ShapeKind = Literal["class", "function", "module", "instance"]
# A literal VERSION as read: str, int, float or bool; ``UNKNOWN_VERSION`` when it is bound to
# something that cannot be compared (a computed value, seen statically).
Version = str | int | float | bool


class UnknownVersion:
    """A ``VERSION`` bound to a value that cannot be compared (a computed value, seen
    statically): never a problem."""

    def __repr__(self) -> str:
        return "UNKNOWN_VERSION"


UNKNOWN_VERSION = UnknownVersion()


def is_public_member(name: str) -> bool:
    """Whether ``name`` is a member an interface asks for: not a dunder, not private."""
    return not name.startswith("_")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a signature as it is called (``self``/``cls`` already bound away)."""

    name: str
    kind: ParameterKind
    required: bool

    @property
    def is_positional(self) -> bool:
        return self.kind in ("positional_only", "positional_or_keyword")


@dataclass(frozen=True)
class Signature:
    """What a callable accepts, as its caller sees it."""

    parameters: tuple[Parameter, ...]

    def positional(self) -> tuple[int, int | None]:
        """How many positional arguments are required, and how many are accepted at most
        (``None``: any number, through ``*args``)."""
        required = sum(1 for p in self.parameters if p.is_positional and p.required)
        if any(p.kind == "var_positional" for p in self.parameters):
            return required, None
        return required, sum(1 for p in self.parameters if p.is_positional)

    def call_text(self, name: str) -> str:
        """The call an interface makes, for messages: ``execute(query, params=...)``."""
        parts: list[str] = []
        for parameter in self.parameters:
            if parameter.kind == "var_positional":
                parts.append(f"*{parameter.name}")
            elif parameter.kind == "var_keyword":
                parts.append(f"**{parameter.name}")
            elif parameter.kind == "keyword_only":
                parts.append(f"{parameter.name}=...")
            else:
                parts.append(parameter.name if parameter.required else f"{parameter.name}=...")
        return f"{name}({', '.join(parts)})"

    def cannot_accept(self, call: Signature) -> str | None:
        """Why a callable with this signature cannot be called the way ``call`` (the interface's
        signature) says it is called, or ``None`` when it can."""
        own_required, own_most = self.positional()
        call_required, call_most = call.positional()
        if own_required > call_required:
            return (
                f"it requires {_count(own_required, 'positional argument')}, "
                f"the interface passes {call_required}"
            )
        if own_most is not None and (call_most is None or own_most < call_most):
            given = "any number" if call_most is None else str(call_most)
            return (
                f"it accepts at most {_count(own_most, 'positional argument')}, "
                f"the interface may pass {given}"
            )
        takes_any_keyword = any(p.kind == "var_keyword" for p in self.parameters)
        own_keywords = {p.name: p for p in self.parameters if p.kind != "positional_only"}
        call_keywords = {p.name for p in call.parameters if p.kind == "keyword_only"}
        for parameter in self.parameters:
            required_keyword = parameter.kind == "keyword_only" and parameter.required
            if required_keyword and parameter.name not in call_keywords:
                return f"it requires keyword argument {parameter.name!r}"
        for name in sorted(call_keywords):
            accepted = own_keywords.get(name)
            if accepted is None and not takes_any_keyword:
                return f"it does not accept keyword argument {name!r}"
        return None


@dataclass(frozen=True)
class Member:
    """A name an interface declares or a plugin provides.

    ``signature`` is set for a method whose parameters could be read (with ``self``/``cls``
    bound away); ``None`` for an attribute, a property, or a callable whose signature is not
    known (then it is never compared). ``line`` is where it is declared (1-based, 0 unknown).
    """

    name: str
    signature: Signature | None = None
    is_method: bool = False
    line: int = 0


@dataclass(frozen=True)
class Interface:
    """A group's interface class, as read: its public members (bases included, nearest
    first), its literal ``VERSION`` (``None`` when it has none or it is not a literal) and
    the signature of its ``__call__`` when it declares one."""

    name: str  # the class's name, for messages: "DatabasePlugin"
    members: tuple[Member, ...]
    version: Version | None = None
    call: Signature | None = None

    def member(self, name: str) -> Member | None:
        return next((member for member in self.members if member.name == name), None)


@dataclass(frozen=True)
class Shape:
    """What a plugin is, as far as an interface is concerned.

    ``members`` are the names it provides (for a class: what its body and bases bind or
    annotate; an instance adds its own attributes; a module its top-level names). ``complete``
    is ``False`` when more names may exist than were seen (then a missing name is not a
    problem). ``version`` is its ``VERSION`` when bound (``UNKNOWN_VERSION`` when bound to
    something not comparable, ``None`` when unbound). ``call`` is the signature it is called
    with (a function's own, a class's constructor, an instance's ``__call__``) when known.
    """

    kind: ShapeKind
    members: Mapping[str, Member] = field(default_factory=dict)
    is_callable: bool = False
    complete: bool = True
    version: Version | UnknownVersion | None = None
    call: Signature | None = None


def is_kind(value: str) -> bool:
    """Whether an ``[spoc.interfaces]`` value names a kind rather than a class."""
    return value in KINDS


def kind_problem(kind: str, shape: Shape) -> str | None:
    """Why ``shape`` is not of ``kind`` (one of :data:`KINDS`), or ``None``."""
    actual = {"class": "a class", "function": "a function", "module": "a module"}.get(
        shape.kind, "an instance"
    )
    if kind == "callable":
        return None if shape.is_callable else f"it is {actual}, which is not callable"
    if kind == shape.kind:
        return None
    return f"it is {actual}, not {_article(kind)}"


def problems(interface: Interface, shape: Shape) -> tuple[str, ...]:
    """What ``shape`` lacks to satisfy ``interface``, each as a short phrase; empty when it
    satisfies it."""
    return tuple(phrase for phrase, _ in _findings(interface, shape))


def members_at_stake(interface: Interface, shape: Shape) -> frozenset[str]:
    """The plugin's names whose binding decides what :func:`problems` finds: each missing
    member, each member that cannot accept the interface's call, ``VERSION`` when it differs.
    A reader that sees one of them may be bound otherwise when the plugin is checked cannot
    trust the verdict."""
    return frozenset(name for _, names in _findings(interface, shape) for name in names)


def _findings(interface: Interface, shape: Shape) -> list[tuple[str, tuple[str, ...]]]:
    """Each problem as a phrase, with the plugin's names it is about."""
    if shape.kind == "function" and interface.call is not None:
        if shape.call is None:
            return []
        reason = shape.call.cannot_accept(interface.call)
        if reason is None:
            return []
        call_text = interface.call.call_text("__call__")
        return [(f"it cannot accept the call {call_text}: {reason}", ())]

    found: list[tuple[str, tuple[str, ...]]] = []
    wanted_members = sorted(interface.members, key=lambda member: member.name)  # one order
    if shape.complete:
        missing = tuple(m.name for m in wanted_members if m.name not in shape.members)
        if missing:
            found.append(("missing " + ", ".join(f"'{name}'" for name in missing), missing))
    for wanted in wanted_members:
        provided = shape.members.get(wanted.name)
        if provided is None or wanted.signature is None or provided.signature is None:
            continue
        reason = provided.signature.cannot_accept(wanted.signature)
        if reason is not None:
            call = wanted.signature.call_text(wanted.name)
            found.append(
                (f"'{wanted.name}' cannot accept the call {call}: {reason}", (wanted.name,))
            )
    if (
        interface.version is not None
        and shape.version is not None
        and not isinstance(shape.version, UnknownVersion)
        and shape.version != interface.version
    ):
        phrase = f"VERSION is {shape.version!r}, the interface's is {interface.version!r}"
        found.append((phrase, ("VERSION",)))
    return found


def failure_message(uri: str, interface: str, group: str, found: Sequence[str]) -> str:
    """The one sentence both the runtime and SPOC011 say:
    ``'myapp.db.Mongo' does not satisfy 'DatabasePlugin' of group 'database': missing ...``."""
    return f"{uri!r} does not satisfy {interface!r} of group {group!r}: {'; '.join(found)}"


def interface_value_problem(value: str, resolved_kind: str) -> str | None:
    """Why an ``[spoc.interfaces]`` value that resolved to an object of ``resolved_kind``
    (``class``, ``module``, ``function``, ``instance``, ...) cannot serve as an interface."""
    if is_kind(value) or resolved_kind == "class":
        return None
    return f"interface {value!r} is {_article(resolved_kind)}, not a class or one of " + ", ".join(
        f"'{kind}'" for kind in KINDS
    )


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
