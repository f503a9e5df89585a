"""``importlib.import_module("a.b.c")`` step by step: each prefix must be a module, each parent
a package, and each module executed on the way may change what the next step finds.

Note that ``import_module("a.b")`` never falls back to an attribute ``b`` of ``a``: if ``a.b``
is not a submodule the import fails, even when ``a`` has such an attribute. Only entries in
``sys.modules`` (which executed modules may write, as ``os`` does for ``os.path``) are found
without a finder.
"""

from __future__ import annotations

from dataclasses import dataclass

from spoc_lsp.index.finder import FoundModule
from spoc_lsp.index.namespace import Found, Namespaces


@dataclass(frozen=True)
class ChainFailure:
    """Why the import stops at ``segment`` (0-based)."""

    segment: int
    missing: str
    parent: FoundModule | None  # the package it was looked for in (None at top level)
    not_a_package: bool = False  # the parent is a plain module
    uncertain: str | None = None  # set when the miss cannot be proven statically


@dataclass(frozen=True)
class Chain:
    """The modules imported for a dotted name, and where (if anywhere) it stopped."""

    modules: tuple[FoundModule, ...]
    failure: ChainFailure | None = None
    unknown: str | None = None  # reached something that is not a findable module


class ChainWalker:
    """Walks import chains over a ``Namespaces`` (which owns the finder and summaries)."""

    def __init__(self, namespaces: Namespaces) -> None:
        self._namespaces = namespaces

    def walk(self, dotted: str) -> Chain:
        """Import ``dotted`` as ``importlib.import_module`` would, without executing it."""
        finder = self._namespaces.finder
        parts = dotted.split(".")
        modules: list[FoundModule] = []
        parent: FoundModule | None = None
        hooks: str | None = None  # an executed module changed the import system
        for index, part in enumerate(parts):
            fullname = ".".join(parts[: index + 1])
            # sys.modules is consulted before any finder: startup modules first, then what
            # the modules executed so far put there.
            registered = finder.preloaded(fullname) or self._registered(modules, fullname)
            if isinstance(registered, str):
                return Chain(tuple(modules), unknown=registered)
            if registered is not None:
                modules.append(registered)
                parent = registered
                continue
            if parent is not None and not parent.is_package:
                uncertain = hooks or self._alias_uncertainty(modules)
                return Chain(
                    tuple(modules),
                    ChainFailure(index, part, parent, not_a_package=True, uncertain=uncertain),
                )
            found = finder.find(fullname, parent)
            if found is None:
                uncertain = hooks or self._alias_uncertainty(modules)
                if uncertain is None and parent is None:
                    uncertain = finder.top_level_doubt(part)
                if uncertain is None and not finder.search_is_complete(parent):
                    uncertain = "the search path holds an archive that is not inspected"
                if uncertain is None and parent is not None:
                    summary = self._namespaces.summary(parent)
                    if summary is not None and summary.path_changed:
                        uncertain = f"package {parent.name!r} changes its __path__ at runtime"
                return Chain(tuple(modules), ChainFailure(index, part, parent, uncertain=uncertain))
            modules.append(found)
            parent = found
            summary = self._namespaces.summary(found)
            if summary is not None and summary.import_hooks and hooks is None:
                hooks = f"module {found.name!r} changes the import system (sys.path or hooks)"
        return Chain(tuple(modules))

    def _registered(self, executed: list[FoundModule], fullname: str) -> FoundModule | str | None:
        """A module an executed module put in ``sys.modules`` under ``fullname``: the module,
        a reason string when it is something that cannot be followed, or ``None``."""
        for module in executed:
            summary = self._namespaces.summary(module)
            if summary is None or fullname not in summary.module_aliases:
                continue
            value = summary.module_aliases[fullname]
            if value is not None:
                found = self._namespaces.lookup(module, value)
                if isinstance(found, Found):
                    origin = self._namespaces.origin(found)
                    if origin.module is not None:
                        return origin.module
            return f"{module.name!r} puts an object in sys.modules as {fullname!r}"
        return None

    def _alias_uncertainty(self, executed: list[FoundModule]) -> str | None:
        for module in executed:
            summary = self._namespaces.summary(module)
            if summary is not None and summary.unknown_aliases:
                return f"module {module.name!r} adds entries to sys.modules at runtime"
        return None
