"""A module's attributes after it is imported: its bindings, star imports, and where each
binding really comes from (re-exports followed to their origin).

``lookup`` answers ``getattr(module, name)`` as found / certainly missing / unknown.
``origin`` follows an import binding through re-exports (cycle-safe, depth-limited) to what it
finally names, for the symbol's kind, definition, signature and docstring.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

from spoc_lsp.index.dynamic_lookups import (
    compiled_evidence,
    getattr_accepts,
    getattr_names,
    rebuilt,
)
from spoc_lsp.index.finder import FoundModule, ModuleFinder
from spoc_lsp.index.lookup_model import (
    ALWAYS,
    FILE_BACKED,
    Found,
    Lookup,
    Missing,
    Note,
    Origin,
    Unknown,
    describe_kind,
    module_origin,
    same_package_imports,
)
from spoc_lsp.index.model import (
    Binding,
    Definition,
    Guards,
    ModuleSummary,
    StarImport,
)
from spoc_lsp.index.summaries import SummaryCache
from spoc_lsp.index.tracking import Clock, Memo, Tracker

_MAX_DEPTH = 24
_MAX_EXECUTED = 400  # modules followed from one import, to bound the cost of huge packages

# The lookup answers live in ``lookup_model``; re-exported where callers have found them.
__all__ = [
    "Found",
    "Lookup",
    "Missing",
    "Namespaces",
    "Note",
    "Origin",
    "Unknown",
    "describe_kind",
    "module_origin",
    "same_package_imports",
]


class Namespaces:
    """Attribute lookups over modules found by a ``ModuleFinder``."""

    def __init__(
        self, finder: ModuleFinder, summaries: SummaryCache, clock: Clock, tracker: Tracker
    ) -> None:
        self.finder = finder
        self.summaries = summaries
        self._lookups: Memo[tuple[str, str, str], Lookup] = Memo(clock, tracker)
        self._origins: Memo[tuple[str, str, str], Origin] = Memo(clock, tracker)
        self._modules: Memo[str, FoundModule | None] = Memo(clock, tracker)
        self._executed: Memo[str, tuple[FoundModule, ...]] = Memo(clock, tracker)
        self._imports: Memo[tuple[str, str, bool], tuple[tuple[str, FoundModule | None], ...]]
        self._imports = Memo(clock, tracker)

    # --- modules --------------------------------------------------------------------------

    def summary(self, module: FoundModule) -> ModuleSummary | None:
        """The source summary of ``module`` (``None`` when it has no readable source)."""
        if module.source is None:
            return None
        return self.summaries.summary(module.source, module.name, module.is_package)

    def attribute_summary(self, module: FoundModule) -> ModuleSummary | None:
        """What ``module``'s attributes are read from: its source, or for a compiled module
        the ``.pyi`` stub or pure-Python twin beside it (read for names only: what a stub
        imports is never executed)."""
        if module.source is not None or module.kind != "extension":
            return self.summary(module)
        evidence = self.compiled_evidence(module)
        if evidence is None:
            return None
        return self.summaries.summary(evidence, module.name, module.is_package)

    def compiled_evidence(self, module: FoundModule) -> Path | None:
        """The stub or twin a compiled module is read through (``dynamic_lookups``)."""
        return compiled_evidence(self, module)

    def file_exists(self, path: Path) -> bool:
        return self.finder.file_exists(path)

    def find_module(self, fullname: str) -> FoundModule | None:
        """The module ``fullname``, found through its packages (no side effects modelled)."""
        return self._modules.get(fullname, lambda: self._find_module(fullname))

    def _find_module(self, fullname: str) -> FoundModule | None:
        parent: FoundModule | None = None
        parts = fullname.split(".")
        for index in range(len(parts)):
            name = ".".join(parts[: index + 1])
            if parent is not None and not parent.is_package:
                return None
            parent = self.finder.find(name, parent)
            if parent is None:
                return None
        return parent

    def imports_of(
        self,
        module: FoundModule,
        summary: ModuleSummary,
        guards_hold: Callable[[Guards], bool] | None = None,
    ) -> tuple[tuple[str, FoundModule | None], ...]:
        """``same_package_imports`` of ``module``, each with the module it finds (memoised:
        walks over what a package executes visit the same modules again and again).
        ``guards_hold`` must answer the same for the same module within a generation."""
        key = (module.name, str(module.where), guards_hold is not None)
        return self._imports.get(
            key,
            lambda: tuple(
                (name, self.find_module(name))
                for name in dict.fromkeys(same_package_imports(module.name, summary, guards_hold))
            ),
        )

    def module_certainly_missing(self, fullname: str) -> bool:
        """True when importing ``fullname`` certainly fails to find it."""
        if self.find_module(fullname) is not None:
            return False
        parts = fullname.split(".")
        parent: FoundModule | None = None
        for index in range(len(parts)):
            name = ".".join(parts[: index + 1])
            found = self.finder.find(name, parent) if parent is None or parent.is_package else None
            if found is None:
                if not self.finder.search_is_complete(parent):
                    return False
                summary = self.summary(parent) if parent is not None else None
                return summary is None or not (summary.path_changed or summary.module_aliases)
            parent = found
        return False

    # --- attributes -----------------------------------------------------------------------

    def lookup(self, module: FoundModule, name: str) -> Lookup:
        """``getattr(module, name)`` right after ``module`` was imported."""
        return self._lookup(module, name, frozenset())

    def _lookup(self, module: FoundModule, name: str, visiting: frozenset[str]) -> Lookup:
        key = (module.name, str(module.where), name)
        if visiting:  # inside a star-import cycle: results depend on the path, do not memoise
            return self._compute(module, name, visiting)
        return self._lookups.get(key, lambda: self._compute(module, name, visiting))

    def _compute(self, module: FoundModule, name: str, visiting: frozenset[str]) -> Lookup:
        implicit = self._implicit(module, name)
        summary = self.attribute_summary(module)
        if module.kind == "namespace":
            return Found(module, None, implicit) if implicit else Missing()
        if summary is None:
            if implicit is not None:
                return Found(module, None, implicit)
            return Unknown(
                f"{module.name!r} is {describe_kind(module)}; its attributes cannot be read "
                "statically"
            )
        if summary.syntax_error or summary.unparsable:
            why = summary.unparsable or (
                summary.problems[0].message if summary.problems else "cannot be read"
            )
            return Unknown(f"module {module.name!r} cannot be analysed ({why})")
        rebuilt = self.rebuilt(summary)
        if rebuilt is not None:
            names, reason, line = rebuilt
            if name in names:
                where = Definition(module.where, line - 1, 0) if module.where else None
                return Found(
                    module, None, Origin("unknown", where, Note(f"bound lazily: {reason}"))
                )
            if implicit is None:
                return Unknown(f"module {module.name!r} is rebuilt at runtime: {reason}")
        binding = self._effective(summary.binding(name))
        floor = max(binding.order if binding else 0, summary.deleted.get(name, 0))
        unknown: Unknown | None = None
        for star in reversed(summary.star_imports):
            if star.order < floor:
                break
            provided = self._star_provides(module, star, name, visiting)
            if isinstance(provided, Found):
                return provided
            if isinstance(provided, Unknown) and unknown is None:
                unknown = provided
        if unknown is not None:
            return unknown
        if binding is not None and binding.order >= summary.deleted.get(name, 0):
            return Found(module, binding)
        if implicit is not None:
            return Found(module, None, implicit)
        if name in summary.maybe_names:
            return Unknown(f"{name!r} is only bound by a function of {module.name!r} (global)")
        if summary.dynamic is None and summary.getattr_rule is not None:
            decided = getattr_accepts(self, module, summary, name)
            if decided is True:
                return Found(module, None, self._provided(module, summary))
            if isinstance(decided, str):
                return Unknown(decided)
        if summary.dynamic is not None:
            return Unknown(f"module {module.name!r} has dynamic attributes: {summary.dynamic}")
        external = self._set_elsewhere(module, name)
        if external is not None:
            return Found(module, None, external)
        return Missing()

    def rebuilt(self, summary: ModuleSummary) -> tuple[frozenset[str], str, int] | None:
        """Names a lazy-module helper binds, why, and where (``dynamic_lookups.rebuilt``)."""
        return rebuilt(self, summary)

    @staticmethod
    def _provided(module: FoundModule, summary: ModuleSummary) -> Origin:
        line = summary.getattr_rule.line if summary.getattr_rule else 1
        where = Definition(module.where, line - 1, 0) if module.where else None
        return Origin("unknown", where, Note(f"provided by __getattr__ at line {line}"))

    def _set_elsewhere(self, module: FoundModule, name: str) -> Origin | None:
        """``module.name = ...`` run by a module that importing ``module`` executes."""
        for other in self.executed_with(module):
            summary = self.summary(other)
            if summary is None:
                continue
            for target, attribute, line in summary.external_attributes:
                if target == module.name and attribute == name:
                    where = Definition(other.where, line - 1, 0) if other.where else None
                    return Origin("variable", where)
        return None

    def executed_with(self, module: FoundModule) -> tuple[FoundModule, ...]:
        """The modules of ``module``'s top-level package that importing it runs: its parent
        packages, itself, and what they import unconditionally from that package."""
        key = module.name
        return self._executed.get(key, lambda: tuple(self._executed_with(module)))

    def _executed_with(self, module: FoundModule) -> list[FoundModule]:
        parts = module.name.split(".")
        names = [".".join(parts[: index + 1]) for index in range(len(parts))]
        seen = set(names)
        queue = deque(found for name in names if (found := self.find_module(name)) is not None)
        executed: list[FoundModule] = []
        while queue and len(executed) < _MAX_EXECUTED:
            current = queue.popleft()
            executed.append(current)
            summary = self.summary(current)
            if summary is None or summary.syntax_error:
                continue
            for name, found in self.imports_of(current, summary):
                if name not in seen:
                    seen.add(name)
                    if found is not None:
                        queue.append(found)
        return executed

    def _effective(self, binding: Binding | None) -> Binding | None:
        """The binding that really remains, given which optional imports succeed."""
        for _ in range(_MAX_DEPTH):
            if binding is None:
                return None
            if any(self.module_certainly_missing(module) for module in binding.requires):
                binding = binding.previous  # it sits after an import that fails (and is caught)
                continue
            if binding.unless and all(self.find_module(m) is not None for m in binding.unless):
                binding = binding.previous  # the handler never runs
                continue
            return binding
        return binding

    def _implicit(self, module: FoundModule, name: str) -> Origin | None:
        """Attributes the import system gives a module object."""
        if not (name.startswith("__") and name.endswith("__")):
            return None
        present = name in ALWAYS
        present = present or (name == "__path__" and module.is_package)
        present = present or (name in FILE_BACKED and module.file is not None)
        if not present:
            return None
        return Origin("variable", Definition(module.where) if module.where else None)

    def _star_provides(
        self, importer: FoundModule, star: StarImport, name: str, visiting: frozenset[str]
    ) -> Lookup:
        """Does ``from star.module import *`` (run in ``importer``) bind ``name``?"""
        if star.module is None:
            return Unknown(f"a relative star import in {importer.name!r} cannot be followed")
        key = f"{star.module}:{name}"
        if key in visiting or len(visiting) > _MAX_DEPTH:
            return Missing()  # a star-import cycle sees a partially executed module
        source = self.find_module(star.module)
        if source is None:
            return Unknown(f"{importer.name!r} star-imports {star.module!r}, which is not found")
        if source.kind == "namespace":
            return Missing()
        summary = self.attribute_summary(source)
        if summary is None:
            return Unknown(
                f"{importer.name!r} star-imports {star.module!r}, {describe_kind(source)}"
            )
        inner = visiting | {key}
        if summary.all_names is not None:
            if not summary.all_known:
                return Unknown(f"__all__ of {star.module!r} is computed at runtime")
            if name not in summary.all_names:
                return Missing()
            found = self._lookup(source, name, inner)
            if isinstance(found, Found):
                return found
            # A name in __all__ that is not an attribute: the star import imports the submodule.
            submodule = None
            if source.is_package:
                submodule = self.finder.find(f"{source.name}.{name}", source)
            if submodule is not None:
                return Found(source, None, module_origin(submodule, self.summary(submodule)))
            return Unknown(f"{name!r} is listed in __all__ of {star.module!r} but not bound there")
        if not summary.all_known:
            return Unknown(f"__all__ of {star.module!r} is computed at runtime")
        if name.startswith("_"):
            return Missing()
        return self._lookup(source, name, inner)

    # --- listing --------------------------------------------------------------------------

    def attribute_names(self, module: FoundModule) -> tuple[set[str], bool]:
        """The names ``module`` is known to have, and whether that list is complete."""
        return self._names(module, frozenset())

    def _names(self, module: FoundModule, visiting: frozenset[str]) -> tuple[set[str], bool]:
        summary = self.attribute_summary(module)
        if module.kind == "namespace":
            return set(), True
        if summary is None or summary.syntax_error or summary.unparsable:
            return set(), False
        names = set(summary.bindings) | getattr_names(self, module, summary)
        complete = summary.dynamic is None and not summary.maybe_names
        rebuilt = self.rebuilt(summary) if summary.helper_calls else None
        if rebuilt is not None:
            names, complete = set(rebuilt[0]), False
        for star in summary.star_imports:
            exported, star_complete = self._star_names(star, visiting)
            names |= {name for name in exported if summary.deleted.get(name, 0) < star.order}
            complete = complete and star_complete
        return names, complete

    def _star_names(self, star: StarImport, visiting: frozenset[str]) -> tuple[set[str], bool]:
        if star.module is None or star.module in visiting or len(visiting) > _MAX_DEPTH:
            return set(), star.module is not None
        source = self.find_module(star.module)
        if source is None:
            return set(), False
        summary = self.attribute_summary(source)
        if source.kind == "namespace":
            return set(), True
        if summary is None:
            return set(), False
        if summary.all_names is not None:
            return set(summary.all_names), summary.all_known
        if not summary.all_known:
            return set(), False
        names, complete = self._names(source, visiting | {star.module})
        return {name for name in names if not name.startswith("_")}, complete

    # --- origins --------------------------------------------------------------------------

    def origin(self, found: Found) -> Origin:
        """What a found attribute finally is (re-exports followed to their definition)."""
        if found.implicit is not None:
            return found.implicit
        assert found.binding is not None
        binding = found.binding
        key = (found.module.name, str(found.module.where), binding.name)
        return self._origins.get(key, lambda: self._origin(found.module, binding, 0, frozenset()))

    def _origin(
        self, module: FoundModule, binding: Binding, depth: int, visiting: frozenset[str]
    ) -> Origin:
        file = self.compiled_evidence(module) or module.where
        here = Definition(file, binding.line, binding.column) if file else None
        if binding.kind in ("class", "function", "variable"):
            return Origin(binding.kind, here, binding.details)
        unknown = Origin("unknown", here)
        if binding.module is None or depth > _MAX_DEPTH:
            return unknown
        if binding.kind in ("import", "submodule"):
            target = self.find_module(binding.module)
            return module_origin(target, self.summary(target)) if target else unknown
        # "from": from binding.module import binding.attribute
        attribute = binding.attribute or binding.name
        key = f"{binding.module}:{attribute}"
        if key in visiting:
            return unknown
        source = self.find_module(binding.module)
        if source is None:
            return unknown
        self_reference = source.name == module.name and attribute == binding.name
        if not self_reference:
            found = self._lookup(source, attribute, frozenset())
            if isinstance(found, Found):
                if found.implicit is not None:
                    return found.implicit
                assert found.binding is not None
                return self._origin(found.module, found.binding, depth + 1, visiting | {key})
        if source.is_package:
            submodule = self.finder.find(f"{source.name}.{attribute}", source)
            if submodule is not None:
                return module_origin(submodule, self.summary(submodule))
        return unknown
