"""Names of modules whose attributes are made at runtime, where the source decides them: a
decidable module ``__getattr__`` (with the factories it delegates to), a module rebuilt by a
lazy-module helper, and the stub or twin a compiled module is read through.

Functions over a ``ModuleSource`` (``namespace.Namespaces``), kept apart from the attribute
lookup itself, which calls them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from spoc_lsp.index.finder import FoundModule
from spoc_lsp.index.getattr_rules import GetattrRule
from spoc_lsp.index.model import ModuleSummary

_MAX_DELEGATIONS = 4


class ModuleSource(Protocol):
    """What these decisions need of the namespaces: modules and their summaries."""

    def find_module(self, fullname: str) -> FoundModule | None: ...

    def summary(self, module: FoundModule) -> ModuleSummary | None: ...

    def file_exists(self, path: Path) -> bool: ...


def compiled_evidence(source: ModuleSource, module: FoundModule) -> Path | None:
    """``name.pyi``, ``name/__init__.pyi`` or ``name.py`` beside an extension module (Cython's
    pure-Python mode ships both), read in its place for names."""
    if module.kind != "extension" or module.file is None:
        return None
    stem = "__init__" if module.is_package else module.name.rpartition(".")[2]
    directory = module.file.parent
    candidates = [directory / f"{stem}.pyi", directory / f"{stem}.py"]
    if not module.is_package:  # a stub package beside it: ``name/__init__.pyi``
        candidates.insert(1, directory / stem / "__init__.pyi")
    return next((twin for twin in candidates if source.file_exists(twin)), None)


def rebuilt(source: ModuleSource, summary: ModuleSummary) -> tuple[frozenset[str], str, int] | None:
    """When a helper rebuilds the module (``lazy_modules``): the names bound lazily, why, and
    the line of the call."""
    for call in summary.helper_calls:
        helper = source.find_module(call.module)
        found = source.summary(helper) if helper is not None else None
        if found is None or call.function not in found.rebinders:
            continue
        parameters = set(found.rebinders[call.function])
        names = call.names | (call.keywords - parameters)
        reason = f"{call.module}.{call.function}() replaces it (line {call.line})"
        return frozenset(names), reason, call.line
    return None


def getattr_chain(
    source: ModuleSource, module: FoundModule, summary: ModuleSummary
) -> list[GetattrRule] | str:
    """The rule of ``module``'s ``__getattr__`` and the factory rules it delegates to, or why a
    delegation cannot be followed."""
    rules: list[GetattrRule] = []
    rule = summary.getattr_rule
    owner = summary
    while rule is not None and len(rules) <= _MAX_DELEGATIONS:
        rules.append(rule)
        if rule.delegate is None:
            return rules
        binding = owner.binding(rule.delegate)
        if binding is not None and binding.kind == "function":
            rule = owner.getattr_factories.get(rule.delegate)
        elif binding is not None and binding.kind == "from" and binding.module:
            helper = source.find_module(binding.module)
            found = source.summary(helper) if helper is not None else None
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


def getattr_accepts(
    source: ModuleSource, module: FoundModule, summary: ModuleSummary, name: str
) -> bool | str:
    """Whether ``module.__getattr__`` returns something for ``name`` (a reason string when
    that cannot be told)."""
    chain = getattr_chain(source, module, summary)
    if isinstance(chain, str):
        return chain
    return any(rule.accepts(name, module.name) for rule in chain)


def getattr_names(source: ModuleSource, module: FoundModule, summary: ModuleSummary) -> set[str]:
    """The names ``module.__getattr__`` is known to accept."""
    if summary.dynamic is not None or summary.getattr_rule is None:
        return set()
    chain = getattr_chain(source, module, summary)
    if isinstance(chain, str):
        return set()
    return {name for rule in chain for name in rule.names(module.name)}
