"""The quick fix of SPOC011 on a project plugin class that lacks methods of its interface: stubs
appended to the class body, each with the interface's signature and ``raise NotImplementedError``.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping
from pathlib import Path

from spoc_lsp.analysis.model import Fix, TextEdit
from spoc_lsp.index.shapes import ReadClass
from spoc_lsp.syntax.model import Position, Span

# Decorators a stub keeps: they decide how the method is called.
_KEPT_DECORATORS = frozenset({"staticmethod", "classmethod"})


def stub_fix(
    plugin: ReadClass,
    interface: ReadClass,
    missing: list[str],
    overlays: Mapping[Path, str],
) -> Fix | None:
    """A fix adding a stub per missing method of ``interface`` to ``plugin``'s class body, or
    ``None`` when none of the missing names is a method or the plugin file cannot be read."""
    methods = [node for name in missing if (node := _method(interface, name)) is not None]
    if not methods:
        return None
    text = overlays.get(plugin.file)
    if text is None:
        try:
            text = plugin.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    klass = plugin.mro[0].node
    lines = text.splitlines()
    last = (klass.end_lineno or klass.lineno) - 1
    if last >= len(lines) or not klass.body:
        return None
    first_body = lines[klass.body[0].lineno - 1]
    indent = first_body[: len(first_body) - len(first_body.lstrip())] or "    "
    keep_annotations = _has_future_annotations(text)
    blocks = [_stub(method, indent, keep_annotations) for method in methods]
    insertion = "".join(f"\n\n{block}" for block in blocks)
    end = Position(last, len(lines[last]))
    names = ", ".join(f"'{method.name}'" for method in methods)
    title = f"Add stubs for {names} of '{interface.qualname}'"
    return Fix(title, (TextEdit(plugin.file, Span(end, end), insertion),), preferred=True)


def _method(interface: ReadClass, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for body in interface.mro:
        for statement in body.node.body:
            if (
                isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
                and statement.name == name
            ):
                return statement
        if name in body.members:
            return None  # the nearest binding is not a method
    return None


def _stub(method: ast.FunctionDef | ast.AsyncFunctionDef, indent: str, annotations: bool) -> str:
    stub = copy.deepcopy(method)
    stub.decorator_list = [
        d for d in stub.decorator_list if isinstance(d, ast.Name) and d.id in _KEPT_DECORATORS
    ]
    stub.body = [ast.Raise(exc=ast.Name("NotImplementedError", ast.Load()), cause=None)]
    if not annotations:  # names of the interface's module may not exist in the plugin's
        stub.returns = None
        arguments = stub.args
        for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            argument.annotation = None
        for extra in (arguments.vararg, arguments.kwarg):
            if extra is not None:
                extra.annotation = None
    if hasattr(stub, "type_params"):
        stub.type_params = []
    ast.fix_missing_locations(stub)
    source = ast.unparse(stub)
    return "\n".join(f"{indent}{line}" if line else line for line in source.splitlines())


def _has_future_annotations(text: str) -> bool:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in tree.body
    )
