"""Which names a module ``__getattr__`` accepts, decided from its body where that is decidable.

A body is decidable when, for a name that none of its tests single out, control reaches a
``raise`` (the name is rejected) or a ``return helper(name)`` of a function made by a factory
(``_getattr = make_getattr(__name__)``) whose own rule decides it. Tests that single names out
compare the name with literals: ``name == "x"``, ``name in ("x", "y")``, ``name in TABLE`` or
``TABLE.get(name) is None`` for a module-level literal table, the same on ``f"{module}:{name}"``.
The names they single out are accepted (unless their branch certainly raises). Anything else in
the path of an unsingled name (a loop, a ``try``, an unknown test, falling off the end) makes the
body undecidable: the module stays dynamic, as before.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

# Stands for the module's name in a formatted key (``f"{module}:{name}"``).
MODULE = "\0"
_MUTATORS = frozenset(
    {"update", "setdefault", "add", "append", "extend", "insert", "pop", "popitem", "remove"}
)
_MUTATORS |= {"discard", "clear", "__setitem__", "__delitem__", "__ior__", "difference_update"}


@dataclass(frozen=True)
class Formatted:
    """Names ``n`` with ``before + n + after`` among ``keys`` (``before`` may hold MODULE)."""

    keys: frozenset[str]
    before: str
    after: str

    def names(self, module: str) -> set[str]:
        before = self.before.replace(MODULE, module)
        after = self.after.replace(MODULE, module)
        found = set()
        for key in self.keys:
            if key.startswith(before) and key.endswith(after) and len(key) > len(before + after):
                found.add(key[len(before) : len(key) - len(after)])
        return found


@dataclass(frozen=True)
class GetattrRule:
    """What a ``__getattr__`` (or the function a factory returns) does with a name."""

    line: int  # 1-based line of the definition
    accepted: frozenset[str] = frozenset()
    formatted: tuple[Formatted, ...] = ()
    delegate: str | None = None  # the rest is decided by this factory's rule (a local name)

    def accepts(self, name: str, module: str) -> bool:
        return name in self.accepted or any(name in f.names(module) for f in self.formatted)

    def names(self, module: str) -> set[str]:
        found = set(self.accepted)
        for formatted in self.formatted:
            found |= formatted.names(module)
        return found


class _Undecidable(Exception):
    pass


@dataclass(frozen=True)
class _Value:
    """What a local variable of the body holds, as far as the rule needs to know."""

    kind: str  # "get": TABLE.get(name); "format": f"...{name}..."; "namespace": globals()
    keys: frozenset[str] = frozenset()
    before: str = ""
    after: str = ""


_CONTINUE = "continue"
_REJECT = "reject"


class _Walk:
    """The path of a name that no test has singled out, statement by statement."""

    def __init__(
        self,
        parameter: str,
        module_parameter: str | None,
        tables: Mapping[str, frozenset[str]],
        factories: Mapping[str, str],
    ) -> None:
        self.parameter = parameter
        self.module_parameter = module_parameter
        self.tables = tables
        self.factories = factories  # local name -> factory it was made by (``x = f(__name__)``)
        self.variables: dict[str, _Value] = {}
        self.accepted: set[str] = set()
        self.formatted: list[Formatted] = []
        self.used_tables: set[str] = set()
        self.delegate: str | None = None

    def block(self, statements: list[ast.stmt]) -> str:
        for statement in statements:
            outcome = self.statement(statement)
            if outcome != _CONTINUE:
                return outcome
        return _CONTINUE

    def statement(self, node: ast.stmt) -> str:
        if isinstance(node, (ast.Expr, ast.Import, ast.ImportFrom, ast.Pass)):
            return _CONTINUE
        if isinstance(node, ast.Raise):
            return _REJECT
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) != 1 or not isinstance(targets[0], ast.Name):
                raise _Undecidable
            name = targets[0].id
            if name == self.parameter:
                raise _Undecidable
            self.variables.pop(name, None)
            if node.value is not None:
                self._remember(name, node.value)
            return _CONTINUE
        if isinstance(node, ast.Return):
            value = node.value
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in self.factories
                and len(value.args) == 1
                and isinstance(value.args[0], ast.Name)
                and value.args[0].id == self.parameter
            ):
                self.delegate = self.factories[value.func.id]
                return "delegate"
            raise _Undecidable
        if isinstance(node, ast.If):
            singled, enters_body = self._test(node.test)
            certain_raise = _certainly_raises(node.body if enters_body else node.orelse)
            if not certain_raise:
                self._accept(singled)
            if enters_body:  # the singled-out names go in; the rest goes on after
                outcome = self.block(node.orelse)
                return outcome
            return self.block(node.body)
        raise _Undecidable

    def _accept(self, singled: frozenset[str] | Formatted | None) -> None:
        if isinstance(singled, Formatted):
            self.formatted.append(singled)
        elif singled:
            self.accepted |= singled

    def _remember(self, name: str, value: ast.expr) -> None:
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "get"
            and isinstance(value.func.value, ast.Name)
            and value.func.value.id in self.tables
            and value.args
            and isinstance(value.args[0], ast.Name)
            and value.args[0].id == self.parameter
        ):
            table = value.func.value.id
            self.used_tables.add(table)
            self.variables[name] = _Value("get", self.tables[table])
        elif isinstance(value, ast.JoinedStr):
            template = self._template(value)
            if template is not None:
                self.variables[name] = _Value("format", before=template[0], after=template[1])
        elif _is_namespace(value):
            self.variables[name] = _Value("namespace")

    def _template(self, value: ast.JoinedStr) -> tuple[str, str] | None:
        """``f"{module}:{name}"`` as (before, after) around the name."""
        before: list[str] = []
        after: list[str] = []
        side = before
        seen = False
        for part in value.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                side.append(part.value)
            elif (
                isinstance(part, ast.FormattedValue)
                and part.conversion == -1
                and not part.format_spec
            ):
                inner = part.value
                if isinstance(inner, ast.Name) and inner.id == self.parameter and not seen:
                    seen, side = True, after
                elif isinstance(inner, ast.Name) and inner.id in (
                    self.module_parameter,
                    "__name__",
                ):
                    side.append(MODULE)
                else:
                    return None
            else:
                return None
        return ("".join(before), "".join(after)) if seen else None

    def _collection(self, node: ast.expr) -> frozenset[str] | None:
        if isinstance(node, ast.Name) and node.id in self.tables:
            self.used_tables.add(node.id)
            return self.tables[node.id]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "keys"
            and not node.args
        ):
            return self._collection(node.func.value)
        return literal_keys(node)

    def _test(self, test: ast.expr) -> tuple[frozenset[str] | Formatted | None, bool]:
        """(names singled out, whether they enter the body)."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            names: set[str] = set()
            for value in test.values:
                singled, enters = self._test(value)
                if not enters or not isinstance(singled, frozenset):
                    raise _Undecidable
                names |= singled
            return frozenset(names), True
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            singled, enters = self._test(test.operand)
            return singled, not enters
        if isinstance(test, ast.Name) and test.id in self.variables:
            truthy = self.variables[test.id]
            if truthy.kind == "get":  # ``if TABLE.get(name):`` only a listed name can pass
                return truthy.keys, True
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            raise _Undecidable
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if not isinstance(left, ast.Name):
            raise _Undecidable
        constant = right.value if isinstance(right, ast.Constant) else None
        equality = isinstance(op, (ast.Eq, ast.NotEq))
        membership = isinstance(op, (ast.In, ast.NotIn))
        positive = isinstance(op, (ast.Eq, ast.In, ast.IsNot))
        if left.id == self.parameter:
            if equality and isinstance(constant, str):
                return frozenset({constant}), positive
            if membership:
                if isinstance(right, ast.Name) and right.id in self.variables:
                    if self.variables[right.id].kind == "namespace":
                        return frozenset(), positive  # names bound statically anyway
                    raise _Undecidable
                keys = self._collection(right)
                if keys is not None:
                    return keys, positive
            raise _Undecidable
        known = self.variables.get(left.id)
        if known is None:
            raise _Undecidable
        is_none = isinstance(right, ast.Constant) and constant is None
        if known.kind == "get" and isinstance(op, (ast.Is, ast.IsNot)) and is_none:
            return known.keys, positive
        if known.kind == "format":
            if equality and isinstance(constant, str):
                return Formatted(frozenset({constant}), known.before, known.after), positive
            keys = self._collection(right) if membership else None
            if keys is not None:
                return Formatted(keys, known.before, known.after), positive
        raise _Undecidable


def _certainly_raises(statements: list[ast.stmt]) -> bool:
    """The branch ends in ``raise`` and holds no ``return``."""
    if not statements or not isinstance(statements[-1], ast.Raise):
        return False
    return not any(isinstance(node, ast.Return) for s in statements for node in ast.walk(s))


def _is_namespace(node: ast.expr) -> bool:
    """``globals()`` or ``sys.modules[...].__dict__``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("globals", "vars") and not node.args
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "__dict__"
        and isinstance(node.value, ast.Subscript)
        and isinstance(node.value.value, ast.Attribute)
        and node.value.value.attr == "modules"
    )


def literal_keys(node: ast.expr) -> frozenset[str] | None:
    """The strings of a literal tuple/list/set, the keys of a literal dict, or those of a
    comprehension over a literal sequence (``{f"a:{x}": ... for x in ("b", "c")}``)."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(items) != len(node.elts) or not all(isinstance(i, str) for i in items):
            return None
        return frozenset(str(i) for i in items)
    if isinstance(node, ast.Dict):
        keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
        if not all(isinstance(k, str) for k in keys):
            return None
        return frozenset(str(k) for k in keys)
    if isinstance(node, (ast.DictComp, ast.SetComp, ast.ListComp)):
        if len(node.generators) != 1:
            return None
        generator = node.generators[0]
        if generator.ifs or generator.is_async or not isinstance(generator.target, ast.Name):
            return None
        values = literal_keys(generator.iter)
        key = node.key if isinstance(node, ast.DictComp) else node.elt
        if values is None:
            return None
        variable = generator.target.id
        found = set()
        for value in values:
            text = _format(key, variable, value)
            if text is None:
                return None
            found.add(text)
        return frozenset(found)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("set", "frozenset", "tuple", "list")
        and len(node.args) == 1
    ):
        return literal_keys(node.args[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.Add)):
        left, right = literal_keys(node.left), literal_keys(node.right)
        return left | right if left is not None and right is not None else None
    return None


def _format(node: ast.expr, variable: str, value: str) -> str | None:
    if isinstance(node, ast.Name) and node.id == variable:
        return value
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
            elif (
                isinstance(part, ast.FormattedValue)
                and part.conversion == -1
                and part.format_spec is None
                and isinstance(part.value, ast.Name)
                and part.value.id == variable
            ):
                parts.append(value)
            else:
                return None
        return "".join(parts)
    return None


def derive_rule(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    tables: Mapping[str, frozenset[str]],
    factories: Mapping[str, str],
    module_parameter: str | None = None,
) -> tuple[GetattrRule, frozenset[str]] | None:
    """The rule of ``function`` (one positional parameter: the name) and the tables it reads;
    ``None`` when undecidable."""
    arguments = function.args
    if isinstance(function, ast.AsyncFunctionDef) or function.decorator_list:
        return None
    positional = [*arguments.posonlyargs, *arguments.args]
    if len(positional) != 1 or arguments.vararg or arguments.kwarg or arguments.kwonlyargs:
        return None
    walk = _Walk(positional[0].arg, module_parameter, tables, factories)
    try:
        outcome = walk.block(function.body)
    except _Undecidable:
        return None
    if outcome not in (_REJECT, "delegate"):
        return None  # falls off the end (returns None) or undecided
    rule = GetattrRule(
        function.lineno, frozenset(walk.accepted), tuple(walk.formatted), walk.delegate
    )
    return rule, frozenset(walk.used_tables)


def factory_rule(
    function: ast.FunctionDef, tables: Mapping[str, frozenset[str]], factories: Mapping[str, str]
) -> tuple[GetattrRule, frozenset[str]] | None:
    """``def make(module): def inner(name): ...; return inner``: the rule of ``inner``, with
    ``module`` standing for the module name the factory is called with."""
    if not function.args.args or not function.body:
        return None
    last = function.body[-1]
    if not (isinstance(last, ast.Return) and isinstance(last.value, ast.Name)):
        return None
    inner = next(
        (s for s in function.body if isinstance(s, ast.FunctionDef) and s.name == last.value.id),
        None,
    )
    if inner is None:
        return None
    return derive_rule(inner, tables, factories, function.args.args[0].arg)


def mutated_tables(tree: ast.Module, names: frozenset[str]) -> set[str]:
    """Which of the module-level ``names`` some code of the module changes in place or rebinds
    from a function (so their literal value is not the whole story)."""
    changed: set[str] = set()
    if not names:
        return changed
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    changed.add(target.value.id)
                if isinstance(node, ast.AugAssign) and isinstance(target, ast.Name):
                    changed.add(target.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and node.func.attr in _MUTATORS:
                changed.add(owner.id)
        elif isinstance(node, ast.Global):
            changed.update(node.names)
    return changed & names
