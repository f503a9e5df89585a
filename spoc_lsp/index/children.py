"""Completion candidates: the top-level modules of a search path, or what a module offers
(submodules and top-level names), each with its kind and where it is defined."""

from __future__ import annotations

import os
from pathlib import Path

from spoc_lsp.index.chain import ChainWalker
from spoc_lsp.index.finder import FoundModule
from spoc_lsp.index.model import Child, SymbolKind
from spoc_lsp.index.namespace import Found, Namespaces, Note
from spoc_lsp.index.search_path import SearchPath
from spoc_lsp.index.tracking import Clock, Memo, Tracker


class ChildLister:
    """Lists names lazily from cached directory listings and module summaries."""

    def __init__(
        self,
        search_path: SearchPath,
        namespaces: Namespaces,
        chains: ChainWalker,
        clock: Clock,
        tracker: Tracker,
    ) -> None:
        self._search_path = search_path
        self._namespaces = namespaces
        self._chains = chains
        self._memo: Memo[str | None, tuple[Child, ...]] = Memo(clock, tracker)

    def top_level_names(self) -> set[str]:
        """Every importable top-level name (for suggestions)."""
        return self._namespaces.finder.top_level_names()

    def children(self, module: str | None) -> list[Child]:
        """Memoised per cache generation (completion asks again on every keystroke)."""
        return list(self._memo.get(module, lambda: tuple(self._children(module))))

    def _children(self, module: str | None) -> list[Child]:
        finder = self._namespaces.finder
        found: list[Child] = []
        if module is None:
            for name in self.top_level_names():
                top = finder.find(name)
                if top is not None and self._worth_listing(top):
                    found.append(self._module_child(name, top))
            return _sorted(found)
        chain = self._chains.walk(module)
        if chain.failure is not None or chain.unknown is not None or not chain.modules:
            return []
        parent = chain.modules[-1]
        names, _complete = self._namespaces.attribute_names(parent)
        for name in sorted(names):
            if name.startswith("__") and name.endswith("__"):
                continue
            lookup = self._namespaces.lookup(parent, name)
            if isinstance(lookup, Found):
                origin = self._namespaces.origin(lookup)
                file = origin.definition.file if origin.definition else None
                line = origin.definition.line if origin.definition else 0
                detail = self._relative(file)
                if file is not None and origin.kind != "module":
                    detail += f":{line + 1}"
                if isinstance(origin.details, Note) and origin.details.doc:
                    detail = origin.details.doc  # "provided by __getattr__ at line N"
                project = self._search_path.is_project_file(file)
                found.append(Child(name, origin.kind, detail, project))
        if parent.is_package:
            for name in sorted(finder.submodule_names(parent) - names):
                submodule = finder.find(f"{parent.name}.{name}", parent)
                if submodule is not None and self._worth_listing(submodule):
                    found.append(self._module_child(name, submodule))
        return _sorted(found)

    def _module_child(self, name: str, module: FoundModule) -> Child:
        kind: SymbolKind = "module"
        detail = self._relative(module.where) if module.where else module.kind
        if module.kind == "namespace":
            detail += " (namespace package)"
        return Child(name, kind, detail, self._search_path.is_project_file(module.where))

    def _worth_listing(self, module: FoundModule) -> bool:
        """Namespace packages are any directory at all; list only those holding modules."""
        if module.kind != "namespace":
            return True
        finder = self._namespaces.finder
        return any(finder.names_in(location) for location in module.locations or ())

    def _relative(self, path: Path | None) -> str:
        """``path`` relative to the search path entry holding it (the module's dotted path)."""
        if path is None:
            return ""
        text = str(path)
        best = ""
        for entry in self._search_path.entries:
            base = str(entry.path).rstrip(os.sep) + os.sep
            if text.startswith(base) and len(base) > len(best):
                best = base
        return text[len(best) :] if best else text


def _sorted(children: list[Child]) -> list[Child]:
    return sorted(children, key=lambda child: (not child.is_project, child.name))
