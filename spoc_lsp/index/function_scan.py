"""What a function body does to its module's namespace when it runs: names it declares
``global`` and binds, attributes it sets on imported modules, and whether it writes
``globals()``/``vars()``/``locals()``.

A function the top level calls is walked in full (its effects happen); any other only when its
lines name ``global``, ``vars`` or ``locals`` (its names become possible, never certain).
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from spoc_lsp.index.ast_patterns import (
    TRY_STAR,
    namespace_write,
    own_expressions,
    pattern_names,
    targets,
    walrus_nodes,
)
from spoc_lsp.index.model import BindingKind
from spoc_lsp.index.relative import absolute_module

# ``global`` statements and ``globals()``/``vars()``/``locals()`` calls. A body whose lines hold
# none of these words (identifiers are never split across lines) has nothing to find.
SCAN_WORDS = re.compile(r"global|vars|locals")


def scan_lines(source: bytes, text: str) -> tuple[int, ...] | None:
    """The 1-based lines where a function body may hold what this module looks for, in order
    (``None``: walk every body)."""
    if source.isascii():
        if b"global" not in source and b"vars" not in source and b"locals" not in source:
            return ()
    elif not unicodedata.is_normalized("NFKC", text):
        # Identifiers are NFKC-normalised (``ｇｌｏｂａｌｓ`` is ``globals``): look at the
        # normalised text, and walk everything if the words appear there.
        return None if SCAN_WORDS.search(unicodedata.normalize("NFKC", text)) else ()
    elif SCAN_WORDS.search(text) is None:
        return ()
    numbers: list[int] = []
    line, counted = 1, 0
    for match in SCAN_WORDS.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if not numbers or numbers[-1] != line:
            numbers.append(line)
    return tuple(numbers)


@dataclass(frozen=True)
class GlobalBinding:
    """A name a function declares ``global`` and binds: a module attribute once it runs."""

    name: str
    kind: BindingKind
    node: ast.AST
    nested: bool  # inside a branch, loop or handler of the body: may not happen
    module: str | None = None  # "import"/"from": as in ``Binding``
    attribute: str | None = None


@dataclass(frozen=True)
class AttributeWrite:
    """``module.attr = value`` in the body, on a module the function or the module imported."""

    module: str
    attribute: str
    line: int


@dataclass(frozen=True)
class FunctionEffects:
    """What calling one function does to its module and to other modules."""

    bindings: tuple[GlobalBinding, ...]
    writes: tuple[AttributeWrite, ...]
    imports: tuple[str, ...]  # absolute modules it imports (``from m import n``: m and m.n)
    writes_namespace: bool  # ``globals()[k] = v`` and the like

    @property
    def bound(self) -> frozenset[str]:
        return frozenset(binding.name for binding in self.bindings)


def function_effects(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    package: str = "",
    module_names: Mapping[str, str] | None = None,
) -> FunctionEffects:
    """What running ``node`` (a function of a module in ``package``) binds: names declared
    ``global`` and bound by assignment, import, ``for``/``with``/``except`` targets, walrus or
    a nested ``def``/``class``, and attributes it sets on imported modules (``module_names``:
    the module's own imports, name -> module)."""
    walker = _FunctionWalker(package, dict(module_names or {}))
    walker.declared = {
        name for inner in ast.walk(node) if isinstance(inner, ast.Global) for name in inner.names
    }
    walker.block(node.body, nested=False)
    writes_namespace = any(namespace_write(inner) for inner in ast.walk(node))
    return FunctionEffects(
        tuple(walker.bindings), tuple(walker.writes), tuple(walker.imports), writes_namespace
    )


class _FunctionWalker:
    def __init__(self, package: str, module_names: dict[str, str]) -> None:
        self.package = package
        self.modules = module_names  # local or global name -> absolute module
        self.declared: set[str] = set()
        self.bindings: list[GlobalBinding] = []
        self.writes: list[AttributeWrite] = []
        self.imports: list[str] = []

    def block(self, statements: list[ast.stmt], nested: bool) -> None:
        for statement in statements:
            self.statement(statement, nested)

    def bind(
        self, name: str, kind: BindingKind, node: ast.AST, nested: bool, **where: str | None
    ) -> None:
        if name in self.declared:
            self.bindings.append(GlobalBinding(name, kind, node, nested, **where))

    def target(self, target: ast.expr, nested: bool) -> None:
        for inner in ast.walk(target):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                self.bind(inner.id, "variable", inner, nested)
        if isinstance(target, ast.Attribute):
            dotted: list[str] = []
            owner: ast.expr = target.value
            while isinstance(owner, ast.Attribute):
                dotted.insert(0, owner.attr)
                owner = owner.value
            if isinstance(owner, ast.Name) and owner.id in self.modules:
                module = ".".join([self.modules[owner.id], *dotted])
                self.writes.append(AttributeWrite(module, target.attr, target.lineno))

    def statement(self, node: ast.stmt, nested: bool) -> None:
        for expression in own_expressions(node):
            for walrus in walrus_nodes(expression):
                self.target(walrus.target, nested)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.bind(node.name, "function", node, nested)
        elif isinstance(node, ast.ClassDef):
            self.bind(node.name, "class", node, nested)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            if not isinstance(node, ast.AnnAssign) or node.value is not None:
                for target in targets(node):
                    self.target(target, nested)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                module = alias.name if alias.asname else local
                self.modules[local] = module
                self.imports.append(alias.name)
                self.bind(local, "import", alias, nested, module=module)
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(self.package, node.level, node.module)
            for alias in node.names:
                local = alias.asname or alias.name
                if base is not None and alias.name != "*":
                    self.modules[local] = f"{base}.{alias.name}"
                    self.imports += [base, f"{base}.{alias.name}"]
                    self.bind(local, "from", alias, nested, module=base, attribute=alias.name)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self.target(item.optional_vars, nested)
            self.block(node.body, nested)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.target(node.target, True)
            self.block(node.body, True)
            self.block(node.orelse, True)
        elif isinstance(node, (ast.If, ast.While)):
            self.block(node.body, True)
            self.block(node.orelse, True)
        elif isinstance(node, ast.Try) or (TRY_STAR is not None and isinstance(node, TRY_STAR)):
            self.block(getattr(node, "body", []), True)
            for handler in getattr(node, "handlers", []):
                if handler.name:
                    self.bind(handler.name, "variable", handler, True)
                self.block(handler.body, True)
            self.block(getattr(node, "orelse", []), True)
            self.block(getattr(node, "finalbody", []), nested)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                for name, capture in pattern_names(case.pattern):
                    self.bind(name, "variable", capture, True)
                self.block(case.body, True)
