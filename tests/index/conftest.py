"""Fixtures shared by the index tests: the interpreter facts and a copy of the spoc runtime."""

from __future__ import annotations

from pathlib import Path

import pytest
from spoc_index_testlib import clean_environ, current_python, spoc_runtime_copy

from spoc_lsp.index.interpreter import InterpreterInfo, query_interpreter


@pytest.fixture(scope="session")
def interpreter_info() -> InterpreterInfo:
    """The facts of the interpreter running the tests (a venv), asked once."""
    return query_interpreter(current_python(), clean_environ(), cwd=Path.cwd())


@pytest.fixture(scope="session")
def spoc_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with only the ``spoc`` package, appended to the real runner's sys.path."""
    return spoc_runtime_copy(tmp_path_factory.mktemp("spoc-runtime"))


@pytest.fixture(autouse=True)
def _private_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Index tests never read or write the user's persistent cache (``index/store.py``)."""
    monkeypatch.setenv("SPOC_LSP_CACHE_DIR", str(tmp_path_factory.mktemp("spoc-lsp-cache")))
