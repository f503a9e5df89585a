"""Fixtures shared by every test directory. Keep this file small and generic."""

from __future__ import annotations

import importlib
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

_INSTALLATION = tuple(
    {str(Path(sysconfig.get_path(key)).resolve()) for key in ("stdlib", "platstdlib", "purelib")}
)


def _installed(module: ModuleType) -> bool:
    """True for built-in modules and modules of the standard library or site-packages."""
    spec = getattr(module, "__spec__", None)
    if spec is None:
        return False
    if spec.origin in ("built-in", "frozen"):
        return True
    places = [spec.origin] if spec.has_location and spec.origin else []
    try:
        places += list(spec.submodule_search_locations or [])
    except Exception:  # a namespace package whose parent is already gone
        return False
    return bool(places) and all(
        str(Path(place).resolve()).startswith(_INSTALLATION) for place in places
    )


@pytest.fixture
def isolated_imports() -> Iterator[None]:
    """Undo what a test does to ``sys.path`` and ``sys.modules``.

    ``sys.path`` is restored as it was, and every module first imported during the test is
    forgotten, unless it is installed (standard library, site-packages) or belongs to a top-level
    package that was already imported (such as ``spoc``). So tests can build projects in
    ``tmp_path`` that reuse module names (``core``, ``config.settings``, ``myapp``...).
    """
    saved_path = list(sys.path)
    saved_modules = dict(sys.modules)
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path[:] = saved_path
        forget = [
            name
            for name, module in sys.modules.items()
            if name not in saved_modules
            and name.partition(".")[0] not in saved_modules
            and not _installed(module)
        ]
        for name in forget:
            del sys.modules[name]
        sys.modules.update(saved_modules)
        importlib.invalidate_caches()
