"""Plain data the index answers with: what a URI resolves to, and what a module contains.

Everything here is immutable and free of protocol types, so the analysis layer, the command
line and the tests all read the same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Literal, Protocol

SymbolKind = Literal["module", "class", "function", "variable", "unknown"]


class Status(str, Enum):
    """The three answers about a URI."""

    RESOLVED = "resolved"  # it will resolve at runtime (as far as static analysis can tell)
    UNRESOLVED = "unresolved"  # it will certainly fail to resolve
    UNVERIFIABLE = "unverifiable"  # cannot be decided statically; never reported as an error


@dataclass(frozen=True)
class Definition:
    """Where a symbol or module is defined (0-based line and column; ``None`` when unknown)."""

    file: Path | None
    line: int = 0
    column: int = 0


class HoverText(Protocol):
    """A signature and docstring that may be rendered only when first read."""

    @property
    def signature(self) -> str | None: ...

    @property
    def doc(self) -> str | None: ...


class Symbol:
    """A resolved object: its kind and what a hover shows.

    ``signature`` ("(request, *, strict=False) -> Response" or "class Foo(Base)") and ``doc``
    (the docstring's first paragraph) are given, or read from ``details`` when first asked for:
    only a hover shows them, so a check never renders them. Immutable.
    """

    __slots__ = ("_details", "_doc", "_signature", "definition", "kind", "name")

    name: str  # the full dotted name it was reached by
    kind: SymbolKind
    definition: Definition | None
    _signature: str | None
    _doc: str | None
    _details: HoverText | None

    def __init__(
        self,
        name: str,
        kind: SymbolKind,
        definition: Definition | None = None,
        signature: str | None = None,
        doc: str | None = None,
        *,
        details: HoverText | None = None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "name", name)
        setter(self, "kind", kind)
        setter(self, "definition", definition)
        setter(self, "_signature", signature)
        setter(self, "_doc", doc)
        setter(self, "_details", details)

    @property
    def signature(self) -> str | None:
        details = self._details
        return details.signature if details is not None else self._signature

    @property
    def doc(self) -> str | None:
        details = self._details
        return details.doc if details is not None else self._doc

    def _key(self) -> tuple[object, ...]:
        return (self.name, self.kind, self.definition, self.signature, self.doc)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Symbol is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Symbol is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Symbol):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.name, self.kind, self.definition))

    def __repr__(self) -> str:
        return (
            f"Symbol(name={self.name!r}, kind={self.kind!r}, definition={self.definition!r}, "
            f"signature={self.signature!r}, doc={self.doc!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled with its details unrendered (rendering reads the file).
        state = (self.name, self.kind, self.definition, self._signature, self._doc)
        return (_symbol, (*state, self._details))


def _symbol(
    name: str,
    kind: SymbolKind,
    definition: Definition | None,
    signature: str | None,
    doc: str | None,
    details: HoverText | None,
) -> Symbol:
    return Symbol(name, kind, definition, signature, doc, details=details)


@dataclass(frozen=True)
class ImportProblem:
    """Why a module that exists will still fail to import (SPOC007)."""

    module: str  # the module whose file has the problem
    file: Path | None
    message: str  # "syntax error at line 3: ..." or "imports 'redis', which is not installed"
    line: int | None = None  # 1-based line in ``file``


@dataclass(frozen=True)
class Failure:
    """Why a URI does not resolve (SPOC001 / SPOC002)."""

    code: Literal["SPOC001", "SPOC002"]
    segment: int  # 0-based index of the first segment that does not exist
    missing: str  # that segment's text
    parent: str | None  # dotted name of the module/package searched (None at top level)
    message: str  # "no module named 'myap'" / "module 'myapp.middleware' has no attribute ..."
    suggestions: tuple[str, ...] = ()  # close names that really exist at that level, best first


@dataclass(frozen=True)
class Resolution:
    """What the static resolver says about one URI."""

    uri: str
    status: Status
    symbol: Symbol | None = None  # when resolved
    failure: Failure | None = None  # when unresolved
    reason: str | None = None  # when unverifiable: why it cannot be decided
    import_problems: tuple[ImportProblem, ...] = ()  # SPOC007 facts along the import chain
    # Definitions of each prefix (a, a.b, a.b.c) for go-to-definition on a segment.
    segment_definitions: tuple[Definition | None, ...] = field(default=())


@dataclass(frozen=True)
class Child:
    """One completion candidate under a module: a submodule or a top-level name."""

    name: str
    kind: SymbolKind
    detail: str  # where it is defined, for the completion item's detail
    is_project: bool = False  # defined under the project root (sorted first)
