"""Never stale: when a module an answer read changes on disk, the diagnostics follow, with no
config edit, whether the client watches files (VS Code) or not (Neovim on Linux)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.support import codes, open_file, wait_for_diagnostics

MakeProject = Callable[[Mapping[str, str]], Path]

FILES = {
    "config/spoc.toml": '[spoc.plugins]\nhooks = ["shopapp.hooks.startup", "shopapp.hooks.late"]\n',
    "apps/shopapp/__init__.py": "",
    "apps/shopapp/hooks.py": "def startup():\n    pass\n",
}
WITH_LATE = "def startup():\n    pass\n\n\ndef late():\n    pass\n"
# Not a real wait: the tests report how long it took, the 2 s goal is bench's to check.
PATIENCE = 20.0


async def start(client: LanguageClient, root: Path, watchers: bool) -> str:
    capabilities = client_capabilities("visual-studio-code" if watchers else "neovim")
    if not watchers and capabilities.workspace is not None:
        capabilities.workspace.did_change_watched_files = None  # declares no watching at all
    await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )
    uri = open_file(client, root / "config/spoc.toml")
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: bool(d))
    assert codes(diagnostics) == ["SPOC002"]
    # The server asks for watchers in its `initialized` handler, which runs concurrently.
    for _ in range(100):
        if watching(client) or not watchers:
            break
        await asyncio.sleep(0.05)
    assert watching(client) == watchers
    return uri


def watching(client: LanguageClient) -> bool:
    return any(
        r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        for r in client.registrations  # type: ignore[attr-defined]
    )


def write(client: LanguageClient, path: Path, text: str, watchers: bool) -> float:
    path.write_text(text, encoding="utf-8")
    if watchers:
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Changed)]
            )
        )
    return time.monotonic()


async def follow_a_module_on_disk(client: LanguageClient, root: Path, watchers: bool) -> None:
    uri = await start(client, root, watchers)
    hooks = root / "apps/shopapp/hooks.py"
    written = write(client, hooks, WITH_LATE, watchers)
    await wait_for_diagnostics(client, uri, lambda d: not d, PATIENCE)
    cleared = time.monotonic() - written
    written = write(client, hooks, FILES["apps/shopapp/hooks.py"], watchers)
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: bool(d), PATIENCE)
    back = time.monotonic() - written
    assert codes(diagnostics) == ["SPOC002"]
    assert "late" in diagnostics[0].message
    print(f"\nFIGURE disk change -> diagnostics: cleared {cleared:.2f} s, back {back:.2f} s")


async def test_a_client_without_watchers_sees_module_changes_on_disk(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    await follow_a_module_on_disk(lsp_client, make_project(FILES), watchers=False)


async def test_a_client_with_watchers_sees_module_changes_on_disk(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    await follow_a_module_on_disk(lsp_client, make_project(FILES), watchers=True)


async def test_saving_a_module_revalidates_without_watchers_or_polls(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(FILES)
    uri = await start(lsp_client, root, watchers=True)  # watchers: no poll, but no event sent
    hooks = root / "apps/shopapp/hooks.py"
    hooks.write_text(WITH_LATE, encoding="utf-8")
    lsp_client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(hooks.as_uri()))
    )
    await wait_for_diagnostics(lsp_client, uri, lambda d: not d, PATIENCE)
