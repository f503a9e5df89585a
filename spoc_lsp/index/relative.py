"""Relative imports made absolute, as ``importlib`` does it."""

from __future__ import annotations


def absolute_module(package: str, level: int, module: str | None) -> str | None:
    """The absolute name ``from <level dots><module> import ...`` names when run in a module
    of ``package`` (``""`` for a top-level module); ``None`` when the import would fail with
    "attempted relative import beyond top-level package" (``importlib._bootstrap._resolve_name``).
    """
    if level == 0:
        return module
    if not package:
        return None
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        return None
    base = bits[0]
    return f"{base}.{module}" if module else base
