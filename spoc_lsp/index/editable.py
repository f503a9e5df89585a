"""setuptools' modern editable installs, read from the finder module's source without running it.

``pip install -e`` with setuptools >= 64 writes ``__editable__.<dist>.pth`` whose only line imports
``__editable___<dist>_finder`` and calls its ``install()``. That appends a meta-path finder
(after ``PathFinder``) mapping top-level names to source directories (``MAPPING``), and, for
namespace packages, a path hook plus a placeholder entry at the end of ``sys.path``
(``NAMESPACES``, ``PATH_PLACEHOLDER``). The three constants are literals in the generated
module, so ``ast`` recovers them exactly.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EditableFinder:
    """The static content of one editable finder module."""

    module: str  # the finder module's name
    source: Path  # its file
    pth_file: Path  # the .pth file that installs it
    mapping: tuple[tuple[str, Path], ...]  # module name -> package directory or module file
    namespaces: tuple[tuple[str, tuple[Path, ...]], ...]  # namespace name -> its directories
    placeholder: str | None  # the fake sys.path entry that triggers the namespace path hook

    def __str__(self) -> str:
        """``finder (pth): name -> path, ...`` for the environment report."""
        targets = [f"{name} -> {path}" for name, path in self.mapping]
        targets += [
            f"{name} -> namespace {', '.join(map(str, paths))}" for name, paths in self.namespaces
        ]
        return f"{self.module} (installed by {self.pth_file.name}): {'; '.join(targets)}"

    def target(self, name: str) -> Path | None:
        """Where ``MAPPING`` says module ``name`` lives."""
        return next((path for key, path in self.mapping if key == name), None)

    def namespace(self, name: str) -> tuple[Path, ...] | None:
        """The directories of namespace package ``name``, or ``None`` if it is not one."""
        return next((paths for key, paths in self.namespaces if key == name), None)


def read_editable_finder(source: Path, module: str, pth_file: Path) -> EditableFinder | None:
    """Parse ``source``; ``None`` when it is unreadable or not shaped like a finder module."""
    try:
        tree = ast.parse(source.read_bytes(), filename=str(source))
    except (OSError, SyntaxError, ValueError):
        return None
    values = _literal_constants(tree, {"MAPPING", "NAMESPACES", "PATH_PLACEHOLDER"})
    mapping = values.get("MAPPING")
    if not isinstance(mapping, dict):
        return None
    namespaces = values.get("NAMESPACES")
    placeholder = values.get("PATH_PLACEHOLDER")
    return EditableFinder(
        module=module,
        source=source,
        pth_file=pth_file,
        mapping=tuple(
            (key, Path(value))
            for key, value in mapping.items()
            if isinstance(key, str) and isinstance(value, str)
        ),
        namespaces=tuple(
            (key, tuple(Path(item) for item in value if isinstance(item, str)))
            for key, value in (namespaces.items() if isinstance(namespaces, dict) else ())
            if isinstance(key, str) and isinstance(value, list)
        ),
        placeholder=placeholder if isinstance(placeholder, str) else None,
    )


def _literal_constants(tree: ast.Module, names: set[str]) -> dict[str, object]:
    """Top-level ``NAME = <literal>`` (or annotated) values for the wanted names."""
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            evaluated = _literal(value)
            if evaluated is not None:
                found[target.id] = evaluated
    return found


def _literal(node: ast.expr) -> object:
    """``ast.literal_eval`` plus string concatenation (``'x' + ".__path_hook__"``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return left + right if isinstance(left, str) and isinstance(right, str) else None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
