"""Relative imports made absolute, as the import system does it (``importlib``'s
``_resolve_name``): the one copy the index and the analysis share."""

from __future__ import annotations


def package_of(module: str, *, is_package: bool) -> str:
    """The ``__package__`` of a module: itself for a package, else its parent ('' at the top)."""
    return module if is_package else module.rpartition(".")[0]


def absolute_module(level: int, module: str | None, package: str | None) -> str | None:
    """The absolute name ``from <level dots><module> import ...`` imports from, inside
    ``package``; ``None`` where the import system would raise (no parent package, or more
    dots than the package has levels)."""
    if level == 0:
        return module
    if not package:
        return None
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        return None
    base = bits[0]
    return f"{base}.{module}" if module else base
