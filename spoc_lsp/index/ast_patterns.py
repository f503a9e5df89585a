"""Recognisers for the syntax patterns a module summary cares about (pure ``ast`` checks)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_NAMESPACE_GETTERS = frozenset({"globals", "vars", "locals"})
TRY_STAR: type[ast.AST] | None = getattr(ast, "TryStar", None)


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    """True when the handler catches an ``ImportError`` and does not re-raise it."""
    if any(isinstance(statement, ast.Raise) for statement in handler.body):
        return False  # ``except ImportError: warn(...); raise`` still fails the import
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for name in names:
        text = name.id if isinstance(name, ast.Name) else getattr(name, "attr", None)
        if text in _IMPORT_ERRORS:
            return True
    return False


def matches_import_error(handler: ast.ExceptHandler) -> bool:
    """True when the handler's type certainly matches a ``ModuleNotFoundError`` (whatever
    its body does)."""
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(name, ast.Name) and name.id in _IMPORT_ERRORS for name in names)


def string_list(node: ast.expr | None) -> list[str] | None:
    """A literal list/tuple of strings (or a sum of them)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        items: list[str] = []
        for element in node.elts:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                return None
            items.append(element.value)
        return items
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = string_list(node.left), string_list(node.right)
        return left + right if left is not None and right is not None else None
    return None


def is_sys_attribute(node: ast.expr, *names: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in names
        and isinstance(node.value, ast.Name)
        and node.value.id in ("sys", "_sys")
    )


def is_self_module(node: ast.expr) -> bool:
    """``sys.modules[__name__]``."""
    return (
        isinstance(node, ast.Subscript)
        and is_sys_attribute(node.value, "modules")
        and isinstance(node.slice, ast.Name)
        and node.slice.id == "__name__"
    )


def is_namespace_call(node: ast.expr) -> bool:
    """``globals()``, ``vars()`` or ``locals()`` (at module level they are the namespace)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _NAMESPACE_GETTERS
        and not node.args
    )


def namespace_write(node: ast.AST) -> bool:
    """``globals()[k] = v``, ``globals().update(...)`` and the like."""
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(
            isinstance(target, ast.Subscript) and is_namespace_call(target.value)
            for target in targets
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return is_namespace_call(node.func.value) and node.func.attr in (
            "update",
            "setdefault",
            "__setitem__",
        )
    return False


def targets(node: ast.Assign | ast.AugAssign | ast.AnnAssign) -> list[ast.expr]:
    targets: list[ast.expr] = list(node.targets) if isinstance(node, ast.Assign) else [node.target]
    flat: list[ast.expr] = []
    while targets:
        target = targets.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
        else:
            flat.append(target)
    return flat


def own_expressions(node: ast.stmt) -> list[ast.expr]:
    """The expressions evaluated by the statement itself (not by nested blocks or bodies)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return list(node.decorator_list)
    if isinstance(node, (ast.If, ast.While)):
        return [node.test]
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return [node.iter]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in node.items]
    if isinstance(node, ast.Match):
        return [node.subject]
    if isinstance(node, ast.Try) or (TRY_STAR is not None and isinstance(node, TRY_STAR)):
        return []
    return [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]


def walrus_nodes(node: ast.AST) -> Iterator[ast.NamedExpr]:
    """``:=`` expressions evaluated in this scope (a lambda body is its own scope)."""
    if isinstance(node, ast.Lambda):
        return
    if isinstance(node, ast.NamedExpr):
        yield node
    for child in ast.iter_child_nodes(node):
        yield from walrus_nodes(child)


def pattern_names(pattern: ast.pattern) -> Iterator[tuple[str, ast.AST]]:
    """Names a ``match`` pattern captures."""
    for node in ast.walk(pattern):
        if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            yield node.name, node
        elif isinstance(node, ast.MatchMapping) and node.rest:
            yield node.rest, node


def literal_string(node: ast.expr) -> str | None:
    """The value of a string literal, else ``None``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
