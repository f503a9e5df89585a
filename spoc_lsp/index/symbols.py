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
import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from spoc_lsp.index.ast_patterns import (
    TRY_STAR,
    catches_import_error,
    is_namespace_call,
    is_self_module,
    is_sys_attribute,
    literal_string,
    matches_import_error,
    namespace_write,
    own_expressions,
    pattern_names,
    string_list,
    targets,
    walrus_nodes,
)
from spoc_lsp.index.conditions import Target, evaluate
from spoc_lsp.index.signatures import (
    ANNOTATION,
    CLASS,
    FUNCTION,
    MODULE,
    Details,
    SourceRef,
    char_column,
    class_signature,
    decode_source,
    docstring,
    docstring_statement,
    function_signature,
    header_end,
    unix_newlines,
)

# The Python whose parser reads the sources (this process).
SERVER_VERSION = (sys.version_info[0], sys.version_info[1])

BindingKind = Literal["class", "function", "variable", "import", "from", "submodule"]

_IMPORT_SYSTEM = frozenset({"path", "meta_path", "path_hooks", "path_importer_cache"})
_TYPE_ALIAS: type[ast.AST] | None = getattr(ast, "TypeAlias", None)
# What ``_scan_function`` looks for inside function bodies: ``global`` statements and
# ``globals()``/``vars()``/``locals()`` calls. A body whose lines hold none of these words
# (identifiers are never split across lines) has nothing to find, so it is not walked.
_SCAN_WORDS = re.compile(r"global|vars|locals")
# Modules whose failure to import makes an ``except ImportError:`` handler run, one group per
# enclosing handler; code under guards runs only when each group has a module that fails.
Guards = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)  # ~40 per module: slots keep them small
class Binding:
    """One name the module's top level binds (the last binding of that name wins)."""

    name: str
    kind: BindingKind
    line: int  # 0-based
    column: int  # 0-based, in characters
    order: int  # position among binding events, to order star imports against it
    details: Details | None = None  # signature and docstring, rendered when first asked for
    # "import"/"submodule": the absolute module it names; "from": the module imported from
    # (None for a relative import that reaches above the top-level package).
    module: str | None = None
    attribute: str | None = None  # "from": the name taken from ``module``
    conditional: bool = False  # bound only on some paths through the top level
    # Modules that must be importable for this binding to happen (bindings in a ``try:``
    # body, from an import that may fail on).
    requires: tuple[str, ...] = ()
    # Bound in an ``except ImportError`` handler: happens only if one of these imports fails.
    unless: tuple[str, ...] = ()
    # The binding this one replaced: what remains when this one turns out not to happen.
    previous: Binding | None = None

    @property
    def signature(self) -> str | None:
        return self.details.signature if self.details is not None else None

    @property
    def doc(self) -> str | None:
        return self.details.doc if self.details is not None else None


@dataclass(frozen=True)
class StarImport:
    """``from module import *`` at top level."""

    module: str | None
    order: int
    line: int  # 1-based
    conditional: bool


@dataclass(frozen=True)
class RequiredImport:
    """An import that runs whenever the module is imported and whose failure is not caught."""

    module: str  # absolute dotted name
    line: int  # 1-based
    relative: bool
    names: tuple[str, ...] = ()  # ``from module import names`` (each may be a submodule)
    # Run only by ``except ImportError:`` handlers: required when these imports fail.
    guards: Guards = ()


@dataclass(frozen=True)
class ModuleProblem:
    """A certain import failure visible in the module's own source."""

    message: str
    line: int | None  # 1-based
    guards: Guards = ()  # a failure only when these imports fail (see RequiredImport)


@dataclass(frozen=True, eq=False)
class ModuleSummary:
    """Everything the resolver needs to know about one module's source."""

    name: str
    file: Path
    is_package: bool
    doc_details: Details | None = None  # the module docstring, rendered when asked for
    bindings: Mapping[str, Binding] = field(default_factory=dict)
    star_imports: tuple[StarImport, ...] = ()
    deleted: Mapping[str, int] = field(default_factory=dict)  # name -> order of its `del`
    maybe_names: frozenset[str] = frozenset()  # bound only by `global` inside a function
    all_names: tuple[str, ...] | None = None  # a literal __all__
    all_known: bool = True  # False when __all__ exists but is not a literal
    dynamic: str | None = None  # why the attributes cannot be listed statically
    path_changed: bool = False  # __path__ is assigned or extended
    import_hooks: bool = False  # sys.path / sys.meta_path / sys.path_hooks are changed
    module_aliases: Mapping[str, str | None] = field(default_factory=dict)  # sys.modules[k] = v
    unknown_aliases: bool = False  # sys.modules[<not a literal>] = ...
    # (module, attribute, 1-based line): attributes this module sets on other modules
    external_attributes: tuple[tuple[str, str, int], ...] = ()
    required_imports: tuple[RequiredImport, ...] = ()
    guarded_imports: bool = False  # some required imports have guards
    problems: tuple[ModuleProblem, ...] = ()
    syntax_error: bool = False
    unparsable: str | None = None  # parsing failed for a reason that proves nothing

    def binding(self, name: str) -> Binding | None:
        return self.bindings.get(name)

    @property
    def doc(self) -> str | None:
        """The first paragraph of the module docstring."""
        return self.doc_details.doc if self.doc_details is not None else None


@dataclass(frozen=True)
class _Context:
    conditional: bool = False  # bindings here may not happen
    required: bool = True  # imports here run whenever the module is imported, uncaught
    fails: bool = True  # a ``raise`` here runs whenever the module is imported, uncaught
    requires: tuple[str, ...] = ()  # see Binding.requires
    unless: tuple[str, ...] = ()  # see Binding.unless
    guards: Guards = ()  # ``required`` and ``fails`` hold only when these imports fail


def summarize(
    source: bytes,
    *,
    name: str,
    file: Path,
    is_package: bool,
    target: Target,
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
    walker.scan_lines = _scan_lines(source, text)
    walker.walrus = b":=" in source
    walker.block(tree.body, _Context())
    return walker.finish(file, walker.module_details(tree))


class _Summarizer:
    """Walks the top level once, in order, recording binding events."""

    def __init__(
        self,
        name: str,
        is_package: bool,
        target: Target,
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

    def finish(self, file: Path, doc: Details | None) -> ModuleSummary:
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
        )

    # --- recording ------------------------------------------------------------------------

    def _column(self, line: int, col_offset: int) -> int:
        """Convert ast's UTF-8 byte offset to a character offset."""
        if 0 < line <= len(self.lines):
            return char_column(self.lines[line - 1], col_offset)
        return col_offset

    # --- hover text, kept as positions (see signatures.Details) ---------------------------

    def module_details(self, tree: ast.Module) -> Details | None:
        statement = docstring_statement(tree)
        if statement is None:
            return None
        return Details(self.source, MODULE, None, _span(statement, statement))

    def definition_details(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, kind: int
    ) -> Details:
        """Where a def or class header (and its docstring) is written."""
        first = node.body[0]  # (the grammar gives every def and class a body)
        if type(first) is ast.Expr:
            value = first.value
            if type(value) is ast.Constant and type(value.value) is str:  # the docstring
                span = _span(node, first)
                return Details(self.source, kind, node.name, span)
        end = header_end(node)
        if end is None:  # rare: render now
            if isinstance(node, ast.ClassDef):
                return Details.fixed(self.source, class_signature(node), docstring(node))
            return Details.fixed(self.source, function_signature(node), docstring(node))
        span = (node.lineno, node.col_offset, *end)
        return Details(self.source, kind, node.name, span, needs_body=True)

    def annotation_details(self, annotation: ast.expr | None) -> Details | None:
        if annotation is None:
            return None
        return Details(self.source, ANNOTATION, None, _span(annotation, annotation))

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
        context: _Context,
        *,
        column: int | None = None,
        details: Details | None = None,
        module: str | None = None,
        attribute: str | None = None,
    ) -> None:
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
        if name == "__getattr__" and self.dynamic is None:
            self.dynamic = f"the module defines __getattr__ (line {line})"
        if name == "__path__":
            self.path_changed = True

    def set_dynamic(self, reason: str, node: ast.AST) -> None:
        if self.dynamic is None:
            self.dynamic = f"{reason} (line {getattr(node, 'lineno', '?')})"

    # --- statements -----------------------------------------------------------------------

    def block(self, statements: Sequence[ast.stmt], context: _Context) -> None:
        for statement in statements:
            self.statement(statement, context)

    def statement(self, node: ast.stmt, context: _Context) -> None:
        if self.walrus:
            self._walrus(node, context)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.bind(
                node.name,
                "function",
                node,
                context,
                column=self._name_column(node, node.name),
                details=self.definition_details(node, FUNCTION),
            )
            self._scan_function(node)
        elif isinstance(node, ast.ClassDef):
            self.bind(
                node.name,
                "class",
                node,
                context,
                column=self._name_column(node, node.name),
                details=self.definition_details(node, CLASS),
            )
        elif isinstance(node, ast.Assign):
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

    def _if(self, node: ast.If, context: _Context) -> None:
        verdict = evaluate(node.test, self.target, self.constants)
        if verdict is True:
            self.block(node.body, context)
        elif verdict is False:
            self.block(node.orelse, context)
        else:
            branch = replace(context, conditional=True, required=False, fails=False)
            self.block(node.body, branch)
            self.block(node.orelse, branch)

    def _try(self, node: ast.stmt, context: _Context) -> None:
        handlers: list[ast.ExceptHandler] = getattr(node, "handlers", [])
        body: list[ast.stmt] = getattr(node, "body", [])
        catches = any(catches_import_error(handler) for handler in handlers)
        requires = context.requires
        for statement in body:
            if catches:
                # This statement's bindings, and everything after it in the body, only happen
                # when its imports succeed.
                requires = requires + tuple(self._imported_modules(statement))
            inner = _Context(
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
        handler_context = _Context(True, False, False, context.requires, unless, context.guards)
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
                self.block(handler.body, guarded)
            else:
                self.block(handler.body, handler_context)
        self.block(
            getattr(node, "orelse", []),
            _Context(True, False, False, requires, guards=context.guards),
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
        declared: set[str] = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Global):
                declared.update(inner.names)
            elif namespace_write(inner):
                self.global_writers.add(node.name)
        if declared:
            assigned = {
                target.id
                for inner in ast.walk(node)
                if isinstance(inner, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                for target in targets(inner)
                if isinstance(target, ast.Name)
            }
            self.maybe_names.update(declared & assigned)

    # --- assignments ----------------------------------------------------------------------

    def _assign(
        self,
        target: ast.expr,
        value: ast.expr | None,
        context: _Context,
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
        context: _Context,
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
        self.bind(name, "variable", target, context, details=self.annotation_details(annotation))

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
            self._external_attribute(base, target.attr, target)

    def _external_attribute(self, owner: ast.expr, attribute: str, node: ast.AST) -> None:
        """``imported_module.attr = value`` adds ``attr`` to ANOTHER module once this runs."""
        dotted: list[str] = []
        while isinstance(owner, ast.Attribute):
            dotted.insert(0, owner.attr)
            owner = owner.value
        if isinstance(owner, ast.Name) and owner.id in self.module_names:
            module = ".".join([self.module_names[owner.id], *dotted])
            self.external_attributes.append((module, attribute, getattr(node, "lineno", 1)))

    def _aug_assign(self, node: ast.AugAssign, context: _Context) -> None:
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

    def _delete(self, node: ast.Delete, context: _Context) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name) and not context.conditional:
                self.order += 1
                self.bindings.pop(target.id, None)
                self.deleted[target.id] = self.order
            elif isinstance(target, ast.Subscript) and is_namespace_call(target.value):
                self.set_dynamic("the module deletes names through globals()", target)

    # --- imports --------------------------------------------------------------------------

    def _absolute(self, level: int, module: str | None) -> str | None:
        """``importlib._bootstrap._resolve_name``; ``None`` when it would fail."""
        if level == 0:
            return module
        if not self.package:
            return None
        bits = self.package.rsplit(".", level - 1)
        if len(bits) < level:
            return None
        base = bits[0]
        return f"{base}.{module}" if module else base

    def _side_effect(self, module: str, node: ast.AST, context: _Context) -> None:
        """Importing ``<self>.sub[...]`` sets ``sub`` as an attribute of this package."""
        prefix = self.name + "."
        if self.is_package and module.startswith(prefix):
            sub = module[len(prefix) :].split(".")[0]
            self.bind(sub, "submodule", node, context, module=prefix + sub)

    def _import(self, node: ast.Import, context: _Context) -> None:
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

    def _import_from(self, node: ast.ImportFrom, context: _Context) -> None:
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

    # --- expressions ----------------------------------------------------------------------

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
                    self._external_attribute(first, name, node)
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

    def _walrus(self, node: ast.stmt, context: _Context) -> None:
        """``(name := value)`` anywhere in a top-level statement's own expressions binds
        ``name`` at module level (comprehensions included, lambdas and nested defs not)."""
        for expression in own_expressions(node):
            for walrus in walrus_nodes(expression):
                if isinstance(walrus.target, ast.Name):
                    self.bind(walrus.target.id, "variable", walrus.target, context)


def _scan_lines(source: bytes, text: str) -> tuple[int, ...] | None:
    """The lines where ``_scan_function`` may find something (``None``: all of them)."""
    if source.isascii():
        if b"global" not in source and b"vars" not in source and b"locals" not in source:
            return ()
    elif not unicodedata.is_normalized("NFKC", text):
        # Identifiers are NFKC-normalised (``ｇｌｏｂａｌｓ`` is ``globals``): look at the
        # normalised text, and walk everything if the words appear there.
        return None if _SCAN_WORDS.search(unicodedata.normalize("NFKC", text)) else ()
    elif _SCAN_WORDS.search(text) is None:
        return ()
    numbers: list[int] = []
    line, counted = 1, 0
    for match in _SCAN_WORDS.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if not numbers or numbers[-1] != line:
            numbers.append(line)
    return tuple(numbers)


def _span(start: ast.AST, end: ast.AST) -> tuple[int, int, int, int]:
    """From ``start``'s first character to ``end``'s last (1-based lines, UTF-8 columns)."""
    line: int = getattr(start, "lineno", 1)
    column: int = getattr(start, "col_offset", 0)
    end_line: int | None = getattr(end, "end_lineno", None)
    end_column: int | None = getattr(end, "end_col_offset", None)
    return line, column, end_line if end_line is not None else line, end_column or 0
