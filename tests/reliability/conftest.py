"""Fixtures of the reliability suite: the real server over stdio, and projects on disk.

The two fixtures are copies of ``tests/lsp/conftest.py``'s (importing fixtures across conftest
files is fragile); the project root is resolved so paths compare equal to the server's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import write_tree
from tests.reliability.support import SERVER


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "soak: a load test; runs at CI size by default, at full size with SPOC_SOAK=1",
    )


@pytest_lsp.fixture(config=SERVER)
async def lsp_client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    """A started server, not yet initialized: tests call ``initialize`` with their root."""
    lsp_client.registrations = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    lsp_client.refreshes = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(params: None) -> None:
        lsp_client.refreshes.append("codeLens")  # type: ignore[attr-defined]

    @lsp_client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def inlay_hint_refresh(params: None) -> None:
        lsp_client.refreshes.append("inlayHint")  # type: ignore[attr-defined]

    yield lsp_client
    await lsp_client.shutdown_session()


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[Mapping[str, str]], Path]:
    def make(files: Mapping[str, str]) -> Path:
        return write_tree(tmp_path.resolve() / "proj", files)

    return make
