"""Following ``PLUGINS`` through a settings module's top-level statements, as Python would.

Each statement changes what ``PLUGINS`` holds (see :mod:`py_values` for the state and how
values are read): re-assignment replaces it (earlier entries are dropped), ``del``, ``update``,
``setdefault``, ``append``, ``extend``, ``+=``... change it the way they do at runtime. A change
that cannot be read statically (``PLUGINS |= ...``, an unknown method) is reported and makes
what it may touch unknown. A *damaged* statement — one being typed — never drops or replaces
what was there: it only adds, so that nothing written before it is lost meanwhile.
"""

from __future__ import annotations

from spoc_lsp.syntax import py_ast
from spoc_lsp.syntax.builder import GroupResult
from spoc_lsp.syntax.model import Span
from spoc_lsp.syntax.py_calls import CallReader
from spoc_lsp.syntax.py_names import ModuleRef
from spoc_lsp.syntax.py_values import (
    PLUGINS,
    UNKNOWN,
    Entries,
    State,
    is_name,
    mentions_plugins,
    store,
)


class SettingsReader(CallReader):
    """Applies top-level statements to the :class:`State`, reporting what it cannot read."""

    def groups(self) -> list[GroupResult]:
        return [
            GroupResult(name, self.state.keys.get(name), list(value.sites))
            for name, value in self.state.groups.items()
            if isinstance(value, Entries)
        ]

    def statement(self, statement: py_ast.Stmt) -> None:
        if isinstance(statement, py_ast.Import):
            self.import_statement(statement)
        elif isinstance(statement, py_ast.Assign):
            self.calls_in(statement.value, statement.span)
            for target in statement.targets:
                self.assign(target, statement.value, statement.damaged)
        elif isinstance(statement, py_ast.AnnAssign):
            if statement.value is not None:
                self.calls_in(statement.value, statement.span)
                self.assign(statement.target, statement.value, statement.damaged)
            elif is_name(statement.target, "dict"):
                self.dict_rebound = True
        elif isinstance(statement, py_ast.AugAssign):
            self.augmented(statement)
        elif isinstance(statement, py_ast.ExprStmt):
            self.expression_statement(statement)
        elif isinstance(statement, py_ast.Delete):
            for target in statement.targets:
                self.delete(target, statement.span)

    def import_statement(self, statement: py_ast.Import) -> None:
        if self.follow(statement):
            return
        bound = [name for name, _ in statement.names if name != PLUGINS]
        self.names.forget(bound, statement.span)
        for name, _ in statement.names:
            if name == "dict":
                self.dict_rebound = True
            if name == PLUGINS:
                self.unreadable(
                    "PLUGINS comes from another module; its entries are not checked",
                    statement.span,
                )
                self.state = State(defined=True, partial=True)
        if statement.star:
            self.star_import = statement

    def follow(self, statement: py_ast.Import) -> bool:
        """Bind what an import of a project module binds, that module run; False if it is
        not followed (not a project module, or reported)."""
        if self.imports is None:
            return False
        if not statement.module and not statement.level:  # import a.b [as c]
            return self.follow_modules(statement)
        if not statement.module:  # from . import base: submodules of this package
            return self.follow_submodules(statement)
        module = self.imports.module(self.file, statement.module, statement.level, statement.span)
        if module is None:
            return False
        if statement.star:
            for name, value in module.names.values.items():
                if not name.startswith("_") and name not in ("PLUGINS",):
                    self.names.bind(name, value)
            if module.state.defined:
                self.state = module.state  # the very same dict, as at runtime
            return True
        for (name, span), original in zip(statement.names, statement.imported, strict=True):
            if original == PLUGINS and module.state.defined:
                self.state = module.state
            elif original == PLUGINS:
                self.unreadable(f"'{statement.module}' defines no PLUGINS (an ImportError)", span)
            elif original in module.names.values:
                self.names.bind(name, module.names.values[original])
            else:
                dotted = f"{statement.module}.{original}" if statement.module else original
                inner = self.imports.module(self.file, dotted, statement.level, span, quiet=True)
                if inner is not None:
                    self.names.bind(name, ModuleRef(span, inner.names))
                else:  # (a function or class it defines, say: not a value read here)
                    self.names.forget([name], statement.span)
        return True

    def follow_submodules(self, statement: py_ast.Import) -> bool:
        assert self.imports is not None
        for (name, span), original in zip(statement.names, statement.imported, strict=True):
            module = self.imports.module(self.file, original, statement.level, span)
            if module is not None:
                self.names.bind(name, ModuleRef(span, module.names))
            else:
                self.names.forget([name], statement.span)
        return True

    def follow_modules(self, statement: py_ast.Import) -> bool:
        """``import a.b as c`` binds module ``a.b`` to ``c``; ``import a.b`` binds ``a``."""
        assert self.imports is not None
        modules = []
        for (name, span), original in zip(statement.names, statement.imported, strict=True):
            aliased = "." not in original or name != original.split(".")[0]
            modules.append(self.imports.module(self.file, original, 0, span) if aliased else None)
        if all(module is None for module in modules):
            return False  # (modules of the environment: read as any import)
        for (name, span), module in zip(statement.names, modules, strict=True):
            if module is not None:
                self.names.bind(name, ModuleRef(span, module.names))
            else:
                self.names.forget([name], statement.span)
        return True

    def assign(self, target: py_ast.Node, value: py_ast.Node, damaged: bool = False) -> None:
        """``target = value``; a damaged (unfinished) assignment adds, never replaces."""
        if target.broken and not isinstance(target, py_ast.Subscript):
            self.sites_in(value, None)  # a target being typed ("PLUGINS." ...): nothing yet
            return
        if is_name(target, PLUGINS) and damaged:
            self.add_plugins(value)
        elif is_name(target, PLUGINS):
            self.assign_plugins(value)
        elif is_name(target, "dict"):
            self.dict_rebound = True
            self.names.bind("dict", value)
        elif isinstance(target, py_ast.Subscript) and is_name(target.obj, PLUGINS):
            self.use()
            name = self.group_name(target.index)
            if name is None:
                self.lose_unknown_key(target.index)
                self.sites_in(value, None)
                return
            if damaged and name in self.state.groups:
                self.sites_in(value, name)  # being typed: keep the group as it was
                return
            self.set_group(name, target.index.span, self.group_value(name, value))
        elif mentions_plugins(target):
            self.unreadable(
                "this change to PLUGINS cannot be read statically; it is not checked", target.span
            )
            self.sites_in(value, None)
        else:
            self.assign_name(target, value)

    def assign_name(self, target: py_ast.Node, value: py_ast.Node) -> None:
        """``NAME = value``, ``NAME[key] = value``, ``a, b = ...``: the names change."""
        if isinstance(target, py_ast.Name):
            self.names.bind(target.name, self.names.evaluate(value))
        elif isinstance(target, py_ast.Subscript) and isinstance(target.obj, py_ast.Name):
            self.names.set_item(target.obj.name, target.index, value, target.span)
        elif isinstance(target, (py_ast.Seq, py_ast.Starred)):
            self.names.forget(_target_names(target), target.span)

    def add_plugins(self, value: py_ast.Node) -> None:
        """An unfinished ``PLUGINS = {...`` being typed: its groups are added to what was
        there (none replaced), so that nothing written before it is lost meanwhile."""
        if not isinstance(value, (py_ast.Dict, py_ast.Call)):
            self.sites_in(value, None)
            return
        added = State(defined=True)
        self.quiet, quiet = True, self.quiet
        try:
            readable = self.read_dict(value, added)
        finally:
            self.quiet = quiet
        if not readable:
            return
        if not self.state.defined:
            self.state = added
            return
        for name, group in added.groups.items():
            if name not in self.state.groups:
                store(self.state, name, added.keys[name], group)

    def assign_plugins(self, value: py_ast.Node) -> None:
        if isinstance(value, (py_ast.Damaged, py_ast.Missing)):
            return  # being typed: keep what PLUGINS was
        state = State(defined=True)
        if self.read_dict(value, state):
            self.state = state
            return
        self.state = State(defined=True, partial=True)

    def augmented(self, statement: py_ast.AugAssign) -> None:
        target = statement.target
        if is_name(target, PLUGINS):
            self.use()
            self.unreadable(
                f"'PLUGINS {statement.op} ...' cannot be read statically; it is not checked",
                statement.span,
            )
            self.forget(statement.value)
            return
        if not (isinstance(target, py_ast.Subscript) and is_name(target.obj, PLUGINS)):
            if mentions_plugins(target):
                self.unreadable(
                    "this change to PLUGINS cannot be read statically; it is not checked",
                    statement.span,
                )
            elif isinstance(target, py_ast.Name):
                self.names.augment(target.name, statement.op, statement.value, statement.span)
            elif isinstance(target, (py_ast.Subscript, py_ast.Attr)) and isinstance(
                target.obj, py_ast.Name
            ):
                self.names.forget([target.obj.name], statement.span)
            return
        self.use()
        name = self.group_name(target.index)
        if name is None:
            self.lose_unknown_key(target.index)
            return
        if statement.op != "+=":
            self.unreadable(
                f"'{statement.op}' on group {name!r} cannot be read statically",
                statement.span,
                name,
            )
            self.set_group(name, target.index.span, UNKNOWN)
            return
        added = self.group_value(name, statement.value)
        current = self.current(name, target.span)
        if added is None:
            return
        if isinstance(current, Entries) and isinstance(added, Entries):
            if current.kind == "list":
                current.sites.extend(added.sites)  # list += iterable: in place
            elif added.kind == "tuple":
                self.set_group(
                    name, target.index.span, Entries("tuple", current.sites + added.sites)
                )
            else:
                self.wrong_type(
                    f"a tuple cannot be extended with a list (group {name!r})",
                    statement.value.span,
                    name,
                )
                self.set_group(name, target.index.span, UNKNOWN)
        elif current is not None:
            self.set_group(name, target.index.span, UNKNOWN)

    def forget(self, value: py_ast.Node) -> None:
        """An unreadable change to PLUGINS: any group it may touch is no longer known."""
        if isinstance(value, py_ast.Dict) and not value.comprehension:
            for item in value.items:
                if isinstance(item, py_ast.DictItem) and isinstance(item.key, py_ast.Str):
                    key_value = item.key.literal.value
                    if key_value is not None:
                        self.state.groups[key_value] = UNKNOWN
                        continue
                self.forget_all()
            return
        self.forget_all()

    def delete(self, target: py_ast.Node, span: Span) -> None:
        if is_name(target, PLUGINS):
            self.state = State()
        elif isinstance(target, py_ast.Subscript) and is_name(target.obj, PLUGINS):
            self.use()
            name = self.group_name(target.index)
            if name is None:
                self.forget_all()
                return
            self.state.groups.pop(name, None)
            self.state.keys.pop(name, None)
        elif mentions_plugins(target):
            self.unreadable(
                "this change to PLUGINS cannot be read statically; it is not checked", span
            )
        elif isinstance(target, py_ast.Name):
            self.names.delete(target.name)
        elif isinstance(target, py_ast.Subscript) and isinstance(target.obj, py_ast.Name):
            self.names.delete_item(target.obj.name, target.index, span)


def _target_names(target: py_ast.Node) -> list[str]:
    """The names an unpacking target ``a, (b, *c)`` binds."""
    if isinstance(target, py_ast.Name):
        return [target.name]
    if isinstance(target, py_ast.Starred):
        return _target_names(target.value)
    if isinstance(target, py_ast.Seq):
        return [name for item in target.items for name in _target_names(item)]
    return []


# --- helpers --------------------------------------------------------------------------------
