"""Static truth of the ``if`` tests that decide which top-level names a module binds.

Only what is certain for the project's interpreter is decided: ``TYPE_CHECKING`` (false at
runtime), ``sys.version_info`` and ``sys.platform`` comparisons, ``os.name``, literals, names
assigned such a test earlier in the module (``PY3 = sys.version_info[0] == 3``), and ``not`` /
``and`` / ``or`` of those. Anything else is unknown (``None``): both branches may run.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_SYS_NAMES = frozenset({"sys", "_sys"})
_OS_NAMES = frozenset({"os", "_os"})


@dataclass(frozen=True)
class ConditionFacts:
    """The facts of the interpreter that static conditions depend on."""

    version: tuple[int, int, int]
    platform: str
    os_name: str


class _Undecided:
    """The value of an expression that cannot be evaluated statically."""


_UNDECIDED = _Undecided()

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], object]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
}


def is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``<anything>.TYPE_CHECKING``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def evaluate(test: ast.expr, target: ConditionFacts, constants: Mapping[str, bool]) -> bool | None:
    """True/False when ``test`` is certain for ``target``, else ``None``."""
    if is_type_checking(test):
        return False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = evaluate(test.operand, target, constants)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [evaluate(value, target, constants) for value in test.values]
        if isinstance(test.op, ast.And):
            if any(value is False for value in values):
                return False
            return True if all(value is True for value in values) else None
        if any(value is True for value in values):
            return True
        return False if all(value is False for value in values) else None
    if isinstance(test, ast.Name) and test.id in constants:
        return constants[test.id]
    value = _value(test, target)
    if isinstance(value, _Undecided):
        return None
    try:
        return bool(value)
    except Exception:  # an odd constant's __bool__ cannot be trusted
        return None


def _value(node: ast.expr, target: ConditionFacts) -> object:
    """The Python value of a simple expression, or ``_UNDECIDED``."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        items = [_value(item, target) for item in node.elts]
        return _UNDECIDED if any(isinstance(i, _Undecided) for i in items) else tuple(items)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        base, attr = node.value.id, node.attr
        if base in _SYS_NAMES and attr == "version_info":
            return (*target.version, "final", 0)
        if base in _SYS_NAMES and attr == "platform":
            return target.platform
        if base in _OS_NAMES and attr == "name":
            return target.os_name
        return _UNDECIDED
    if isinstance(node, ast.Attribute) and node.attr in ("major", "minor", "micro"):
        version = _value(node.value, target)
        if isinstance(version, tuple):
            return version[("major", "minor", "micro").index(node.attr)]
        return _UNDECIDED
    if isinstance(node, ast.Subscript):
        return _subscript(node, target)
    if isinstance(node, ast.Compare):
        return _compare(node, target)
    if isinstance(node, ast.Call):
        return _call(node, target)
    return _UNDECIDED


def _subscript(node: ast.Subscript, target: ConditionFacts) -> object:
    container = _value(node.value, target)
    if not isinstance(container, tuple):
        return _UNDECIDED
    index = node.slice
    try:
        if isinstance(index, ast.Slice):
            lower = _value(index.lower, target) if index.lower is not None else None
            upper = _value(index.upper, target) if index.upper is not None else None
            if not isinstance(lower, (int, type(None))) or not isinstance(upper, (int, type(None))):
                return _UNDECIDED
            if index.step is not None:
                return _UNDECIDED
            return container[lower:upper]
        key = _value(index, target)
        return container[key] if isinstance(key, int) else _UNDECIDED
    except (IndexError, TypeError):
        return _UNDECIDED


def _compare(node: ast.Compare, target: ConditionFacts) -> object:
    left = _value(node.left, target)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _value(right_node, target)
        function = _COMPARE.get(type(op))
        if function is None or isinstance(left, _Undecided) or isinstance(right, _Undecided):
            return _UNDECIDED
        try:
            if not function(left, right):
                return False
        except TypeError:
            return _UNDECIDED
        left = right
    return True


def _call(node: ast.Call, target: ConditionFacts) -> object:
    """``sys.platform.startswith(...)`` (the only call that is common and certain)."""
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in ("startswith", "endswith")
        and len(node.args) == 1
        and not node.keywords
    ):
        subject = _value(func.value, target)
        argument = _value(node.args[0], target)
        if isinstance(subject, str) and isinstance(argument, (str, tuple)):
            try:
                method = subject.startswith if func.attr == "startswith" else subject.endswith
                return method(argument)
            except TypeError:
                return _UNDECIDED
    return _UNDECIDED
