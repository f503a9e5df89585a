"""The real server over stdio: every feature of CONTRACT §4, end to end."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import (
    apply_edits,
    change_file,
    codes,
    first_quick_fix,
    initialize,
    open_file,
    wait_for_diagnostics,
)

MakeProject = Callable[[Mapping[str, str]], Path]

TOML = """
[spoc]
mode = "development"

[spoc.plugins]
middleware = [
    "shopapp.middleware.auth.auth",
    "shopapp.midleware.cors",
]
hooks = ["shopapp.hooks.startup", "shopapp.marker.loaded"]
"""

SETTINGS = """
PLUGINS = {
    "middleware": ["shopapp.middleware.timing"],
    "database": ["shopapp.db.Backend"],
}
"""

MODULES = {
    "apps/shopapp/__init__.py": '"""The shop app."""\n',
    "apps/shopapp/middleware/__init__.py": "",
    "apps/shopapp/middleware/auth.py": (
        'def auth(request):\n    """Check the token.\n\n    More.\n    """\n    return request\n'
    ),
    "apps/shopapp/middleware/cors.py": "def handle_cors(request):\n    return request\n",
    "apps/shopapp/middleware/timing.py": "def timing(request):\n    return request\n",
    "apps/shopapp/hooks.py": "def startup():\n    pass\n\ndef shutdown():\n    pass\n",
    "apps/shopapp/db.py": 'class Backend:\n    """A database backend."""\n',
    "apps/shopapp/marker.py": (
        "import pathlib\n"
        "pathlib.Path(__file__).with_name('MARKER').write_text('ran')\n"
        "loaded = True\n"
    ),
}


def shop(make_project: MakeProject, toml: str = TOML, settings: str = SETTINGS) -> Path:
    return make_project({"config/spoc.toml": toml, "config/settings.py": settings, **MODULES})


async def test_diagnostics_on_open_point_at_the_missing_segment(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/spoc.toml")
    diagnostics = await wait_for_diagnostics(lsp_client, uri, lambda d: bool(d))
    assert codes(diagnostics) == ["SPOC001"]
    (only,) = diagnostics
    assert only.source == "spoc"
    assert only.range.start == types.Position(line=6, character=13)
    assert only.range.end == types.Position(line=6, character=22)
    assert "did you mean 'middleware'?" in only.message
    assert not (root / "apps/shopapp/MARKER").exists()


async def test_quick_fix_applied_yields_a_clean_file(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    path = root / "config/spoc.toml"
    uri = open_file(lsp_client, path)
    diagnostics = await wait_for_diagnostics(lsp_client, uri, lambda d: bool(d))
    fix = await first_quick_fix(lsp_client, uri, diagnostics)
    assert fix.title == "Change 'midleware' to 'middleware'"
    assert fix.edit is not None and fix.edit.changes is not None
    fixed = apply_edits(path.read_text(), fix.edit.changes[uri])
    change_file(lsp_client, uri, fixed, 2)
    await wait_for_diagnostics(lsp_client, uri, lambda d: not d)


async def test_duplicate_across_files_updates_when_the_other_file_changes(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    toml_path = root / "config/spoc.toml"
    toml_uri = open_file(lsp_client, toml_path)
    settings_uri = open_file(lsp_client, root / "config/settings.py")
    await wait_for_diagnostics(lsp_client, settings_uri, lambda d: not d)
    # List the settings' URI in spoc.toml too: now the settings entry is the ignored duplicate.
    edited = toml_path.read_text().replace(
        '"shopapp.midleware.cors",', '"shopapp.middleware.cors",\n    "shopapp.middleware.timing",'
    )
    change_file(lsp_client, toml_uri, edited, 2)
    diagnostics = await wait_for_diagnostics(lsp_client, settings_uri, lambda d: bool(d))
    assert codes(diagnostics) == ["SPOC004"]
    assert "config/spoc.toml:8" in diagnostics[0].message
    await wait_for_diagnostics(lsp_client, toml_uri, lambda d: not d)
    # The quick fix removes the duplicate, leaving valid Python.
    actions = await lsp_client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=settings_uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    assert actions and isinstance(actions[0], types.CodeAction)
    assert actions[0].edit is not None and actions[0].edit.changes is not None
    fixed = apply_edits(
        (root / "config/settings.py").read_text(), actions[0].edit.changes[settings_uri]
    )
    assert '"middleware": [],' in fixed
    compile(fixed, "settings.py", "exec")


async def test_module_created_on_disk_clears_spoc001(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project, settings='PLUGINS = {"hooks": ["shopapp.cleanup.run"]}\n')
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/settings.py")
    diagnostics = await wait_for_diagnostics(lsp_client, uri, lambda d: "SPOC001" in codes(d))
    assert "cleanup" in diagnostics[0].message
    new_module = root / "apps/shopapp/cleanup.py"
    new_module.write_text("def run():\n    pass\n")
    lsp_client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=new_module.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    await wait_for_diagnostics(lsp_client, uri, lambda d: not d)


async def _complete_in_half_typed_settings(
    client: LanguageClient, root: Path
) -> types.CompletionList | list[types.CompletionItem] | None:
    """Completion at the end of ``"shopapp.middleware.ti`` in a settings module whose string
    is not terminated."""
    uri = open_file(client, root / "config/settings.py")
    broken = 'PLUGINS = {\n    "middleware": ["shopapp.middleware.ti\n'
    change_file(client, uri, broken, 2)
    return await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(
                line=1, character=len('    "middleware": ["shopapp.middleware.ti')
            ),
        )
    )


async def test_completion_inside_an_unterminated_string(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    result = await _complete_in_half_typed_settings(lsp_client, root)
    assert result is not None
    items = result.items if isinstance(result, types.CompletionList) else result
    labels = [item.label for item in items]
    assert "timing" in labels and "auth" in labels
    timing = next(item for item in items if item.label == "timing")
    assert timing.kind == types.CompletionItemKind.Module
    assert isinstance(timing.text_edit, types.TextEdit)
    assert timing.text_edit.range.start == types.Position(line=1, character=39)
    assert timing.text_edit.range.end == types.Position(line=1, character=41)
    resolved = await lsp_client.completion_item_resolve_async(timing)
    assert resolved.documentation is not None


async def test_completion_sends_the_shared_edit_range_once_to_a_client_that_takes_it(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    """Neovim declares ``completionList.itemDefaults`` with ``editRange``: the range of the
    segment being typed comes once, as the list's default, and no item repeats it."""
    root = shop(make_project)
    await initialize(lsp_client, root, capabilities="neovim")
    result = await _complete_in_half_typed_settings(lsp_client, root)
    assert isinstance(result, types.CompletionList)
    assert result.item_defaults is not None
    default = result.item_defaults.edit_range
    assert default == types.Range(
        start=types.Position(line=1, character=39), end=types.Position(line=1, character=41)
    )
    assert {"timing", "auth"} <= {item.label for item in result.items}
    assert all(item.text_edit is None for item in result.items)


async def test_completion_of_top_level_lists_project_modules_first(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    path = root / "config/spoc.toml"
    uri = open_file(lsp_client, path)
    text = path.read_text().replace(
        'hooks = ["shopapp.hooks.startup"', 'hooks = ["sh", "shopapp.hooks.startup"'
    )
    change_file(lsp_client, uri, text, 2)
    line = next(i for i, row in enumerate(text.splitlines()) if row.startswith("hooks"))
    result = await lsp_client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=len('hooks = ["sh')),
        )
    )
    assert result is not None
    items = result.items if isinstance(result, types.CompletionList) else result
    ordered = sorted(items, key=lambda item: item.sort_text or item.label)
    assert ordered[0].label == "shopapp"
    assert any(item.label == "json" for item in items)  # the environment's modules too


async def test_hover_shows_the_object_and_the_merged_group(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/spoc.toml")
    await wait_for_diagnostics(lsp_client, uri, lambda d: bool(d))
    result = await lsp_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=5, character=20),
        )
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    text = result.contents.value
    assert "**function** `shopapp.middleware.auth.auth`" in text
    assert "def auth(request)" in text
    assert "Check the token." in text and "More." not in text
    assert "auth.py:1" in text
    assert "1. **`shopapp.middleware.auth.auth`**" in text and "← this entry" in text
    assert "3. `shopapp.middleware.timing` (settings, config/settings.py:2)" in text
    assert not (root / "apps/shopapp/MARKER").exists()


async def test_go_to_definition_of_a_segment_and_of_the_object(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/settings.py")
    await wait_for_diagnostics(lsp_client, uri)
    line = '    "database": ["shopapp.db.Backend"],'
    object_target = await lsp_client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=line.index("Backend") + 2),
        )
    )
    assert isinstance(object_target, types.Location)
    assert object_target.uri == (root / "apps/shopapp/db.py").as_uri()
    assert object_target.range.start.line == 0
    module_target = await lsp_client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=line.index("shopapp") + 1),
        )
    )
    assert isinstance(module_target, types.Location)
    assert module_target.uri == (root / "apps/shopapp/__init__.py").as_uri()


async def test_inlay_hints_give_the_merged_position(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/settings.py")
    await wait_for_diagnostics(lsp_client, uri)
    hints = await lsp_client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=10, character=0)
            ),
        )
    )
    assert hints is not None
    labels = [(hint.position.line, hint.label) for hint in hints]
    assert labels == [(1, "#3/3"), (2, "#1/1")]


async def test_emoji_before_a_uri_does_not_shift_ranges(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(
        make_project, settings='PLUGINS = {"hooks": [  # 🎉🎉\n"😀", "shopapp.hookz.startup"]}\n'
    )
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/settings.py")
    diagnostics = await wait_for_diagnostics(lsp_client, uri, lambda d: "SPOC001" in codes(d))
    spoc001 = next(d for d in diagnostics if d.code == "SPOC001")
    # '"😀", "' is 4 code points but 5 UTF-16 units before the URI.
    assert spoc001.range.start == types.Position(line=1, character=7 + 8)
    assert spoc001.range.end == types.Position(line=1, character=7 + 13)


async def test_utf8_positions_when_negotiated(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project, settings='PLUGINS = {"hooks": ["😀", "shopapp.hookz.startup"]}\n')
    result = await initialize(lsp_client, root, encodings=["utf-8"])
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    uri = open_file(lsp_client, root / "config/settings.py")
    diagnostics = await wait_for_diagnostics(lsp_client, uri, lambda d: "SPOC001" in codes(d))
    spoc001 = next(d for d in diagnostics if d.code == "SPOC001")
    prefix = 'PLUGINS = {"hooks": ["😀", "shopapp.'
    assert spoc001.range.start.character == len(prefix.encode("utf-8"))


async def test_files_outside_a_project_config_get_nothing(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    pyproject = root / "pyproject.toml"
    pyproject.write_text('[tool.spoc]\nplugins = ["nope.nothing"]\n')
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, pyproject)
    hover = await lsp_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=14),
        )
    )
    assert hover is None
    assert uri not in lsp_client.diagnostics


async def test_show_plugins_command_returns_the_plan(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    result = await lsp_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="spoc.showPlugins", arguments=[root.as_uri()])
    )
    assert result["projects"][0]["plugins"]["middleware"][2]["uri"] == "shopapp.middleware.timing"
    assert "[middleware]" in result["text"]


async def test_bad_requests_never_kill_the_server(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root, settings={"extraPaths": "not-a-list", "runtimeCheck": 3})
    unknown = (root / "config/nothing.toml").as_uri()
    assert (
        await lsp_client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=unknown),
                position=types.Position(line=0, character=0),
            )
        )
        is None
    )
    uri = open_file(lsp_client, root / "config/spoc.toml")
    far = await lsp_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=999, character=999),
        )
    )
    assert far is None
    assert any("extraPaths" in message.message for message in lsp_client.log_messages)
    # Still alive and answering.
    await wait_for_diagnostics(lsp_client, uri, lambda d: bool(d))
    assert not [m for m in lsp_client.log_messages if "failed:" in m.message]


@pytest.mark.parametrize("setting", [False])
async def test_inlay_hints_setting_off(
    lsp_client: LanguageClient, make_project: MakeProject, setting: bool
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root, settings={"inlayHints": setting})
    uri = open_file(lsp_client, root / "config/settings.py")
    await wait_for_diagnostics(lsp_client, uri)
    hints = await lsp_client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=10, character=0)
            ),
        )
    )
    assert not hints


async def test_runtime_check_on_save_reports_spoc008(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project, settings='PLUGINS = {"hooks": ["shopapp.exploding.hook"]}\n')
    (root / "apps/shopapp/exploding.py").write_text(
        "raise RuntimeError('DATABASE_URL is not set')\nhook = 1\n"
    )
    await initialize(lsp_client, root, settings={"runtimeCheck": "onSave"})
    uri = open_file(lsp_client, root / "config/settings.py")
    await wait_for_diagnostics(lsp_client, uri, lambda d: "SPOC008" not in codes(d))
    lsp_client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    diagnostics = await wait_for_diagnostics(lsp_client, uri, lambda d: "SPOC008" in codes(d))
    spoc008 = next(d for d in diagnostics if d.code == "SPOC008")
    assert "RuntimeError" in spoc008.message and "DATABASE_URL is not set" in spoc008.message
