"""The state one walk over a module's top level builds up, and how bindings are recorded.

``symbols._Summarizer`` walks the statements; this base class holds what it found and turns it
into a ``ModuleSummary``.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spoc_lsp.index.conditions import ConditionFacts
from spoc_lsp.index.getattr_rules import GetattrRule, derive_rule, factory_rule, mutated_tables
from spoc_lsp.index.lazy_modules import HelperCall, helper_call, rebinding_functions
from spoc_lsp.index.model import (
    Binding,
    BindingKind,
    Guards,
    ModuleProblem,
    ModuleSummary,
    RequiredImport,
    StarImport,
)
from spoc_lsp.index.signatures import Details, SourceRef, char_column


@dataclass(frozen=True)
class Context:
    """Where a statement runs, as far as the top level's control flow tells."""

    conditional: bool = False  # bindings here may not happen
    required: bool = True  # imports here run whenever the module is imported, uncaught
    fails: bool = True  # a ``raise`` here runs whenever the module is imported, uncaught
    requires: tuple[str, ...] = ()  # see Binding.requires
    unless: tuple[str, ...] = ()  # see Binding.unless
    guards: Guards = ()  # ``required`` and ``fails`` hold only when these imports fail
    doomed: bool = False  # the branch ends in ``raise``: its bindings never survive


class SummaryState:
    """What the walk has found so far, in order of binding events."""

    def __init__(
        self,
        name: str,
        is_package: bool,
        target: ConditionFacts,
        lines: Sequence[str],
        source: SourceRef,
    ) -> None:
        self.name = name
        self.is_package = is_package
        self.package = name if is_package else name.rpartition(".")[0]
        self.target = target
        self.lines = lines
        self.source = source
        # The 1-based numbers of the lines naming a word _scan_function looks for, in order;
        # ``None``: walk every function body.
        self.scan_lines: tuple[int, ...] | None = None
        self.walrus = True  # the source may hold ``:=``
        self.order = 0
        self.bindings: dict[str, Binding] = {}
        self.star_imports: list[StarImport] = []
        self.deleted: dict[str, int] = {}
        self.maybe_names: set[str] = set()
        self.all_names: list[str] | None = None
        self.all_known = True
        self.dynamic: str | None = None
        self.path_changed = False
        self.import_hooks = False
        self.module_aliases: dict[str, str | None] = {}
        self.unknown_aliases = False
        self.required: list[RequiredImport] = []
        self.problems: list[ModuleProblem] = []
        self.constants: dict[str, bool] = {}
        self.self_aliases: set[str] = set()  # names bound to sys.modules[__name__]
        self.global_writers: set[str] = set()  # functions that write module globals dynamically
        self.module_names: dict[str, str] = {}  # local name -> module it was imported as
        self.external_attributes: list[tuple[str, str, int]] = []
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}  # top-level defs
        self.tables: dict[str, frozenset[str]] = {}  # NAME = literal collection of strings
        self.factory_calls: dict[str, str] = {}  # x = factory(__name__): x -> factory
        self.getattr_line: int | None = None
        self.other_dynamic: str | None = None  # why dynamic, __getattr__ aside
        self.helper_calls: list[HelperCall] = []
        self.rebuilds_modules = False  # the source names sys.modules (look for rebinders)

    def finish(
        self, file: Path, doc: Details | None, tree: ast.Module | None = None
    ) -> ModuleSummary:
        rule, factories = self._getattr_rules(tree)
        if rule is not None:
            self.dynamic = self.other_dynamic
        return ModuleSummary(
            name=self.name,
            file=file,
            is_package=self.is_package,
            doc_details=doc,
            bindings=self.bindings,
            star_imports=tuple(self.star_imports),
            deleted=self.deleted,
            maybe_names=frozenset(self.maybe_names - set(self.bindings)),
            all_names=tuple(self.all_names) if self.all_names is not None else None,
            all_known=self.all_known,
            dynamic=self.dynamic,
            path_changed=self.path_changed,
            import_hooks=self.import_hooks,
            module_aliases=self.module_aliases,
            unknown_aliases=self.unknown_aliases,
            external_attributes=tuple(self.external_attributes),
            required_imports=tuple(self.required),
            guarded_imports=any(required.guards for required in self.required),
            problems=tuple(self.problems),
            getattr_rule=rule,
            getattr_factories=factories,
            helper_calls=tuple(self.helper_calls),
            rebinders=rebinding_functions(self.functions.values()) if self.rebuilds_modules else {},
        )

    def record_helper_call(self, value: ast.expr) -> None:
        """``helper(__name__, ...)`` run at top level (see ``lazy_modules``)."""
        if not isinstance(value, ast.Call):
            return
        imported_from = {
            name: (binding.module, binding.attribute or name)
            for name, binding in self.bindings.items()
            if binding.kind == "from" and binding.module is not None
        }
        call = helper_call(value, imported_from, self.module_names)
        if call is not None:
            self.helper_calls.append(call)

    def _getattr_rules(
        self, tree: ast.Module | None
    ) -> tuple[GetattrRule | None, dict[str, GetattrRule]]:
        """The module ``__getattr__``'s rule, and those of its getattr factories."""
        derived: dict[str, tuple[GetattrRule, frozenset[str]]] = {}
        for name, function in self.functions.items():
            if isinstance(function, ast.FunctionDef) and function.body:
                made = factory_rule(function, self.tables, self.factory_calls)
                if made is not None:
                    derived[name] = made
        rule: tuple[GetattrRule, frozenset[str]] | None = None
        binding = self.bindings.get("__getattr__")
        if binding is not None and self.getattr_line is not None:
            getattr_function = self.functions.get("__getattr__")
            if binding.kind == "function" and getattr_function is not None:
                rule = derive_rule(getattr_function, self.tables, self.factory_calls)
            elif binding.kind == "variable" and "__getattr__" in self.factory_calls:
                delegate = self.factory_calls["__getattr__"]
                rule = GetattrRule(binding.line + 1, delegate=delegate), frozenset()
        used = frozenset().union(
            *(tables for _rule, tables in [*derived.values(), *([rule] if rule else [])])
        )
        changed = mutated_tables(tree, used) if tree is not None and used else set()
        factories = {name: made for name, (made, tables) in derived.items() if not tables & changed}
        if rule is None or rule[1] & changed:
            return None, factories
        return rule[0], factories

    # --- recording ------------------------------------------------------------------------

    def _column(self, line: int, col_offset: int) -> int:
        """Convert ast's UTF-8 byte offset to a character offset."""
        if 0 < line <= len(self.lines):
            return char_column(self.lines[line - 1], col_offset)
        return col_offset

    def _name_column(self, node: ast.stmt, name: str) -> int:
        """Where ``name`` appears on a def/class line (after the keyword)."""
        line = node.lineno
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            start = self._column(line, node.col_offset)
            found = text.find(name, start)
            if found >= 0:
                return found
        return self._column(line, node.col_offset)

    def bind(
        self,
        name: str,
        kind: BindingKind,
        node: ast.AST,
        context: Context,
        *,
        column: int | None = None,
        details: Details | None = None,
        module: str | None = None,
        attribute: str | None = None,
    ) -> None:
        if context.doomed:
            return
        self.order += 1
        line = getattr(node, "lineno", 1)
        col = column if column is not None else self._column(line, getattr(node, "col_offset", 0))
        self.bindings[name] = Binding(
            name=name,
            kind=kind,
            line=max(line - 1, 0),
            column=col,
            order=self.order,
            details=details,
            module=module,
            attribute=attribute,
            conditional=context.conditional,
            requires=context.requires,
            unless=context.unless,
            previous=self.bindings.get(name),
        )
        if name == "__getattr__":
            self.getattr_line = line
            if self.dynamic is None:
                self.dynamic = f"the module defines __getattr__ (line {line})"
        if name == "__path__":
            self.path_changed = True

    def set_dynamic(self, reason: str, node: ast.AST) -> None:
        if self.other_dynamic is None:
            self.other_dynamic = f"{reason} (line {getattr(node, 'lineno', '?')})"
        if self.dynamic is None:
            self.dynamic = f"{reason} (line {getattr(node, 'lineno', '?')})"

    def external_attribute(self, owner: ast.expr, attribute: str, node: ast.AST) -> None:
        """``imported_module.attr = value`` adds ``attr`` to ANOTHER module once this runs."""
        dotted: list[str] = []
        while isinstance(owner, ast.Attribute):
            dotted.insert(0, owner.attr)
            owner = owner.value
        if isinstance(owner, ast.Name) and owner.id in self.module_names:
            module = ".".join([self.module_names[owner.id], *dotted])
            self.external_attributes.append((module, attribute, getattr(node, "lineno", 1)))
