"""Where a Python module uses a name: reads, deletions, ``global`` declarations, other
module-level bindings, and ``__all__`` entries (which a rename rewrites, where written plainly).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from spoc_lsp.index.project_files import code_point_column, module_statements
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.text import LineIndex


@dataclass(frozen=True)
class Export:
    """A string equal to the name in a module-level statement about ``__all__``."""

    line: int  # 1-based
    span: Span | None  # of the characters between the quotes; ``None`` when not written plainly


@dataclass
class NameUses:
    """Where a module uses a name, beyond binding it once at the top level."""

    uses: list[tuple[int, str]]  # (1-based line, "used" / "deleted" / ...)
    stores: list[int]  # 1-based lines of other module-level bindings
    exports: list[Export]  # entries of ``__all__``

    def bound_again(self, definitions: Iterable[int]) -> list[int]:
        """The 1-based lines binding the name when, with the top-level ``definitions`` (lines),
        it is bound more than once; empty when it is bound once."""
        listed = [*definitions, *self.stores]
        return sorted(set(listed)) if len(listed) > 1 else []

    @property
    def first_use(self) -> tuple[int, str] | None:
        return self.uses[0] if self.uses else None


def name_uses(tree: ast.Module, text: str, name: str) -> NameUses:
    """Where ``name`` is read, deleted or declared global anywhere in the module, where it is
    bound at module level other than by an assignment, definition or import, and where
    ``__all__`` lists it."""
    visitor = _NameScan(name)
    visitor.visit(tree)
    visitor.uses.sort()
    return NameUses(visitor.uses, visitor.stores, _exports(tree, text, name))


def _exports(tree: ast.Module, text: str, name: str) -> list[Export]:
    if "__all__" not in text:
        return []
    index = LineIndex(text)
    found: list[Export] = []
    for statement in module_statements(tree.body):
        nodes = list(ast.walk(statement))
        if not any(isinstance(n, ast.Name) and n.id == "__all__" for n in nodes):
            continue
        for node in nodes:
            if isinstance(node, ast.Constant) and node.value == name:
                found.append(Export(node.lineno, _plain_string(index, node, name)))
    return found


def _plain_string(index: LineIndex, node: ast.Constant, name: str) -> Span | None:
    """The span of ``name`` inside a one-line literal written ``"name"`` or ``'name'``."""
    if node.end_lineno != node.lineno or node.end_col_offset is None:
        return None
    line = node.lineno - 1
    start = code_point_column(index, line, node.col_offset)
    end = code_point_column(index, line, node.end_col_offset)
    written = index.line_text(line)[start:end]
    if written not in (f'"{name}"', f"'{name}'"):
        return None
    return Span(Position(line, start + 1), Position(line, end - 1))


class _NameScan(ast.NodeVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.depth = 0
        self.uses: list[tuple[int, str]] = []
        self.stores: list[int] = []

    def _nested(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _nested
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _nested

    def visit_Name(self, node: ast.Name) -> None:
        if node.id != self.name:
            return
        if isinstance(node.ctx, ast.Store):
            if self.depth == 0:
                self.stores.append(node.lineno)
        else:
            what = "deleted" if isinstance(node.ctx, ast.Del) else "used"
            self.uses.append((node.lineno, what))

    def visit_Assign(self, node: ast.Assign) -> None:
        if self.depth > 0:
            self.generic_visit(node)
            return
        for target in node.targets:  # top-level targets are definitions, counted separately
            self._target_reads(target)
        self.visit(node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if self.depth > 0 or node.value is None:
            if node.value is not None:
                self.generic_visit(node)
            else:
                self.visit(node.annotation)
            return
        self._target_reads(node.target)
        self.visit(node.annotation)
        self.visit(node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id == self.name:
            self.uses.append((node.lineno, "used"))
        else:
            self.visit(node.target)
        self.visit(node.value)

    def visit_Global(self, node: ast.Global) -> None:
        if self.name in node.names:
            self.uses.append((node.lineno, "declared global"))

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        if self.name in node.names:
            self.uses.append((node.lineno, "declared nonlocal"))

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name == self.name and self.depth == 0:
            self.stores.append(node.lineno)
        self.generic_visit(node)

    def _target_reads(self, target: ast.expr) -> None:
        for node in ast.walk(target):
            if (
                isinstance(node, ast.Name)
                and node.id == self.name
                and not isinstance(node.ctx, ast.Store)
            ):
                self.uses.append((node.lineno, "used"))
