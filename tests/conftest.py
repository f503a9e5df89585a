"""Fixtures shared by every test directory. Keep this file small and generic."""

from __future__ import annotations

import importlib
import os
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

# The persistent index cache (CONTRACT §3) of every server and CLI the tests start, in-process or
# as subprocesses (they inherit the environment), goes to one temporary directory per run,
# never to the user's ~/.cache. tests/index gives each of its tests a fresh one on top.
os.environ.setdefault("SPOC_LSP_CACHE_DIR", tempfile.mkdtemp(prefix="spoc-lsp-test-cache-"))

# --- the fast default layer ---------------------------------------------------------------------
#
# Plain `pytest` (no paths, no -m) runs the fast layer for development; the README's
# `make test` (and so CI) runs everything with `-m "slow or not slow"`. Naming paths runs all
# the tests under them. Slow: the real server over stdio, headless Neovim, the CLI in
# subprocesses, the reliability suite, real interpreters and real package imports.
SLOW_DIRECTORIES = ("tests/reliability/", "tests/editors/", "tests/cli/")
SLOW_FILES = ("tests/index/test_real_environment.py", "tests/runtime/test_runtime_probe.py")
SLOW_TESTS = (
    "tests/index/test_symbols.py::test_deferred_hover_text_matches_on_standard_library_modules",
    "tests/index/test_symbols.py::test_skipping_function_bodies_changes_nothing_on_standard_library_modules",
)
SERVER_FIXTURE = "lsp_client"  # the real server over stdio


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", 'slow: not in the default `pytest` run; `-m "slow or not slow"` runs all'
    )


def _is_slow(item: pytest.Item) -> bool:
    node = item.nodeid
    return (
        node.startswith(SLOW_DIRECTORIES)
        or node.partition("::")[0] in SLOW_FILES
        or node.partition("[")[0] in SLOW_TESTS
        or SERVER_FIXTURE in getattr(item, "fixturenames", ())
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
    default_run = config.args_source is pytest.Config.ArgsSource.TESTPATHS
    if not default_run or config.option.markexpr:
        return
    slow = [item for item in items if _is_slow(item)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not _is_slow(item)]
        config.stash[_DESELECTED] = len(slow)


_DESELECTED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    count = config.stash.get(_DESELECTED, 0)
    if count:
        terminalreporter.write_line(
            f"fast layer: {count} slow tests not run; "
            '`make pytest` or `pytest -m "slow or not slow"` runs them all'
        )


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
