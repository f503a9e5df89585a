"""Modules rebuilt by a helper: ``helper(__name__, ...)`` at top level, where ``helper``
(usually in another module) replaces ``sys.modules[name]`` or sets attributes on it, as lazy
module helpers do (``celery.local.recreate_module``).

The calling module records each top-level call that hands over ``__name__`` (``HelperCall``,
with the names its arguments spell as string literals: keyword names, and strings in literal
lists or in the values of literal dicts, the tables of submodule to names such helpers take).
The helper's module records which of its functions rebind a module named by a parameter
(``rebinding_functions``). The namespace joins the two: a module whose call reaches such a
function is dynamic, and the literal names are bound lazily.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class HelperCall:
    """``module.function(__name__, ...)`` run by the top level."""

    module: str  # absolute module the function comes from
    function: str
    line: int  # 1-based
    names: frozenset[str]  # names the arguments spell as string literals
    keywords: frozenset[str]  # keyword argument names (attributes, unless parameters)


def helper_call(
    call: ast.Call, imported_from: Mapping[str, tuple[str, str]], module_names: Mapping[str, str]
) -> HelperCall | None:
    """The call as a ``HelperCall`` when it hands ``__name__`` to an imported function
    (``imported_from``: local name -> (module, attribute) of ``from`` imports;
    ``module_names``: local name -> module)."""
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    if not any(isinstance(a, ast.Name) and a.id == "__name__" for a in arguments):
        return None
    func = call.func
    if isinstance(func, ast.Name) and func.id in imported_from:
        module, function = imported_from[func.id]
    elif (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in module_names
    ):
        module, function = module_names[func.value.id], func.attr
    else:
        return None
    names: set[str] = set()
    for argument in arguments:
        names |= _literal_names(argument)
    keywords = frozenset(k.arg for k in call.keywords if k.arg is not None)
    return HelperCall(module, function, call.lineno, frozenset(names), keywords)


def _literal_names(node: ast.expr) -> set[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {
            e.value
            for e in node.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value.isidentifier()
        }
    if isinstance(node, ast.Dict):
        found: set[str] = set()
        for value in node.values:
            found |= _literal_names(value)
        return found
    return set()


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _is_sys_modules(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "modules"
        and isinstance(node.value, ast.Name)
        and node.value.id in ("sys", "_sys")
    )


def rebinding_functions(
    functions: Iterable[ast.FunctionDef | ast.AsyncFunctionDef],
) -> dict[str, tuple[str, ...]]:
    """Top-level functions that replace ``sys.modules[x]`` or set attributes on it, where
    ``x`` is computed from a parameter, directly or by calling another such function with
    one; each with its parameter names."""
    tainted: dict[str, set[str]] = {}
    calls: dict[str, list[ast.Call]] = {}
    found: dict[str, tuple[str, ...]] = {}
    every = list(functions)
    for function in every:
        params = _parameters(function)
        names = set(params)
        for _ in range(2):  # values computed from parameters, two steps deep
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and _mentions(node.value, names):
                    for target in node.targets:
                        names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        tainted[function.name] = names
        calls[function.name] = [n for n in ast.walk(function) if isinstance(n, ast.Call)]
        for node in ast.walk(function):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            for target in targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _is_sys_modules(target.value)
                    and _mentions(target.slice, names)
                ):
                    found[function.name] = params
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and node.args
                and isinstance(node.args[0], ast.Subscript)
                and _is_sys_modules(node.args[0].value)
                and _mentions(node.args[0].slice, names)
            ):
                found[function.name] = tuple(params)
    changed = True
    while changed:
        changed = False
        for function in every:
            if function.name in found:
                continue
            for call in calls[function.name]:
                if (
                    isinstance(call.func, ast.Name)
                    and call.func.id in found
                    and any(_mentions(a, tainted[function.name]) for a in call.args)
                ):
                    arguments = function.args
                    found[function.name] = tuple(
                        a.arg
                        for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
                    )
                    changed = True
                    break
    return found


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    arguments = function.args
    return tuple(a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs))
