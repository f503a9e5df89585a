"""Plugin interfaces end to end over stdio: SPOC011 published for a plugin class that lacks a
member of its group's interface, cleared and back again as the open buffer of the plugin class
is edited, the code lens on the interface class counting, and completion of a half-typed
``[spoc.interfaces]`` value offering the kinds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import change_file, initialize, open_file, wait_for_diagnostics

MakeProject = Callable[[Mapping[str, str]], Path]

INTERFACE = """
from typing import Protocol


class Backend(Protocol):
    def connect(self, url: str) -> None: ...

    def disconnect(self) -> None: ...
"""

MONGO = """
class Mongo:
    def connect(self, url):
        pass
"""

MONGO_FIXED = (
    MONGO
    + """
    def disconnect(self):
        pass
"""
)

POSTGRES = """
class Postgres:
    def connect(self, url):
        pass

    def disconnect(self):
        pass
"""

PROJECT = {
    "config/spoc.toml": (
        '[spoc.interfaces]\ndatabase = "shop.interfaces.Backend"\n\n'
        '[spoc.plugins]\ndatabase = ["shop.mongo.Mongo", "shop.postgres.Postgres"]\n'
    ),
    "apps/shop/__init__.py": "",
    "apps/shop/interfaces.py": INTERFACE,
    "apps/shop/mongo.py": MONGO,
    "apps/shop/postgres.py": POSTGRES,
}


def spoc011(diagnostics: list[types.Diagnostic]) -> list[str]:
    return [d.message for d in diagnostics if d.code == "SPOC011"]


async def lens_titles(client: LanguageClient, path: Path) -> list[str]:
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri()))
    )
    return [lens.command.title for lens in lenses or [] if lens.command is not None]


async def test_spoc011_follows_the_open_buffer_of_the_plugin_class(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(PROJECT)
    await initialize(lsp_client, root)
    toml = open_file(lsp_client, root / "config" / "spoc.toml")
    found = await wait_for_diagnostics(lsp_client, toml, lambda d: bool(spoc011(d)))
    assert spoc011(found) == [
        "'shop.mongo.Mongo' does not satisfy 'Backend' of group 'database': missing 'disconnect'"
    ]

    interface = root / "apps" / "shop" / "interfaces.py"
    open_file(lsp_client, interface)
    assert await lens_titles(lsp_client, interface) == [
        "2 plugins of 'database': 1 satisfy, 1 do not"
    ]

    mongo = open_file(lsp_client, root / "apps" / "shop" / "mongo.py")
    change_file(lsp_client, mongo, MONGO_FIXED.lstrip("\n"), 2)
    await wait_for_diagnostics(lsp_client, toml, lambda d: not spoc011(d))
    assert await lens_titles(lsp_client, interface) == [
        "2 plugins of 'database': 2 satisfy, 0 do not"
    ]

    change_file(lsp_client, mongo, MONGO.lstrip("\n"), 3)
    found = await wait_for_diagnostics(lsp_client, toml, lambda d: bool(spoc011(d)))
    assert len(spoc011(found)) == 1


async def test_completion_in_a_half_typed_interface_value_offers_the_kinds(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(
        {
            "config/spoc.toml": '[spoc.interfaces]\nmiddleware = "cal\n',
            "apps/shop/__init__.py": "",
        }
    )
    await initialize(lsp_client, root)
    toml = open_file(lsp_client, root / "config" / "spoc.toml")
    result = await lsp_client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=toml),
            position=types.Position(line=1, character=17),
        )
    )
    assert result is not None
    items = result.items if isinstance(result, types.CompletionList) else result
    labels = [item.label for item in items]
    assert labels[:4] == ["callable", "class", "function", "module"]
    assert "shop" in labels
    first = items[0]
    assert isinstance(first.documentation, types.MarkupContent)
    assert "called" in first.documentation.value
    assert isinstance(first.text_edit, types.TextEdit)
    assert first.text_edit.range.start == types.Position(line=1, character=14)


async def test_editing_the_interface_class_rechecks_its_plugins(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(PROJECT)
    await initialize(lsp_client, root)
    # Open before any analysis: the first one reads the disk, then learns the file matters.
    interface = open_file(lsp_client, root / "apps" / "shop" / "interfaces.py")
    relaxed = INTERFACE.replace("\n    def disconnect(self) -> None: ...\n", "\n").lstrip("\n")
    change_file(lsp_client, interface, relaxed, 2)
    toml = open_file(lsp_client, root / "config" / "spoc.toml")
    await wait_for_diagnostics(lsp_client, toml, lambda d: not spoc011(d) and len(d) == 0)
    assert await lens_titles(lsp_client, root / "apps" / "shop" / "interfaces.py") == [
        "2 plugins of 'database': 2 satisfy, 0 do not"
    ]
    change_file(lsp_client, interface, INTERFACE.lstrip("\n"), 3)
    found = await wait_for_diagnostics(lsp_client, toml, lambda d: bool(spoc011(d)))
    assert "missing 'disconnect'" in spoc011(found)[0]

    # Closed unsaved: the file on disk is the truth again (it asks for disconnect too).
    change_file(lsp_client, interface, relaxed, 4)
    await wait_for_diagnostics(lsp_client, toml, lambda d: not spoc011(d))
    lsp_client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=interface))
    )
    await wait_for_diagnostics(lsp_client, toml, lambda d: bool(spoc011(d)))


async def test_the_interface_class_changed_on_disk_rechecks_its_plugins(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(PROJECT)
    await initialize(lsp_client, root)
    toml = open_file(lsp_client, root / "config" / "spoc.toml")
    await wait_for_diagnostics(lsp_client, toml, lambda d: bool(spoc011(d)))
    path = root / "apps" / "shop" / "interfaces.py"
    relaxed = INTERFACE.replace("\n    def disconnect(self) -> None: ...\n", "\n").lstrip("\n")
    path.write_text(relaxed, encoding="utf-8")
    # No plugin URI reads the interface's file: only the interface verdicts do.
    lsp_client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await wait_for_diagnostics(lsp_client, toml, lambda d: not spoc011(d))
