"""Assignments, deletions and expression statements at a module's top level: the bindings
they make, ``__all__``, and the writes that make a module's attributes dynamic (``globals()``,
``sys.modules``, ``setattr`` on itself, ``exec``)."""

from __future__ import annotations

import ast

from spoc_lsp.index.ast_patterns import (
    is_namespace_call,
    is_self_module,
    is_sys_attribute,
    literal_string,
    own_expressions,
    string_list,
    walrus_nodes,
)
from spoc_lsp.index.conditions import evaluate
from spoc_lsp.index.getattr_rules import literal_keys
from spoc_lsp.index.signatures import annotation_details
from spoc_lsp.index.summary_state import Context, SummaryState

_IMPORT_SYSTEM = frozenset({"path", "meta_path", "path_hooks", "path_importer_cache"})


class AssignmentRules(SummaryState):
    """The assignment and expression statements of the walk (see ``symbols._Summarizer``)."""

    def _assign(
        self,
        target: ast.expr,
        value: ast.expr | None,
        context: Context,
        annotation: ast.expr | None,
    ) -> None:
        if isinstance(target, ast.Name):
            self._assign_name(target, value, context, annotation)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values: list[ast.expr] | None = None
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                values = value.elts
            for index, element in enumerate(target.elts):
                self._assign(element, values[index] if values else None, context, None)
        elif isinstance(target, ast.Starred):
            self._assign(target.value, None, context, None)
        elif isinstance(target, ast.Subscript):
            self._assign_subscript(target, value)
        elif isinstance(target, ast.Attribute):
            self._assign_attribute(target)

    def _assign_name(
        self,
        target: ast.Name,
        value: ast.expr | None,
        context: Context,
        annotation: ast.expr | None,
    ) -> None:
        name = target.id
        if name == "__all__":
            literal = string_list(value) if value is not None else None
            if literal is None:
                self.all_known = False
            elif context.conditional and self.all_names is not None:
                self.all_names += [item for item in literal if item not in self.all_names]
            else:
                self.all_names = literal
                self.all_known = True
        if value is not None and is_self_module(value):
            self.self_aliases.add(name)
        self._remember_value(name, value, context)
        details = annotation_details(self.source, annotation)
        self.bind(name, "variable", target, context, details=details)

    def _remember_value(self, name: str, value: ast.expr | None, context: Context) -> None:
        """Literal tables and ``f(__name__)`` calls, for deciding a module ``__getattr__``."""
        keys = literal_keys(value) if value is not None else None
        if keys is not None and context.conditional and name in self.tables:
            self.tables[name] = self.tables[name] | keys  # either may be the one bound
        elif keys is not None and not (context.conditional and name in self.bindings):
            self.tables[name] = keys
        else:
            self.tables.pop(name, None)
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and len(value.args) == 1
            and isinstance(value.args[0], ast.Name)
            and value.args[0].id == "__name__"
        ):
            self.factory_calls[name] = value.func.id
        else:
            self.factory_calls.pop(name, None)

    def _assign_subscript(self, target: ast.Subscript, value: ast.expr | None) -> None:
        container = target.value
        if is_sys_attribute(container, "modules"):
            key = target.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if key.value == self.name:
                    self.set_dynamic("the module replaces itself in sys.modules", target)
                else:
                    self.module_aliases[key.value] = (
                        value.id if isinstance(value, ast.Name) else None
                    )
            elif isinstance(key, ast.Name) and key.id == "__name__":
                self.set_dynamic("the module replaces itself in sys.modules", target)
            else:
                self.unknown_aliases = True
        elif is_namespace_call(container):
            self.set_dynamic("the module writes its namespace through globals()", target)
        elif isinstance(container, ast.Name) and container.id == "__path__":
            self.path_changed = True

    def _assign_attribute(self, target: ast.Attribute) -> None:
        base = target.value
        if is_sys_attribute(target, *_IMPORT_SYSTEM):
            self.import_hooks = True
        elif is_self_module(base) or (isinstance(base, ast.Name) and base.id in self.self_aliases):
            self.set_dynamic("the module sets attributes on itself through sys.modules", target)
        else:
            self.external_attribute(base, target.attr, target)

    def _aug_assign(self, node: ast.AugAssign, context: Context) -> None:
        target = node.target
        if isinstance(target, ast.Name):
            if target.id == "__all__":
                extra = string_list(node.value)
                if extra is None:
                    self.all_known = False
                elif self.all_names is not None:
                    self.all_names += extra
            if target.id == "__path__":
                self.path_changed = True
            # ``x += ...`` rebinds an existing name (to the same kind of value) and fails on
            # an unbound one, so it never adds a name.
        elif isinstance(target, ast.Attribute):
            self._assign_attribute(target)
        elif isinstance(target, ast.Subscript):
            self._assign_subscript(target, None)

    def _record_constant(self, node: ast.Assign) -> None:
        """Remember ``PY3 = sys.version_info[0] == 3`` for later ``if PY3:`` tests."""
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            verdict = evaluate(node.value, self.target, self.constants)
            name = node.targets[0].id
            if verdict is not None and not isinstance(node.value, ast.Constant):
                self.constants[name] = verdict
            else:
                self.constants.pop(name, None)

    def _delete(self, node: ast.Delete, context: Context) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name) and not context.conditional:
                self.order += 1
                self.bindings.pop(target.id, None)
                self.deleted[target.id] = self.order
            elif isinstance(target, ast.Subscript) and is_namespace_call(target.value):
                self.set_dynamic("the module deletes names through globals()", target)

    def _expression(self, value: ast.expr, node: ast.stmt) -> None:
        if not isinstance(value, ast.Call):
            return
        func = value.func
        if isinstance(func, ast.Name):
            if func.id == "exec":
                self.set_dynamic("the module runs exec()", node)
            elif func.id == "setattr" and value.args:
                first = value.args[0]
                if is_self_module(first) or (
                    isinstance(first, ast.Name) and first.id in self.self_aliases
                ):
                    self.set_dynamic("the module sets attributes on itself with setattr()", node)
                elif len(value.args) == 3 and isinstance(
                    name := literal_string(value.args[1]), str
                ):
                    self.external_attribute(first, name, node)
            elif func.id in self.global_writers:
                self.set_dynamic(f"{func.id}() writes module globals dynamically", node)
        elif isinstance(func, ast.Attribute):
            owner = func.value
            if is_namespace_call(owner):
                self.set_dynamic("the module writes its namespace through globals()", node)
            elif isinstance(owner, ast.Name) and owner.id == "__all__":
                self._all_method(func.attr, value)
            elif isinstance(owner, ast.Name) and owner.id == "__path__":
                self.path_changed = True
            elif is_sys_attribute(owner, *_IMPORT_SYSTEM):
                self.import_hooks = True
            elif func.attr in ("extend_path", "declare_namespace"):
                self.path_changed = True

    def _all_method(self, method: str, call: ast.Call) -> None:
        if self.all_names is None:
            return
        argument = call.args[0] if len(call.args) == 1 else None
        if method == "extend" and argument is not None:
            extra = string_list(argument)
            if extra is None:
                self.all_known = False
            else:
                self.all_names += extra
        elif method == "append" and isinstance(argument, ast.Constant):
            if isinstance(argument.value, str):
                self.all_names.append(argument.value)
        elif method == "remove" and isinstance(argument, ast.Constant):
            if argument.value in self.all_names:
                self.all_names.remove(argument.value)
        elif method not in ("index", "count", "copy"):
            self.all_known = False

    def _walrus(self, node: ast.stmt, context: Context) -> None:
        """``(name := value)`` anywhere in a top-level statement's own expressions binds
        ``name`` at module level (comprehensions included, lambdas and nested defs not)."""
        for expression in own_expressions(node):
            for walrus in walrus_nodes(expression):
                if isinstance(walrus.target, ast.Name):
                    self.bind(walrus.target.id, "variable", walrus.target, context)
