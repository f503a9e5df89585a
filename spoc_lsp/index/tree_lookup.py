"""Finding statements again in a module's syntax tree: the class statement at a line, the one
top-level statement binding a name, a module-level ``name = Cls(...)`` (for ``shapes``)."""

from __future__ import annotations

import ast


def class_at(tree: ast.Module, line: int) -> tuple[ast.ClassDef, str] | None:
    """The class statement at 0-based ``line`` (its ``class`` or a decorator line), with its
    qualified name; classes inside functions are not followed."""

    def search(body: list[ast.stmt], prefix: str) -> tuple[ast.ClassDef, str] | None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                lines = {node.lineno - 1, *(d.lineno - 1 for d in node.decorator_list)}
                if line in lines:
                    return node, prefix + node.name
                found = search(node.body, f"{prefix}{node.name}.")
                if found is not None:
                    return found
        return None

    return search(tree.body, "")


def binding_line(tree: ast.Module, name: str, line: int) -> int | None:
    """The 0-based line of the top-level statement binding ``name`` (the only one), else
    ``line`` when the statement there binds it."""
    found: list[int] = []
    at_line = False
    for node in tree.body:
        bound: list[str] = []
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            bound = [node.name]
        elif isinstance(node, ast.Assign):
            bound = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            bound = [node.target.id]
        if name in bound:
            first = node.lineno - 1
            decorators = getattr(node, "decorator_list", [])
            lines = {first, *(d.lineno - 1 for d in decorators)}
            found.append(first)
            at_line = at_line or line in lines
    if len(found) == 1:
        return found[0]
    return line if at_line else None


def made_instance(tree: ast.Module, line: int) -> tuple[str, ast.Call] | None:
    """``name = Cls(...)`` (or ``name: T = Cls(...)``) at the module's top level, 0-based
    ``line``: the name and the call."""
    for node in tree.body:
        if node.lineno - 1 != line:
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target: ast.expr = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target = node.target
        else:
            return None
        if isinstance(target, ast.Name) and isinstance(node.value, ast.Call):
            return target.id, node.value
    return None
