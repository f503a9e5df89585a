"""Plain data the index answers with: what a URI resolves to, and what a module contains.

Everything here is immutable and free of protocol types, so the analysis layer, the command
line and the tests all read the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Literal, Protocol

from spoc_lsp.index.getattr_rules import GetattrRule
from spoc_lsp.index.lazy_modules import HelperCall
from spoc_lsp.index.signatures import Details

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
    # The failing import or raise sits in an ``except ImportError:`` handler (it runs because
    # an import before it fails): SPOC007 is then a warning; an unconditional one an error.
    conditional: bool = False


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
    # When unverifiable and the last segment is not among the names seen statically in its
    # module (SPOC010): that module, and close names that are seen there.
    unseen_in: str | None = None
    unseen_suggestions: tuple[str, ...] = ()

    def definition_of(self, segment: int) -> Definition | None:
        """Where segment ``segment`` (0-based) of the URI is defined; the resolved object's
        definition when that segment has none of its own."""
        chosen: Definition | None = None
        if 0 <= segment < len(self.segment_definitions):
            chosen = self.segment_definitions[segment]
        if chosen is None and self.status is Status.RESOLVED and self.symbol is not None:
            chosen = self.symbol.definition
        return chosen


@dataclass(frozen=True)
class Child:
    """One completion candidate under a module: a submodule or a top-level name."""

    name: str
    kind: SymbolKind
    detail: str  # where it is defined, for the completion item's detail
    is_project: bool = False  # defined under the project root (sorted first)


# --- module summaries: what a module's source binds (built by ``symbols.summarize``) ---------

BindingKind = Literal["class", "function", "variable", "import", "from", "submodule"]
# Modules whose failure to import makes an ``except ImportError:`` handler run, one group per
# enclosing handler; code under guards runs only when each group has a module that fails.
Guards = tuple[tuple[str, ...], ...]


class WithDetails:
    """Mixin: ``signature`` and ``doc`` read from ``details`` (rendered when first asked)."""

    __slots__ = ()
    details: HoverText | None

    @property
    def signature(self) -> str | None:
        return self.details.signature if self.details is not None else None

    @property
    def doc(self) -> str | None:
        return self.details.doc if self.details is not None else None


@dataclass(frozen=True, slots=True)  # ~40 per module: slots keep them small
class Binding(WithDetails):
    """One name the module's top level binds (the last binding of that name wins)."""

    name: str
    kind: BindingKind
    line: int  # 0-based
    column: int  # 0-based, in characters
    order: int  # position among binding events, to order star imports against it
    details: Details | None = None  # signature and docstring, rendered when first asked for
    # "import"/"submodule": the absolute module it names; "from": the module imported from
    # (None for a relative import that reaches above the top-level package).
    module: str | None = None
    attribute: str | None = None  # "from": the name taken from ``module``
    conditional: bool = False  # bound only on some paths through the top level
    # Modules that must be importable for this binding to happen (bindings in a ``try:``
    # body, from an import that may fail on).
    requires: tuple[str, ...] = ()
    # Bound in an ``except ImportError`` handler: happens only if one of these imports fails.
    unless: tuple[str, ...] = ()
    # The binding this one replaced: what remains when this one turns out not to happen.
    previous: Binding | None = None


@dataclass(frozen=True)
class StarImport:
    """``from module import *`` at top level."""

    module: str | None
    order: int
    line: int  # 1-based
    conditional: bool


@dataclass(frozen=True)
class RequiredImport:
    """An import that runs whenever the module is imported and whose failure is not caught."""

    module: str  # absolute dotted name
    line: int  # 1-based
    relative: bool
    names: tuple[str, ...] = ()  # ``from module import names`` (each may be a submodule)
    # Run only by ``except ImportError:`` handlers: required when these imports fail.
    guards: Guards = ()


@dataclass(frozen=True)
class ModuleProblem:
    """A certain import failure visible in the module's own source."""

    message: str
    line: int | None  # 1-based
    guards: Guards = ()  # a failure only when these imports fail (see RequiredImport)


@dataclass(frozen=True, eq=False)
class ModuleSummary:
    """Everything the resolver needs to know about one module's source."""

    name: str
    file: Path
    is_package: bool
    doc_details: Details | None = None  # the module docstring, rendered when asked for
    bindings: Mapping[str, Binding] = field(default_factory=dict)
    star_imports: tuple[StarImport, ...] = ()
    deleted: Mapping[str, int] = field(default_factory=dict)  # name -> order of its `del`
    maybe_names: frozenset[str] = frozenset()  # bound only by `global` inside a function
    all_names: tuple[str, ...] | None = None  # a literal __all__
    all_known: bool = True  # False when __all__ exists but is not a literal
    dynamic: str | None = None  # why the attributes cannot be listed statically
    path_changed: bool = False  # __path__ is assigned or extended
    import_hooks: bool = False  # sys.path / sys.meta_path / sys.path_hooks are changed
    module_aliases: Mapping[str, str | None] = field(default_factory=dict)  # sys.modules[k] = v
    unknown_aliases: bool = False  # sys.modules[<not a literal>] = ...
    # (module, attribute, 1-based line): attributes this module sets on other modules
    external_attributes: tuple[tuple[str, str, int], ...] = ()
    required_imports: tuple[RequiredImport, ...] = ()
    guarded_imports: bool = False  # some required imports have guards
    problems: tuple[ModuleProblem, ...] = ()
    syntax_error: bool = False
    unparsable: str | None = None  # parsing failed for a reason that proves nothing
    # Module ``__getattr__`` decided from its body (``getattr_rules``); ``None``: there is none,
    # or it is undecidable (then ``dynamic`` says so).
    getattr_rule: GetattrRule | None = None
    # Top-level functions that return a decidable ``__getattr__`` (``f(__name__)`` factories).
    getattr_factories: Mapping[str, GetattrRule] = field(default_factory=dict)
    # Top-level calls handing ``__name__`` to an imported function (``lazy_modules``), and the
    # functions of this module that rebuild a module named by a parameter (name -> parameters).
    helper_calls: tuple[HelperCall, ...] = ()
    rebinders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def binding(self, name: str) -> Binding | None:
        return self.bindings.get(name)

    @property
    def doc(self) -> str | None:
        """The first paragraph of the module docstring."""
        return self.doc_details.doc if self.doc_details is not None else None
