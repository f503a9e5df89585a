"""What a class body or a module's top level provides, read from its syntax tree (never run).

The reading rules mirror ``spoc.conformance`` (the runtime reader), so both describe the same
plugin the same way: a name bound or annotated in a class body is a member; a method's
signature is read only when it is undecorated or decorated with a wrapper that keeps the plain
function (``staticmethod``, ``classmethod``, ``abstractmethod``, ``final``, ``override``); a
property is an attribute. Anything this reader cannot follow is reported as a reason (the
caller says "cannot verify"), never guessed.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field

from spoc.interfaces import (
    UNKNOWN_VERSION,
    Member,
    Parameter,
    ParameterKind,
    Signature,
    UnknownVersion,
    Version,
)
from spoc_lsp.index.relative import absolute_module

# Decorators after which a method is still the plain function the runtime reads.
_PLAIN_WRAPPERS = frozenset(
    {
        "abc.abstractmethod",
        "typing.final",
        "typing_extensions.final",
        "typing.override",
        "typing_extensions.override",
    }
)
_ATTRIBUTE_WRAPPERS = frozenset(
    {"builtins.property", "functools.cached_property", "abc.abstractproperty"}
)
# Class decorators that add nothing public: they do not change which names a class provides.
KNOWN_CLASS_DECORATORS = frozenset(
    {
        "dataclasses.dataclass",
        "typing.final",
        "typing_extensions.final",
        "typing.runtime_checkable",
        "typing_extensions.runtime_checkable",
        "functools.total_ordering",
    }
)
KNOWN_METACLASSES = frozenset({"abc.ABCMeta", "builtins.type"})


def signature_of(arguments: ast.arguments, *, drop_first: bool) -> Signature:
    """A ``def``'s signature as its caller sees it, in the order ``code_signature`` reads a code
    object: positional parameters, ``*args``, keyword-only ones, ``**kwargs``."""
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
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        parameters.append(Parameter(argument.arg, "keyword_only", default is None))
    if arguments.kwarg is not None:
        parameters.append(Parameter(arguments.kwarg.arg, "var_keyword", False))
    if drop_first and parameters and parameters[0].is_positional:
        parameters = parameters[1:]
    return Signature(tuple(parameters))


def literal_version(value: ast.expr | None) -> Version | UnknownVersion:
    """A ``VERSION`` value: the literal when it is a str/int/float/bool, else unknown."""
    if isinstance(value, ast.Constant) and isinstance(value.value, (str, int, float, bool)):
        return value.value
    return UNKNOWN_VERSION


class Names:
    """What the names of one module mean: imports made absolute, local definitions under the
    module's name, builtins as ``builtins.X``."""

    def __init__(self, tree: ast.Module, module: str, is_package: bool) -> None:
        self.module = module
        package = module if is_package else module.rpartition(".")[0]
        self._names: dict[str, str] = {}
        for node in _top_level(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self._names[alias.asname] = alias.name
                    else:
                        head = alias.name.partition(".")[0]
                        self._names[head] = head
            elif isinstance(node, ast.ImportFrom):
                source = absolute_module(package, node.level, node.module)
                for alias in node.names:
                    if source is not None and alias.name != "*":
                        self._names[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                self._names[node.name] = f"{module}.{node.name}"
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in target_names(target):
                        self._names[name] = f"{module}.{name}"

    def qualified(self, node: ast.expr) -> str | None:
        """The dotted name an expression (``Base``, ``mod.Base``) stands for, if it is one."""
        if isinstance(node, ast.Name):
            found = self._names.get(node.id)
            if found is not None:
                return found
            return f"builtins.{node.id}" if hasattr(builtins, node.id) else None
        if isinstance(node, ast.Attribute):
            head = self.qualified(node.value)
            return None if head is None else f"{head}.{node.attr}"
        return None


def target_names(target: ast.expr) -> Iterator[str]:
    """The names an assignment target binds (``a``, ``a, (b, *c)``)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from target_names(element)
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value)


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a module's top level, into ``if``/``try``/``with``/loops, not into
    definitions."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            yield from _top_level(node.body)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            for part in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(node, part))
            for handler in getattr(node, "handlers", ()):
                yield from _top_level(handler.body)


def function_member(
    node: ast.FunctionDef | ast.AsyncFunctionDef, names: Names, *, in_class: bool
) -> Member:
    """What a ``def`` provides: a method with its signature when the runtime could read it."""
    line = node.lineno
    drop_first = in_class
    for decorator in node.decorator_list:
        wrapper = names.qualified(decorator)
        if wrapper in _ATTRIBUTE_WRAPPERS or _is_accessor(decorator):
            return Member(node.name, line=line)
        if in_class and wrapper == "builtins.staticmethod":
            drop_first = False
        elif in_class and wrapper == "builtins.classmethod":
            drop_first = True
        elif wrapper not in _PLAIN_WRAPPERS:
            return Member(node.name, None, is_method=True, line=line)
    signature = signature_of(node.args, drop_first=drop_first)
    return Member(node.name, signature, is_method=True, line=line)


def _is_accessor(decorator: ast.expr) -> bool:
    """``@name.setter`` and the like: the name stays a property."""
    return isinstance(decorator, ast.Attribute) and decorator.attr in (
        "setter",
        "getter",
        "deleter",
    )


@dataclass
class ClassBody:
    """One class statement as read: its members (body bindings and annotations), its literal
    or unknown ``VERSION``, names set on ``self`` in its methods, and why it cannot be read
    (``unreadable``); ``dotted`` is the module and qualified name it is imported under."""

    node: ast.ClassDef
    dotted: str = ""
    members: dict[str, Member] = field(default_factory=dict)
    version: Version | UnknownVersion | None = None
    self_names: set[str] = field(default_factory=set)
    dynamic_self: bool = False  # setattr/__dict__/vars in a method: instance names unknown
    unreadable: str | None = None


def read_class_body(
    node: ast.ClassDef, names: Names, module_tree: ast.Module, qualname: str | None = None
) -> ClassBody:
    """The members a class statement binds, or why they cannot be known from its source
    (``qualname``: its qualified name in the module, when nested)."""
    body = ClassBody(node, f"{names.module}.{qualname or node.name}")
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if names.qualified(target) not in KNOWN_CLASS_DECORATORS:
            body.unreadable = f"class {node.name!r} has a decorator that may change it"
            return body
    for keyword in node.keywords:
        if keyword.arg != "metaclass" or names.qualified(keyword.value) not in KNOWN_METACLASSES:
            body.unreadable = f"class {node.name!r} has a metaclass or class keyword"
            return body
    for statement in node.body:
        if not _read_statement(statement, names, body):
            body.unreadable = (
                f"class {node.name!r} has a body that is not plain (line {statement.lineno})"
            )
            return body
    if "__init_subclass__" in body.members or "__new__" in body.members:
        body.unreadable = f"class {node.name!r} customizes its creation"
        return body
    if sets_attributes_on(module_tree, node.name):
        body.unreadable = f"the module sets attributes on class {node.name!r}"
    return body


def _read_statement(statement: ast.stmt, names: Names, body: ClassBody) -> bool:
    members = body.members
    line = statement.lineno
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        members[statement.name] = function_member(statement, names, in_class=True)
        _read_self_names(statement, body)
        return True
    if isinstance(statement, ast.ClassDef):
        members[statement.name] = Member(statement.name, line=line)
        return True
    if isinstance(statement, ast.Pass) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
    ):
        return True
    if isinstance(statement, ast.AnnAssign):
        if not isinstance(statement.target, ast.Name):
            return False
        name = statement.target.id
        members[name] = Member(name, line=line)
        if statement.value is not None and name == "VERSION":
            body.version = literal_version(statement.value)
        return True
    if isinstance(statement, (ast.Assign, ast.AugAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        for target in targets:
            if not isinstance(target, (ast.Name, ast.Tuple, ast.List)):
                return False
            for name in target_names(target):
                members[name] = Member(name, line=line)
                if name == "VERSION":
                    direct = isinstance(statement, ast.Assign) and isinstance(target, ast.Name)
                    body.version = literal_version(statement.value) if direct else UNKNOWN_VERSION
                if name == "__slots__" and not _add_slots(statement.value, body):
                    return False
        return True
    return False


def _add_slots(value: ast.expr, body: ClassBody) -> bool:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        body.members[value.value] = Member(value.value)
        return True
    if isinstance(value, (ast.Tuple, ast.List)):
        for element in value.elts:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                return False
            body.members[element.value] = Member(element.value)
        return True
    return False


def _read_self_names(method: ast.FunctionDef | ast.AsyncFunctionDef, body: ClassBody) -> None:
    """Names a method assigns on its first parameter (``self.x = ...``); dynamic setting
    (``setattr``, ``__dict__``, ``vars``) makes an instance's names unknown."""
    arguments = [*method.args.posonlyargs, *method.args.args]
    for node in ast.walk(method):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("setattr", "vars"):
                body.dynamic_self = True
        elif isinstance(node, ast.Attribute) and node.attr == "__dict__":
            body.dynamic_self = True
    if not arguments:
        return
    me = arguments[0].arg
    for node in ast.walk(method):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            for leaf in ast.walk(target):
                if (
                    isinstance(leaf, ast.Attribute)
                    and isinstance(leaf.value, ast.Name)
                    and leaf.value.id == me
                ):
                    body.self_names.add(leaf.attr)


def sets_attributes_on(tree: ast.Module, name: str) -> bool:
    """Whether a module assigns or deletes attributes of ``name`` or passes it to
    ``setattr``/``delattr`` anywhere."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, (ast.Store, ast.Del))
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            return True
        if _sets_attributes_of(node, name):
            return True
    return False


@dataclass(frozen=True)
class ModuleNames:
    """A module's top-level names as read, and whether more may exist."""

    members: dict[str, Member]
    complete: bool
    version: Version | UnknownVersion | None


def read_module(tree: ast.Module, names: Names) -> ModuleNames:
    """The names a module's top level binds (imports, definitions, assignments), nested
    blocks included. A star import, ``globals()`` or a module ``__getattr__`` makes the list
    incomplete (missing names are then not reported)."""
    members: dict[str, Member] = {}
    complete = True
    versions: list[Version | UnknownVersion] = []
    for node in _top_level(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            members[node.name] = function_member(node, names, in_class=False)
        elif isinstance(node, ast.ClassDef):
            members[node.name] = Member(node.name, line=node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]
                members[bound] = Member(bound, line=node.lineno)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    complete = False
                else:
                    bound = alias.asname or alias.name
                    members[bound] = Member(bound, line=node.lineno)
        else:
            for name, value in _bound_names(node):
                members[name] = Member(name, line=node.lineno)
                if name == "VERSION":
                    versions.append(literal_version(value))
        if isinstance(node, ast.Match):
            complete = False
    for inner in ast.walk(tree):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
            if inner.func.id in ("globals", "exec", "vars", "setattr"):
                complete = False
        elif isinstance(inner, (ast.NamedExpr, ast.Global, ast.Nonlocal)):
            complete = False
    if "__getattr__" in members:
        complete = False
    version: Version | UnknownVersion | None = None
    if versions:
        version = versions[0] if len(versions) == 1 else UNKNOWN_VERSION
    return ModuleNames(members, complete, version)


def _bound_names(node: ast.stmt) -> Iterator[tuple[str, ast.expr | None]]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            direct = isinstance(target, ast.Name)
            for name in target_names(target):
                yield name, node.value if direct else None
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        for name in target_names(node.target):
            yield name, node.value
    elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
        for name in target_names(node.target):
            yield name, None
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            if item.optional_vars is not None:
                for name in target_names(item.optional_vars):
                    yield name, None


def linearize(body: ClassBody, bases: list[tuple[ClassBody, ...]]) -> tuple[ClassBody, ...] | None:
    """C3 linearization, as ``type`` computes ``__mro__`` (``None`` when there is none)."""
    sequences = [list(base) for base in bases] + [[base[0] for base in bases]]
    order = [body]
    while True:
        sequences = [sequence for sequence in sequences if sequence]
        if not sequences:
            return tuple(order)
        for sequence in sequences:
            head = sequence[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            return None
        order.append(head)
        for sequence in sequences:
            if sequence[0] is head:
                del sequence[0]


def attributes_set_on(tree: ast.Module, name: str) -> set[str] | None:
    """Attributes the module assigns on ``name`` (``name.x = ...``); ``None`` when it sets
    them in a way that cannot be listed (``setattr``, ``__dict__``)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == name and isinstance(node.ctx, ast.Store):
                found.add(node.attr)
            if node.value.id == name and node.attr == "__dict__":
                return None
        if _sets_attributes_of(node, name):
            return None
    return found


def _sets_attributes_of(node: ast.AST, name: str) -> bool:
    """Whether ``node`` is ``setattr(name, ...)`` or ``delattr(name, ...)``."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("setattr", "delattr")
        and bool(node.args)
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == name
    )
