"""What one Python file says about its top-level classes, functions and values, read with
``ast`` for plugin interfaces (``index.classes`` builds ``spoc.interfaces`` objects from it).

The reading mirrors ``spoc.conformance`` (the runtime reading of live objects): a class
provides the names its body binds and annotates; a method's signature is read only when it is a
plain ``def`` (or wrapped only by ``staticmethod``/``classmethod``/``abstractmethod``/``final``/
``override``); anything else is an attribute whose signature is never compared. Whatever the
source leaves open (a name bound only on some paths, a body that writes ``locals()``) is kept
as a fact for the reader to turn into "cannot verify", never guessed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from spoc.interfaces import (
    UNKNOWN_VERSION,
    Member,
    Parameter,
    ParameterKind,
    Signature,
    UnknownVersion,
    Version,
)
from spoc_lsp.index.conditions import ConditionFacts, evaluate
from spoc_lsp.index.relative import absolute_module

# Decorators that leave a function a plain function whose code is its own signature.
_TRANSPARENT = frozenset(
    {
        "abc.abstractmethod",
        "typing.final",
        "typing_extensions.final",
        "typing.override",
        "typing_extensions.override",
    }
)
_WRAPPERS = {"builtins.staticmethod": "static", "builtins.classmethod": "class"}

NameKind = Literal["class", "function", "import", "variable"]


@dataclass(frozen=True)
class NameFact:
    """A top-level name: what binds it, what an import names (absolute dotted), whether it is
    bound only on some paths or more than once (then what it is cannot be told)."""

    kind: NameKind
    line: int  # 1-based, of the last binding
    target: str | None = None  # "import": the object's dotted name ("typing.Protocol")
    value: ast.expr | None = None  # "variable": the value assigned (a single plain binding)
    ambiguous: bool = False


@dataclass(frozen=True)
class FunctionFacts:
    """A ``def`` (or ``lambda``) at top level or in a class body."""

    name: str
    line: int  # 1-based
    signature: Signature | None  # as written, nothing dropped; None when not readable
    decorators: tuple[str | None, ...]  # dotted names as resolved in the file (None: an expression)
    source: str = ""  # the header as written (``def name(self, x) -> int:``), for stubs
    decorator_source: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassFacts:
    """A class statement's body as the runtime would see its ``__dict__`` and annotations."""

    name: str
    line: int  # 1-based line of ``class``
    column: int  # 0-based column of its name
    bases: tuple[str | None, ...]  # dotted as resolved in the file; None: not a plain name
    keywords: tuple[tuple[str | None, str | None], ...]  # (argument, dotted value)
    decorators: tuple[str | None, ...]
    members: Mapping[str, Member]  # class-dict names first, then annotation-only names
    maybe: frozenset[str] = frozenset()  # bound only on some paths through the body
    self_attributes: frozenset[str] = frozenset()  # ``self.x = ...`` in its methods
    dynamic: str | None = None  # why the body cannot be listed (locals(), exec, ...)
    instance_dynamic: bool = False  # setattr(self, ...) / self.__dict__ / vars(self)
    version: Version | UnknownVersion | None = None  # a VERSION bound in the body
    methods: Mapping[str, FunctionFacts] = field(default_factory=dict)
    body_end: tuple[int, int] = (0, 0)  # (1-based line, 0-based column) after the body
    body_indent: str = "    "
    end_line: int = 0


@dataclass(frozen=True)
class FileFacts:
    """What a file's top level binds, for classes, functions and instances named by URIs."""

    names: Mapping[str, NameFact] = field(default_factory=dict)
    classes: Mapping[str, ClassFacts] = field(default_factory=dict)
    functions: Mapping[str, FunctionFacts] = field(default_factory=dict)
    patched: Mapping[str, str] = field(default_factory=dict)  # name -> what changes it
    attributes_set: Mapping[str, frozenset[str]] = field(default_factory=dict)  # x.a = ...
    dynamic: str | None = None  # why the module's names cannot all be listed
    has_getattr: bool = False
    version: Version | UnknownVersion | None = None
    error: str | None = None  # why the file cannot be read at all


def read_file_facts(text: str, module: str, is_package: bool, target: ConditionFacts) -> FileFacts:
    """The facts of a module named ``module`` whose source is ``text``."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return FileFacts(error=f"it cannot be parsed ({type(error).__name__})")
    package = module if is_package else module.rpartition(".")[0]
    return _FileReader(package, target, text).read(tree)


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a name or attribute chain, else ``None``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def literal_version(node: ast.expr | None) -> Version | UnknownVersion:
    """A ``VERSION`` value: a str/int/float/bool literal, else ``UNKNOWN_VERSION``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = literal_version(node.operand)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner if isinstance(node.op, ast.USub) else inner
        return UNKNOWN_VERSION
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        return node.value
    return UNKNOWN_VERSION


def arguments_signature(arguments: ast.arguments) -> Signature:
    """A ``def``'s parameters as written (nothing bound away), in the order of
    ``spoc.conformance.code_signature``."""
    positional = [*arguments.posonlyargs, *arguments.args]
    first_default = len(positional) - len(arguments.defaults)
    parameters: list[Parameter] = []
    for index, argument in enumerate(positional):
        kind: ParameterKind = (
            "positional_only" if index < len(arguments.posonlyargs) else "positional_or_keyword"
        )
        parameters.append(Parameter(argument.arg, kind, index < first_default))
    if arguments.vararg is not None:
        parameters.append(Parameter(arguments.vararg.arg, "var_positional", False))
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=False):
        parameters.append(Parameter(argument.arg, "keyword_only", default is None))
    if arguments.kwarg is not None:
        parameters.append(Parameter(arguments.kwarg.arg, "var_keyword", False))
    return Signature(tuple(parameters))


def drop_first(signature: Signature) -> Signature:
    """``self``/``cls`` bound away, as ``code_signature(drop_first=True)`` does."""
    parameters = signature.parameters
    if not parameters or not parameters[0].is_positional:
        return signature  # (*args): self goes into args
    return Signature(parameters[1:])


class _FileReader:
    def __init__(self, package: str, target: ConditionFacts, text: str) -> None:
        self.package = package
        self.target = target
        self.text = text
        self.lines = text.split("\n")
        self.names: dict[str, NameFact] = {}
        self.imports: dict[str, str] = {}  # name -> dotted target, as imported so far
        self.classes: dict[str, ClassFacts] = {}
        self.functions: dict[str, FunctionFacts] = {}
        self.patched: dict[str, str] = {}
        self.attributes: dict[str, set[str]] = {}
        self.dynamic: str | None = None
        self.version: Version | UnknownVersion | None = None

    def read(self, tree: ast.Module) -> FileFacts:
        self._block(tree.body, conditional=False)
        return FileFacts(
            names=self.names,
            classes=self.classes,
            functions=self.functions,
            patched=self.patched,
            attributes_set={name: frozenset(found) for name, found in self.attributes.items()},
            dynamic=self.dynamic,
            has_getattr="__getattr__" in self.names,
            version=self.version,
        )

    def resolve(self, node: ast.expr) -> str | None:
        """The dotted name an expression refers to, through this file's imports
        (``Protocol`` -> ``typing.Protocol``); a name not bound here is a builtin."""
        text = dotted(node)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        if head in self.imports:
            base = self.imports[head]
        elif head in self.names:
            return text  # a local name: the reader looks it up in this file
        else:
            base = f"builtins.{head}"
        return f"{base}.{rest}" if rest else base

    # --- statements -----------------------------------------------------------------------

    def _block(self, statements: Sequence[ast.stmt], *, conditional: bool) -> None:
        for statement in statements:
            self._statement(statement, conditional)

    def _bind(self, name: str, fact: NameFact, conditional: bool) -> None:
        ambiguous = conditional or name in self.names or fact.ambiguous
        self.names[name] = NameFact(fact.kind, fact.line, fact.target, fact.value, ambiguous)
        if fact.kind != "import":
            self.imports.pop(name, None)  # a local binding hides the import from now on
        if name == "VERSION":
            plain = not ambiguous and fact.kind == "variable" and fact.value is not None
            self.version = literal_version(fact.value) if plain else UNKNOWN_VERSION

    def _statement(self, node: ast.stmt, conditional: bool) -> None:
        self._scan_effects(node)
        if isinstance(node, ast.ClassDef):
            self._bind(node.name, NameFact("class", node.lineno), conditional)
            self.classes[node.name] = _read_class(node, self, conditional)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._bind(node.name, NameFact("function", node.lineno), conditional)
            self.functions[node.name] = self._function(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if isinstance(node, ast.AnnAssign) and value is None:
                return  # an annotation alone binds nothing at module level
            for target in targets:
                single = isinstance(target, ast.Name) and not isinstance(node, ast.AugAssign)
                for name in _target_names(target):
                    fact = NameFact("variable", node.lineno, value=value if single else None)
                    self._bind(name, replace_ambiguous(fact, not single), conditional)
                    if isinstance(value, ast.Lambda) and single:
                        self.functions[name] = FunctionFacts(
                            name, node.lineno, arguments_signature(value.args), ()
                        )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]
                target = alias.name if alias.asname else bound
                self.imports[bound] = target
                self._bind(bound, NameFact("import", node.lineno, target), conditional)
        elif isinstance(node, ast.ImportFrom):
            module = absolute_module(self.package, node.level, node.module)
            for alias in node.names:
                if alias.name == "*":
                    self.dynamic = self.dynamic or f"'from ... import *' at line {node.lineno}"
                    continue
                bound = alias.asname or alias.name
                target = f"{module}.{alias.name}" if module is not None else None
                if target is not None:
                    self.imports[bound] = target
                self._bind(bound, NameFact("import", node.lineno, target), conditional)
        elif isinstance(node, ast.If):
            verdict = evaluate(node.test, self.target, {})
            if verdict is True:
                self._block(node.body, conditional=conditional)
            elif verdict is False:
                self._block(node.orelse, conditional=conditional)
            else:
                self._block(node.body, conditional=True)
                self._block(node.orelse, conditional=True)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    for name in _target_names(item.optional_vars):
                        self._bind(name, NameFact("variable", node.lineno), True)
            self._block(node.body, conditional=conditional)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                for name in _target_names(target):
                    self._bind(name, NameFact("variable", node.lineno), True)
        else:
            for name in _statement_names(node):
                self._bind(name, NameFact("variable", getattr(node, "lineno", 1)), True)
            for body in _bodies(node):
                self._block(body, conditional=True)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionFacts:
        return function_facts(node, self, self.lines)

    def _scan_effects(self, node: ast.stmt) -> None:
        """Module-level changes to classes and objects: ``Cls.x = ...``, ``setattr(obj, ...)``,
        ``globals()[...]`` (function and class bodies are not run at import)."""
        for inner in _top_level_nodes(node):
            targets: list[ast.expr] = []
            if isinstance(inner, ast.Assign):
                targets = list(inner.targets)
            elif isinstance(inner, (ast.AugAssign, ast.AnnAssign)):
                targets = [inner.target]
            elif isinstance(inner, ast.Delete):
                targets = list(inner.targets)
            for target in targets:
                for owner, attribute in _attribute_targets(target):
                    head = owner.partition(".")[0]
                    if isinstance(inner, ast.Delete) or head != owner:
                        what = f"'{owner}.{attribute}' is changed at line {inner.lineno}"
                        self.patched.setdefault(head, what)
                    else:
                        self.attributes.setdefault(owner, set()).add(attribute)
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
                function = inner.func.id
                if function in ("setattr", "delattr") and inner.args:
                    owner = dotted(inner.args[0])
                    if owner is not None:
                        what = f"{function}({owner}, ...) at line {inner.lineno}"
                        self.patched.setdefault(owner.partition(".")[0], what)
                if function in ("globals", "vars", "exec", "eval") and self.dynamic is None:
                    self.dynamic = f"{function}() at line {inner.lineno}"
            if isinstance(inner, ast.Attribute) and dotted(inner) == "sys.modules":
                self.dynamic = self.dynamic or f"sys.modules is used at line {inner.lineno}"


def replace_ambiguous(fact: NameFact, ambiguous: bool) -> NameFact:
    if not ambiguous:
        return fact
    return NameFact(fact.kind, fact.line, fact.target, None, True)


def function_facts(
    node: ast.FunctionDef | ast.AsyncFunctionDef, reader: _FileReader, lines: Sequence[str]
) -> FunctionFacts:
    """A ``def`` with its decorators resolved through the file's imports and its header text."""
    decorators = tuple(
        None if isinstance(d, ast.Call) else reader.resolve(d) for d in node.decorator_list
    )
    header_end = node.body[0].lineno - 1 if node.body else node.lineno
    header_lines = lines[node.lineno - 1 : max(header_end, node.lineno)]
    header = "\n".join(header_lines)
    if node.body and node.body[0].lineno == node.lineno:  # def f(x): ... on one line
        header = lines[node.lineno - 1][: node.body[0].col_offset].rstrip()
    decorator_source = tuple(
        ast.get_source_segment(reader.text, d) or "" for d in node.decorator_list
    )
    return FunctionFacts(
        node.name,
        node.lineno,
        arguments_signature(node.args),
        decorators,
        _dedent_header(header, node.col_offset),
        decorator_source,
    )


def _dedent_header(header: str, indent: int) -> str:
    return "\n".join(line[indent:] if line[:indent].isspace() else line for line in header.split("\n"))


def method_member(method: FunctionFacts) -> Member:
    """What a ``def`` in a class body provides: a method with its called signature when it is
    plain or wrapped only by known transparent decorators, else an attribute."""
    wrapper = "instance"
    for decorator in method.decorators:
        if decorator in _WRAPPERS:
            if wrapper != "instance":
                return Member(method.name, None, is_method=True, line=method.line)
            wrapper = _WRAPPERS[decorator]
        elif decorator in ("builtins.property",) or (
            decorator is not None and decorator.endswith((".setter", ".getter", ".deleter"))
        ):
            return Member(method.name, line=method.line)
        elif decorator not in _TRANSPARENT:
            return Member(method.name, None, is_method=True, line=method.line)
    signature = method.signature
    if signature is not None and wrapper != "static":
        signature = drop_first(signature)
    return Member(method.name, signature, is_method=True, line=method.line)


def function_is_plain(function: FunctionFacts) -> bool:
    """Whether a module-level ``def`` stays a plain function (its decorators return it)."""
    return all(decorator in _TRANSPARENT for decorator in function.decorators)


# --- class bodies ---------------------------------------------------------------------------


def _read_class(node: ast.ClassDef, reader: _FileReader, conditional: bool) -> ClassFacts:
    bases = tuple(reader.resolve(_unsubscript(base)) for base in node.bases)
    keywords = tuple((k.arg, reader.resolve(k.value)) for k in node.keywords)
    decorators = tuple(
        reader.resolve(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list
    )
    body = _ClassBody(reader)
    body.block(node.body, conditional=False)
    members = dict(body.members)
    for name in body.annotations:
        members.setdefault(name, Member(name, line=body.annotations[name]))
    last = node.body[-1]
    end_line = getattr(last, "end_lineno", None) or last.lineno
    indent = _indent_of(reader.lines, node.body[0].lineno) if node.body else "    "
    return ClassFacts(
        name=node.name,
        line=node.lineno,
        column=max(reader.lines[node.lineno - 1].find(node.name, node.col_offset), 0),
        bases=bases,
        keywords=keywords,
        decorators=decorators,
        members=members,
        maybe=frozenset(body.maybe),
        self_attributes=frozenset(body.self_attributes),
        dynamic=body.dynamic,
        instance_dynamic=body.instance_dynamic,
        version=body.version,
        methods=body.methods,
        body_end=(end_line, len(reader.lines[end_line - 1]) if end_line <= len(reader.lines) else 0),
        body_indent=indent,
        end_line=end_line,
    )


def _indent_of(lines: Sequence[str], line: int) -> str:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return text[: len(text) - len(text.lstrip())] or "    "


def _unsubscript(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Subscript) else node


class _ClassBody:
    def __init__(self, reader: _FileReader) -> None:
        self.reader = reader
        self.members: dict[str, Member] = {}
        self.annotations: dict[str, int] = {}
        self.maybe: set[str] = set()
        self.self_attributes: set[str] = set()
        self.methods: dict[str, FunctionFacts] = {}
        self.dynamic: str | None = None
        self.instance_dynamic = False
        self.version: Version | UnknownVersion | None = None

    def block(self, statements: Sequence[ast.stmt], *, conditional: bool) -> None:
        for statement in statements:
            self.statement(statement, conditional)

    def bind(self, name: str, member: Member, conditional: bool, value: ast.expr | None) -> None:
        if conditional or name in self.maybe:
            self.maybe.add(name)
            member = Member(name, line=member.line)
        self.members[name] = member
        if name == "VERSION":
            self.version = UNKNOWN_VERSION if conditional else literal_version(value)

    def statement(self, node: ast.stmt, conditional: bool) -> None:
        self._scan(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            facts = function_facts(node, self.reader, self.reader.lines)
            self.methods[node.name] = facts
            self.bind(node.name, method_member(facts), conditional, None)
            self._self_attributes(node)
        elif isinstance(node, ast.ClassDef):
            self.bind(node.name, Member(node.name, line=node.lineno), conditional, None)
        elif isinstance(node, (ast.Assign, ast.AugAssign)) or (
            isinstance(node, ast.AnnAssign) and node.value is not None
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            for target in targets:
                for name in _target_names(target):
                    member = Member(name, line=node.lineno)
                    if isinstance(value, ast.Lambda) and isinstance(target, ast.Name):
                        signature = drop_first(arguments_signature(value.args))
                        member = Member(name, signature, is_method=True, line=node.lineno)
                    plain = isinstance(target, ast.Name) and not isinstance(node, ast.AugAssign)
                    self.bind(name, member, conditional, value if plain else None)
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                self.annotations.setdefault(node.target.id, node.lineno)
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name):
                self.annotations.setdefault(node.target.id, node.lineno)
                if conditional:
                    self.maybe.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    self.dynamic = "a star import in the class body"
                    continue
                name = alias.asname or alias.name.partition(".")[0]
                self.bind(name, Member(name, line=node.lineno), conditional, None)
        elif isinstance(node, ast.If):
            verdict = evaluate(node.test, self.reader.target, {})
            if verdict is True:
                self.block(node.body, conditional=conditional)
            elif verdict is False:
                self.block(node.orelse, conditional=conditional)
            else:
                self.block(node.body, conditional=True)
                self.block(node.orelse, conditional=True)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                for name in _target_names(target):
                    self.members.pop(name, None)
                    self.maybe.add(name)
        else:
            for name in _statement_names(node):
                self.bind(name, Member(name, line=getattr(node, "lineno", 0)), True, None)
            for body in _bodies(node):
                self.block(body, conditional=True)

    def _scan(self, node: ast.stmt) -> None:
        for inner in _top_level_nodes(node):
            if isinstance(inner, ast.NamedExpr):
                self.maybe.add(inner.target.id)
                self.members.setdefault(inner.target.id, Member(inner.target.id))
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
                if inner.func.id in ("locals", "vars", "exec", "eval", "setattr"):
                    self.dynamic = self.dynamic or f"{inner.func.id}() in the class body"

    def _self_attributes(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Names an instance gets from ``self.x = ...`` in a method (counted as provided)."""
        positional = [*node.args.posonlyargs, *node.args.args]
        if not positional:
            return
        me = positional[0].arg
        for inner in ast.walk(node):
            targets: list[ast.expr] = []
            if isinstance(inner, ast.Assign):
                targets = list(inner.targets)
            elif isinstance(inner, (ast.AugAssign, ast.AnnAssign)):
                targets = [inner.target]
            elif isinstance(inner, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
                targets = [inner.target] if isinstance(inner, (ast.For, ast.AsyncFor)) else [
                    item.optional_vars for item in inner.items if item.optional_vars is not None
                ]
            for target in targets:
                for owner, attribute in _attribute_targets(target):
                    if owner == me:
                        self.self_attributes.add(attribute)
            if isinstance(inner, ast.Call) and inner.args and _is_name(inner.args[0], me):
                function = dotted(inner.func) or ""
                if function in ("setattr", "vars") or function.endswith("__setattr__"):
                    self.instance_dynamic = True
            if isinstance(inner, ast.Attribute) and inner.attr == "__dict__":
                self.instance_dynamic = self.instance_dynamic or _is_name(inner.value, me)


# --- helpers --------------------------------------------------------------------------------


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _attribute_targets(target: ast.expr) -> Iterator[tuple[str, str]]:
    """``(owner, attribute)`` for ``owner.attribute = ...`` targets (tuples unpacked)."""
    if isinstance(target, ast.Attribute):
        owner = dotted(target.value)
        if owner is not None:
            yield owner, target.attr
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _attribute_targets(element)
    elif isinstance(target, ast.Starred):
        yield from _attribute_targets(target.value)


def _statement_names(node: ast.stmt) -> Iterable[str]:
    """Names a compound statement binds by itself (loop targets, handlers, captures)."""
    if isinstance(node, (ast.For, ast.AsyncFor)):
        yield from _target_names(node.target)
    elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
        for handler in getattr(node, "handlers", ()):
            if handler.name:
                yield handler.name
    elif isinstance(node, ast.Match):
        for case in node.cases:
            for inner in ast.walk(case.pattern):
                name = getattr(inner, "name", None)
                if isinstance(name, str):
                    yield name


def _bodies(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists inside a compound statement, each run on some paths only."""
    for attribute in ("body", "orelse", "finalbody"):
        found = getattr(node, attribute, None)
        if isinstance(found, list) and all(isinstance(s, ast.stmt) for s in found):
            yield found
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    if isinstance(node, ast.Match):
        for case in node.cases:
            yield case.body


def _top_level_nodes(node: ast.stmt) -> Iterator[ast.AST]:
    """Every node of a statement that runs with it (not inside nested function, class or
    lambda bodies, nor nested compound statements, which are visited as statements)."""
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        yield current
        for child in ast.iter_child_nodes(current):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                if child is not node:
                    continue
            if isinstance(child, ast.stmt) and child is not node:
                continue  # visited by the statement walk with its own condition
            stack.append(child)
