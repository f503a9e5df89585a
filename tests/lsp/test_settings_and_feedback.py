"""Settings, feedback and explanations, through the real server."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import codes, initialize, open_file, wait_for_diagnostics
from tests.lsp.test_server import shop

MakeProject = Callable[[Mapping[str, str]], Path]


async def test_file_watchers_are_registered_and_progress_is_reported(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    uri = (root / "config/spoc.toml").as_uri()
    # The workspace is checked on start, before any file is opened.
    await wait_for_diagnostics(lsp_client, uri, lambda d: "SPOC001" in codes(d))
    registrations = lsp_client.registrations  # type: ignore[attr-defined]
    (watchers,) = [r for r in registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    globs = sorted(w["globPattern"] for w in watchers.register_options["watchers"])
    assert globs == [
        "**/*.pth",
        "**/*.py",
        "**/*.pyi",
        "**/pyproject.toml",
        "**/pyvenv.cfg",
        "**/spoc.toml",
    ]
    reports = lsp_client.progress_reports["spoc-lsp-indexing"]
    for _ in range(100):  # the end report follows the diagnostics; give it a moment
        if isinstance(reports[-1], types.WorkDoneProgressEnd):
            break
        await asyncio.sleep(0.1)
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)


async def test_changing_extra_paths_rebuilds_the_search_path(
    lsp_client: LanguageClient, make_project: MakeProject, tmp_path: Path
) -> None:
    root = shop(make_project, settings='PLUGINS = {"hooks": ["vendored_lib.setup"]}\n')
    vendor = tmp_path / "vendor"
    (vendor / "vendored_lib").mkdir(parents=True)
    (vendor / "vendored_lib" / "__init__.py").write_text("def setup():\n    pass\n")
    await initialize(lsp_client, root, settings={})
    uri = open_file(lsp_client, root / "config/settings.py")
    await wait_for_diagnostics(lsp_client, uri, lambda d: "SPOC001" in codes(d))
    lsp_client.set_configuration({"spoc": {"extraPaths": [str(vendor)]}})
    lsp_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for_diagnostics(lsp_client, uri, lambda d: not d)


async def test_severity_setting_changes_and_silences_codes(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root, settings={"severity": {"SPOC001": "hint"}})
    uri = open_file(lsp_client, root / "config/spoc.toml")
    (diagnostic,) = await wait_for_diagnostics(lsp_client, uri, lambda d: bool(d))
    assert diagnostic.severity == types.DiagnosticSeverity.Hint
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.endswith("docs/rules/SPOC001.md")
    lsp_client.set_configuration({"spoc": {"severity": {"SPOC00": "off"}}})
    lsp_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for_diagnostics(lsp_client, uri, lambda d: not d)


async def test_inline_suppression_in_the_editor(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project, settings='PLUGINS = {"hooks": ["shopapp.hookz.x"]}  # spoc: ignore\n')
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/settings.py")
    await wait_for_diagnostics(lsp_client, uri, lambda d: not d)


async def test_hover_explains_unverifiable_and_unresolved_with_search_roots(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    settings = 'PLUGINS = {"hooks": ["shopapp.lazy.anything", "shopapp.hookz.x"]}\n'
    root = shop(make_project, settings=settings)
    (root / "apps/shopapp/lazy.py").write_text("def __getattr__(name):\n    return name\n")
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/settings.py")
    await wait_for_diagnostics(lsp_client, uri, lambda d: "SPOC001" in codes(d))

    async def hover_at(column: int) -> str:
        result = await lsp_client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=0, character=column),
            )
        )
        assert result is not None
        assert isinstance(result.contents, types.MarkupContent)
        return result.contents.value

    lazy = await hover_at(settings.index("lazy") + 1)
    assert "**unverifiable** `shopapp.lazy.anything`" in lazy
    assert "__getattr__" in lazy
    assert f"interpreter `{Path(sys.executable)}`" in lazy or "interpreter `" in lazy
    assert f"`{root / 'apps'}` (apps)" in lazy
    missing = await hover_at(settings.index("hookz") + 1)
    assert "**unresolved** `shopapp.hookz.x`" in missing
    assert "Searched, in order" in missing


async def test_show_environment_command(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root, settings={"runtimeCheck": "onSave"})
    result = await lsp_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="spoc.showEnvironment", arguments=[root.as_uri()])
    )
    assert "Search path (first match wins):" in result["text"]
    assert "runtimeCheck = 'onSave'" in result["text"]
    assert result["projects"][0]["search_path"][0]["origin"] == "apps"


async def test_marker_module_is_completed_hovered_and_diagnosed_without_running(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    settings = 'PLUGINS = {"hooks": ["shopapp.marker.loaded", "shopapp.marker.nope", "shopapp."]}\n'
    root = shop(make_project, settings=settings)
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/settings.py")
    diagnostics = await wait_for_diagnostics(lsp_client, uri, lambda d: "SPOC002" in codes(d))
    assert codes(diagnostics) == ["SPOC002", "SPOC003", "SPOC004"]
    completion = await lsp_client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=settings.index('shopapp."]') + 8),
        )
    )
    assert completion is not None
    items = completion.items if isinstance(completion, types.CompletionList) else completion
    assert "marker" in [item.label for item in items]
    hover = await lsp_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=settings.index("loaded")),
        )
    )
    assert hover is not None
    assert not (root / "apps/shopapp/MARKER").exists()
