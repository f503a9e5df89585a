"""A module's attributes after it is imported: its bindings, star imports, and where each
binding really comes from (re-exports followed to their origin).

``lookup`` answers ``getattr(module, name)`` as found / certainly missing / unknown.
``origin`` follows an import binding through re-exports (cycle-safe, depth-limited) to what it
finally names, for the symbol's kind, definition, signature and docstring.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from spoc_lsp.index.finder import FoundModule, ModuleFinder
from spoc_lsp.index.getattr_rules import GetattrRule
from spoc_lsp.index.model import (
    Binding,
    Definition,
    Guards,
    HoverText,
    ModuleSummary,
    StarImport,
    SymbolKind,
)
from spoc_lsp.index.summaries import SummaryCache
from spoc_lsp.index.tracking import Clock, Memo, Tracker

_MAX_DEPTH = 24
_MAX_EXECUTED = 400  # modules followed from one import, to bound the cost of huge packages

# Attributes every module object has, whatever its code does.
_ALWAYS = frozenset(
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
_FILE_BACKED = frozenset({"__file__", "__cached__", "__builtins__"})

_KIND_WORDS = {
    "extension": "a compiled extension module",
    "bytecode": "a sourceless .pyc module",
    "builtin": "a built-in module",
    "frozen": "a frozen module without source",
    "source": "a module",
    "namespace": "a namespace package",
}


@dataclass(frozen=True)
class Origin:
    """What a name finally refers to."""

    kind: SymbolKind
    definition: Definition | None
    details: HoverText | None = None  # signature and docstring, rendered when asked for
    module: FoundModule | None = None  # set when it is a module

    @property
    def signature(self) -> str | None:
        return self.details.signature if self.details is not None else None

    @property
    def doc(self) -> str | None:
        return self.details.doc if self.details is not None else None


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
        """``name.pyi`` or ``name.py`` beside an extension module (Cython's pure-Python mode
        ships both), read in its place."""
        if module.kind != "extension" or module.file is None:
            return None
        stem = "__init__" if module.is_package else module.name.rpartition(".")[2]
        directory = module.file.parent
        candidates = [directory / f"{stem}.pyi", directory / f"{stem}.py"]
        if not module.is_package:  # a stub package beside it: ``name/__init__.pyi``
            candidates.insert(1, directory / stem / "__init__.pyi")
        for twin in candidates:
            if self.finder.file_exists(twin):
                return twin
        return None

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
            decided = self._getattr_accepts(module, summary, name)
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
        """When a helper rebuilds the module (``lazy_modules``): the names bound lazily, why,
        and the line of the call."""
        for call in summary.helper_calls:
            helper = self.find_module(call.module)
            found = self.summary(helper) if helper is not None else None
            if found is None or call.function not in found.rebinders:
                continue
            parameters = set(found.rebinders[call.function])
            names = call.names | (call.keywords - parameters)
            reason = f"{call.module}.{call.function}() replaces it (line {call.line})"
            return frozenset(names), reason, call.line
        return None

    def _getattr_chain(
        self, module: FoundModule, summary: ModuleSummary
    ) -> list[GetattrRule] | str:
        """The rule of ``module``'s ``__getattr__`` and the factory rules it delegates to, or
        why a delegation cannot be followed."""
        rules: list[GetattrRule] = []
        rule = summary.getattr_rule
        owner = summary
        while rule is not None and len(rules) <= 4:
            rules.append(rule)
            if rule.delegate is None:
                return rules
            binding = owner.binding(rule.delegate)
            if binding is not None and binding.kind == "function":
                rule = owner.getattr_factories.get(rule.delegate)
            elif binding is not None and binding.kind == "from" and binding.module:
                source = self.find_module(binding.module)
                found = self.summary(source) if source is not None else None
                if found is None or found.dynamic is not None:
                    break
                owner = found
                rule = found.getattr_factories.get(binding.attribute or binding.name)
            else:
                break
        line = summary.getattr_rule.line if summary.getattr_rule else 0
        return (
            f"module {module.name!r} defines __getattr__ (line {line}) through a helper that "
            "cannot be followed"
        )

    def _getattr_accepts(
        self, module: FoundModule, summary: ModuleSummary, name: str
    ) -> bool | str:
        """Whether ``module.__getattr__`` returns something for ``name`` (a reason string when
        that cannot be told)."""
        chain = self._getattr_chain(module, summary)
        if isinstance(chain, str):
            return chain
        return any(rule.accepts(name, module.name) for rule in chain)

    def getattr_names(self, module: FoundModule, summary: ModuleSummary) -> set[str]:
        """The names ``module.__getattr__`` is known to accept."""
        if summary.dynamic is not None or summary.getattr_rule is None:
            return set()
        chain = self._getattr_chain(module, summary)
        if isinstance(chain, str):
            return set()
        return {name for rule in chain for name in rule.names(module.name)}

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
        present = name in _ALWAYS
        present = present or (name == "__path__" and module.is_package)
        present = present or (name in _FILE_BACKED and module.file is not None)
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
        names = set(summary.bindings) | self.getattr_names(module, summary)
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
