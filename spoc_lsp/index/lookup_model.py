"""The answers of an attribute lookup (found / missing / unknown, and what a found name finally
is), and the facts about modules every lookup shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spoc_lsp.index.finder import FoundModule
from spoc_lsp.index.model import (
    Binding,
    Definition,
    Guards,
    HoverText,
    ModuleSummary,
    SymbolKind,
    WithDetails,
)

# Attributes every module object has, whatever its code does.
ALWAYS = frozenset(
    {
        "__name__",
        "__doc__",
        "__package__",
        "__loader__",
        "__spec__",
        "__dict__",
        "__class__",
        "__annotations__",
    }
)
FILE_BACKED = frozenset({"__file__", "__cached__", "__builtins__"})

_KIND_WORDS = {
    "extension": "a compiled extension module",
    "bytecode": "a sourceless .pyc module",
    "builtin": "a built-in module",
    "frozen": "a frozen module without source",
    "source": "a module",
    "namespace": "a namespace package",
}


@dataclass(frozen=True)
class Origin(WithDetails):
    """What a name finally refers to."""

    kind: SymbolKind
    definition: Definition | None
    details: HoverText | None = None  # signature and docstring, rendered when asked for
    module: FoundModule | None = None  # set when it is a module


@dataclass(frozen=True)
class Note:
    """Hover text that is a fixed note (no signature)."""

    doc: str | None
    signature: str | None = None


@dataclass(frozen=True)
class Found:
    """The attribute exists: bound in ``module`` by ``binding`` (or implicitly)."""

    module: FoundModule
    binding: Binding | None
    implicit: Origin | None = None  # dunder attributes and submodules taken via star imports


@dataclass(frozen=True)
class Missing:
    """The attribute certainly does not exist after import."""


@dataclass(frozen=True)
class Unknown:
    """Whether the attribute exists cannot be decided statically."""

    reason: str


Lookup = Found | Missing | Unknown


def same_package_imports(
    name: str, summary: ModuleSummary, guards_hold: Callable[[Guards], bool] | None = None
) -> list[str]:
    """Modules of ``name``'s top-level package that running it imports (parents included).

    Imports in ``except ImportError:`` handlers count only when ``guards_hold`` says the
    handler runs (never without it)."""
    top = name.split(".")[0]
    found: list[str] = []
    for required in summary.required_imports:
        if required.guards and (guards_hold is None or not guards_hold(required.guards)):
            continue
        parts = required.module.split(".")
        if parts[0] == top:
            found.extend(".".join(parts[: index + 1]) for index in range(1, len(parts)))
            # ``from package import name`` imports submodule ``name`` when there is one.
            found.extend(f"{required.module}.{name}" for name in required.names)
    return found


def describe_kind(module: FoundModule) -> str:
    return _KIND_WORDS.get(module.kind, "a module")


def module_origin(module: FoundModule, summary: ModuleSummary | None) -> Origin:
    """A module as a symbol: its file (``__init__`` for a package) and docstring."""
    return Origin(
        "module",
        Definition(module.where, 0, 0) if module.where is not None else None,
        summary.doc_details if summary is not None else None,
        module,
    )
