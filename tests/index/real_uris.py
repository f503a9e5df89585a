"""URIs generated from installed packages, independently of the resolver: every module (walked
on disk), top-level names from a deliberately simple ``ast`` scan, and mutated typos."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from spoc.uri import uri_problem

_SKIPPED_PARTS = frozenset({"__main__", "__pycache__", "conftest", "setup"})


def package_modules(
    site_dir: Path, top: str, extension_suffixes: tuple[str, ...]
) -> list[tuple[str, Path | None]]:
    """``(module name, source file or None)`` for ``top`` and everything under it."""
    package = site_dir / top
    single = site_dir / f"{top}.py"
    if single.is_file():
        return [(top, single)]
    if not package.is_dir():
        for suffix in extension_suffixes:
            if (site_dir / f"{top}{suffix}").is_file():
                return [(top, None)]
        return []
    found: list[tuple[str, Path | None]] = []
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(site_dir)
        if any(
            part in _SKIPPED_PARTS or "-" in part or "." in part for part in relative.parts[:-1]
        ):
            continue
        name = path.name
        stem: str | None = None
        source: Path | None = None
        if name.endswith(".py"):
            stem, source = name[:-3], path
        else:
            stem = next((name[: -len(s)] for s in extension_suffixes if name.endswith(s)), None)
        if stem is None or stem in _SKIPPED_PARTS:
            continue
        parts = [*relative.parts[:-1]] + ([] if stem == "__init__" else [stem])
        dotted = ".".join(parts)
        if uri_problem(dotted) is None:
            found.append((dotted, source))
    return found


def top_level_names(source: Path) -> list[str]:
    """Names bound at top level, found the simple way (branches included, no semantics)."""
    try:
        tree = ast.parse(source.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return []
    names: list[str] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(node.name)
            elif isinstance(node, ast.Assign):
                names.extend(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.append(node.target.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name != "*":
                        names.append(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)

    visit(tree.body)
    return list(dict.fromkeys(names))


def typo(name: str) -> str:
    """A plausible misspelling: two neighbouring letters swapped (or a letter doubled)."""
    for index in range(len(name) // 2, len(name) - 1):
        if name[index] != name[index + 1] and name[index].isalpha() and name[index + 1].isalpha():
            return name[:index] + name[index + 1] + name[index] + name[index + 2 :]
    return name + name[-1]


def uris_for_package(
    site_dir: Path,
    top: str,
    extension_suffixes: tuple[str, ...],
    *,
    names_per_module: int = 8,
    budget: int = 700,
) -> list[str]:
    """A deterministic sample of URIs for one installed top-level package."""
    modules = package_modules(site_dir, top, extension_suffixes)
    if not modules:
        return []
    per_module = max(1, budget // len(modules))
    uris: list[str] = [typo(top)]
    for module, source in modules:
        chosen: list[str] = [module, f"{module}.nonexistent_zz"]
        if "." in module:
            parent, _, last = module.rpartition(".")
            chosen.append(f"{parent}.{typo(last)}")
        if source is not None:
            names = top_level_names(source)
            picked = names[:names_per_module]
            chosen += [f"{module}.{name}" for name in picked]
            chosen += [f"{module}.{typo(name)}" for name in picked[:2]]
        uris += chosen[: max(per_module, 3)]
    return [uri for uri in dict.fromkeys(uris) if uri_problem(uri) is None]


def iter_batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
