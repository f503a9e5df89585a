"""What executing a module's top level would bind, read from its source with ``ast`` only.

The summary lists every top-level binding (with kind, position, and where its signature and
docstring are written: they are rendered only when a hover asks, see ``signatures.Details``),
the star imports still to expand, the facts that make the module's attributes impossible to
list statically (module ``__getattr__``, ``globals()`` writes, ``sys.modules`` swaps, ``exec``),
and what makes importing it fail (syntax errors, unconditional ``raise``, required imports that
the resolver checks against the search path).

Control flow is followed the way the runtime would, as far as it can be decided statically:
``if TYPE_CHECKING:`` bodies never run; version and platform tests are decided for the target
interpreter; the branches of any other ``if``/``try``/loop/``match`` may each run. The first
``except ImportError:`` handler of a ``try`` that imports runs when one of those imports fails:
its imports and ``raise`` are recorded with that condition (``guards``), for the resolver to
decide against the search path.

Function bodies are walked only for ``global`` and ``globals()``/``vars()``/``locals()``, and
only those whose lines name one of these words (most modules name none).
"""

from __future__ import annotations

import ast
import bisect
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from spoc_lsp.index.ast_patterns import (
    TRY_STAR,
    catches_import_error,
    matches_import_error,
    pattern_names,
)
from spoc_lsp.index.conditions import ConditionFacts, evaluate
from spoc_lsp.index.function_scan import function_effects, scan_lines
from spoc_lsp.index.model import (
    Binding,
    Guards,
    ModuleProblem,
    ModuleSummary,
    RequiredImport,
    StarImport,
)
from spoc_lsp.index.relative import absolute_module
from spoc_lsp.index.signatures import (
    CLASS,
    FUNCTION,
    SourceRef,
    decode_source,
    definition_details,
    module_details,
    unix_newlines,
)
from spoc_lsp.index.summary_state import Context
from spoc_lsp.index.symbol_assignments import AssignmentRules

# The summary's data types live in ``model``; they are re-exported here, where callers that
# summarise modules have always found them.
__all__ = [
    "SERVER_VERSION",
    "Binding",
    "Guards",
    "ModuleProblem",
    "ModuleSummary",
    "RequiredImport",
    "StarImport",
    "summarize",
]

# The Python whose parser reads the sources (this process).
SERVER_VERSION = (sys.version_info[0], sys.version_info[1])

_TYPE_ALIAS: type[ast.AST] | None = getattr(ast, "TypeAlias", None)


def summarize(
    source: bytes,
    *,
    name: str,
    file: Path,
    is_package: bool,
    target: ConditionFacts,
    server_version: tuple[int, int] = SERVER_VERSION,
) -> ModuleSummary:
    """Summarise module ``name`` (a package when ``is_package``) from its ``source``."""
    try:
        tree = ast.parse(source, filename=str(file))
    except SyntaxError as error:
        if target.version[:2] > server_version:
            # Newer syntax than the server's parser knows proves nothing about the target.
            return ModuleSummary(name, file, is_package, unparsable=f"cannot parse: {error.msg}")
        line = error.lineno
        where = f" at line {line}" if line else ""
        message = f"syntax error{where}: {error.msg}"
        return ModuleSummary(
            name, file, is_package, problems=(ModuleProblem(message, line),), syntax_error=True
        )
    except (ValueError, RecursionError, MemoryError) as error:
        if isinstance(error, ValueError):  # null bytes: the runtime refuses the source too
            problem = ModuleProblem(f"source cannot be compiled: {error}", None)
            return ModuleSummary(name, file, is_package, problems=(problem,), syntax_error=True)
        return ModuleSummary(name, file, is_package, unparsable="source too deeply nested")
    text = unix_newlines(decode_source(source))
    lines = text.split("\n")
    walker = _Summarizer(name, is_package, target, lines, SourceRef(file, source))
    walker.scan_lines = scan_lines(source, text)
    walker.walrus = b":=" in source
    walker.rebuilds_modules = b"sys.modules" in source
    walker.block(tree.body, Context())
    return walker.finish(file, module_details(walker.source, tree), tree)


class _Summarizer(AssignmentRules):
    """Walks the top level once, in order, recording binding events."""

    # --- statements -----------------------------------------------------------------------

    def block(self, statements: Sequence[ast.stmt], context: Context) -> None:
        for statement in statements:
            self.statement(statement, context)

    def statement(self, node: ast.stmt, context: Context) -> None:
        if self.walrus:
            self._walrus(node, context)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions[node.name] = node
            self.bind(
                node.name,
                "function",
                node,
                context,
                column=self._name_column(node, node.name),
                details=definition_details(self.source, node, FUNCTION),
            )
            self._scan_function(node)
        elif isinstance(node, ast.ClassDef):
            self.bind(
                node.name,
                "class",
                node,
                context,
                column=self._name_column(node, node.name),
                details=definition_details(self.source, node, CLASS),
            )
        elif isinstance(node, ast.Assign):
            self.record_helper_call(node.value)
            for target in node.targets:
                self._assign(target, node.value, context, None)
            self._record_constant(node)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:  # an annotation alone binds nothing
                self._assign(node.target, node.value, context, node.annotation)
        elif isinstance(node, ast.AugAssign):
            self._aug_assign(node, context)
        elif isinstance(node, ast.Import):
            self._import(node, context)
        elif isinstance(node, ast.ImportFrom):
            self._import_from(node, context)
        elif isinstance(node, ast.Delete):
            self._delete(node, context)
        elif isinstance(node, ast.Expr):
            self._expression(node.value, node)
            self._call(node.value, context)
            self.record_helper_call(node.value)
        elif isinstance(node, ast.If):
            self._if(node, context)
        elif isinstance(node, ast.Try) or (TRY_STAR is not None and isinstance(node, TRY_STAR)):
            self._try(node, context)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self._assign(item.optional_vars, None, context, None)
            self.block(node.body, context)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            loop = replace(context, conditional=True, required=False, fails=False)
            self._assign(node.target, None, loop, None)
            self.block(node.body, loop)
            self.block(node.orelse, loop)
        elif isinstance(node, ast.While):
            loop = replace(context, conditional=True, required=False, fails=False)
            self.block(node.body, loop)
            self.block(node.orelse, loop)
        elif isinstance(node, ast.Match):
            case_context = replace(context, conditional=True, required=False, fails=False)
            for case in node.cases:
                for capture in pattern_names(case.pattern):
                    self.bind(capture[0], "variable", capture[1], case_context)
                self.block(case.body, case_context)
        elif isinstance(node, ast.Raise):
            if context.fails:
                what = ast.unparse(node.exc) if node.exc is not None else "an exception"
                self.problems.append(
                    ModuleProblem(
                        f"the module raises {what[:80]} when imported",
                        node.lineno,
                        context.guards,
                    )
                )
        elif _TYPE_ALIAS is not None and isinstance(node, _TYPE_ALIAS):
            name_node = getattr(node, "name", None)
            if isinstance(name_node, ast.Name):
                self.bind(name_node.id, "variable", name_node, context)

    def _if(self, node: ast.If, context: Context) -> None:
        verdict = _main_test(node.test, self.name)
        if verdict is None:
            verdict = evaluate(node.test, self.target, self.constants)
        if verdict is True:
            self.block(node.body, context)
        elif verdict is False:
            self.block(node.orelse, context)
        else:
            branch = replace(context, conditional=True, required=False, fails=False)
            self.block(node.body, _doomed(branch, node.body))
            self.block(node.orelse, _doomed(branch, node.orelse))

    def _try(self, node: ast.stmt, context: Context) -> None:
        handlers: list[ast.ExceptHandler] = getattr(node, "handlers", [])
        body: list[ast.stmt] = getattr(node, "body", [])
        catches = any(catches_import_error(handler) for handler in handlers)
        requires = context.requires
        for statement in body:
            if catches:
                # This statement's bindings, and everything after it in the body, only happen
                # when its imports succeed.
                requires = requires + tuple(self._imported_modules(statement))
            inner = Context(
                context.conditional or bool(handlers),
                context.required and not catches,
                False,
                requires,
                guards=context.guards,
            )
            self.statement(statement, inner)
        body_imports = tuple(
            module for statement in body for module in self._imported_modules(statement)
        )
        unless = body_imports if catches else ()
        handler_context = Context(True, False, False, context.requires, unless, context.guards)
        guard = self._guard(body, handlers) if catches else ()
        for index, handler in enumerate(handlers):
            if index == 0 and guard:
                # It runs whenever an import in ``guard`` fails: then its own imports and
                # raises count as much as the ``try`` statement's.
                guarded = replace(
                    handler_context,
                    required=context.required,
                    fails=context.fails,
                    guards=(*context.guards, guard),
                )
                self.block(handler.body, _doomed(guarded, handler.body))
            else:
                self.block(handler.body, _doomed(handler_context, handler.body))
        self.block(
            getattr(node, "orelse", []),
            Context(True, False, False, requires, guards=context.guards),
        )
        self.block(getattr(node, "finalbody", []), context)

    def _guard(
        self, body: Sequence[ast.stmt], handlers: Sequence[ast.ExceptHandler]
    ) -> tuple[str, ...]:
        """The imports whose failure certainly runs the first handler: those of the leading
        import statements of the ``try`` body, when that handler catches ``ImportError``.
        With more handlers, an import that raises something else might run another one, so
        only the very first import counts."""
        if not handlers or not matches_import_error(handlers[0]):
            return ()
        modules: list[str] = []
        for statement in body:
            if not isinstance(statement, (ast.Import, ast.ImportFrom)):
                break
            modules.extend(self._imported_modules(statement))
            if len(handlers) > 1:
                return tuple(modules[:1])
        return tuple(modules)

    def _imported_modules(self, statement: ast.stmt) -> Iterator[str]:
        """Absolute names of the modules an import statement needs."""
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                yield alias.name
        elif isinstance(statement, ast.ImportFrom):
            module = self._absolute(statement.level, statement.module)
            if module is not None and module != "__future__":
                yield module

    # --- functions ------------------------------------------------------------------------

    def _scan_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Names a function declares ``global`` and assigns may exist once it is called;
        a function that writes ``globals()`` makes the module dynamic if it is called."""
        if self.scan_lines is not None:
            # The first line naming a scanned word at or after the ``def`` line.
            index = bisect.bisect_left(self.scan_lines, node.lineno)
            last = node.end_lineno if node.end_lineno is not None else node.lineno
            if index == len(self.scan_lines) or self.scan_lines[index] > last:
                return
        effects = function_effects(node, self.package)
        if effects.writes_namespace:
            self.global_writers.add(node.name)
        self.maybe_names.update(effects.bound)

    def _call(self, value: ast.expr, context: Context) -> None:
        """``function(...)`` at top level runs that module function: its ``global`` bindings
        happen, and the attributes it sets on imported modules are set."""
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
            return
        function = self.functions.get(value.func.id)
        if function is None:
            return
        effects = function_effects(function, self.package, self.module_names)
        for binding in effects.bindings:
            inner = replace(context, conditional=True) if binding.nested else context
            self.bind(
                binding.name,
                binding.kind,
                binding.node,
                inner,
                module=binding.module,
                attribute=binding.attribute,
            )
        prefix = self.name + "."
        for module in effects.imports:
            # Importing a submodule sets it on this package (unless a name is bound there).
            sub = module[len(prefix) :].split(".")[0] if module.startswith(prefix) else None
            if sub and sub not in self.bindings:
                self._side_effect(module, value, replace(context, conditional=True))
        for write in effects.writes:
            self.external_attributes.append((write.module, write.attribute, write.line))

    # --- imports --------------------------------------------------------------------------

    def _absolute(self, level: int, module: str | None) -> str | None:
        return absolute_module(self.package, level, module)

    def _side_effect(self, module: str, node: ast.AST, context: Context) -> None:
        """Importing ``<self>.sub[...]`` sets ``sub`` as an attribute of this package."""
        prefix = self.name + "."
        if self.is_package and module.startswith(prefix):
            sub = module[len(prefix) :].split(".")[0]
            self.bind(sub, "submodule", node, context, module=prefix + sub)

    def _import(self, node: ast.Import, context: Context) -> None:
        for alias in node.names:
            full = alias.name
            self._side_effect(full, alias, context)
            if alias.asname:
                self.bind(alias.asname, "import", alias, context, module=full)
                self.module_names[alias.asname] = full
            else:
                top = full.split(".")[0]
                self.bind(top, "import", alias, context, module=top)
                self.module_names[top] = top
            if context.required:
                self.required.append(
                    RequiredImport(full, node.lineno, False, guards=context.guards)
                )

    def _import_from(self, node: ast.ImportFrom, context: Context) -> None:
        module = self._absolute(node.level, node.module)
        if module is None and context.required and not context.conditional:
            self.problems.append(
                ModuleProblem("a relative import reaches above the top-level package", node.lineno)
            )
        if module is not None:
            self._side_effect(module, node, context)
            if context.required and module != "__future__":
                names = tuple(alias.name for alias in node.names if alias.name != "*")
                self.required.append(
                    RequiredImport(module, node.lineno, node.level > 0, names, context.guards)
                )
        for alias in node.names:
            if alias.name == "*":
                self.order += 1
                self.star_imports.append(
                    StarImport(module, self.order, node.lineno, context.conditional)
                )
                continue
            if module is not None:  # maybe a submodule: remember in case attributes are set on it
                self.module_names[alias.asname or alias.name] = f"{module}.{alias.name}"
            self.bind(
                alias.asname or alias.name,
                "from",
                alias,
                context,
                module=module,
                attribute=alias.name,
            )


def _doomed(context: Context, body: Sequence[ast.stmt]) -> Context:
    """A branch that ends in ``raise`` fails the import whenever it runs: nothing it binds
    is ever seen on the module."""
    if body and isinstance(body[-1], ast.Raise):
        return replace(context, doomed=True)
    return context


def _main_test(test: ast.expr, name: str) -> bool | None:
    """``__name__ == "__main__"`` (or ``!=``): imported as ``name``, the module's ``__name__``
    is ``name``, so the test is decided (a module run as a script is never a plugin); an
    ``and`` with such a false test is false too."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        if any(_main_test(value, name) is False for value in test.values):
            return False
        return None
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.Eq, ast.NotEq))
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    ):
        return None
    right = test.comparators[0]
    if not (isinstance(right, ast.Constant) and isinstance(right.value, str)):
        return None
    equal = right.value == name
    return equal if isinstance(test.ops[0], ast.Eq) else not equal
