"""End-to-end fixtures: the real server over stdio, driven by pytest-lsp."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.support import write_tree

# "--stdio" as vscode-languageclient appends it: every end-to-end test starts the server so.
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "spoc_lsp", "--stdio"])


@pytest_lsp.fixture(config=SERVER)
async def lsp_client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    """A started server, not yet initialized: tests call ``initialize`` with their root."""
    lsp_client.registrations = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    lsp_client.lens_refreshes = 0  # type: ignore[attr-defined]

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh(params: None) -> None:
        lsp_client.lens_refreshes += 1  # type: ignore[attr-defined]

    yield lsp_client
    await lsp_client.shutdown_session()


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[Mapping[str, str]], Path]:
    def make(files: Mapping[str, str]) -> Path:
        return write_tree(tmp_path / "proj", files)

    return make
