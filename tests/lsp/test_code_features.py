"""Beyond the config files, end to end over stdio: code lenses and references from plugin code,
rename of a plugin symbol (from its file or from a URI) and URI updates when a module moves."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from spoc_lsp.cli import main as cli
from tests.lsp.support import apply_edits, initialize, open_file, wait_for_diagnostics

MakeProject = Callable[[Mapping[str, str]], Path]

AUTH = '''
import os


class Auth:
    """Checks tokens."""

    def __call__(self, request):
        return request


def helper():
    return os.sep
'''

RE_EXPORTED = {
    "config/spoc.toml": '[spoc.plugins]\nmiddleware = ["shop.timing.timer", "shop.auth.Auth"]\n',
    "config/settings.py": 'PLUGINS = {\n    "hooks": ["shop.Auth"],\n}\n',
    "apps/shop/__init__.py": "from .auth import Auth\n",
    "apps/shop/auth.py": AUTH,
    "apps/shop/timing.py": "def timer(request):\n    return request\n",
}

# The group name holds a character outside the BMP: UTF-16 columns differ from code points.
DIRECT = {
    "config/spoc.toml": '[spoc.plugins]\nmiddleware = ["shop.auth.Auth", "shop.timing.timer"]\n',
    "config/settings.py": 'PLUGINS = {"🎉": ["shop.auth.Auth"], "hooks": ["shop.auth.helper"]}\n',
    "apps/shop/__init__.py": "",
    "apps/shop/auth.py": AUTH,
    "apps/shop/timing.py": "def timer(request):\n    return request\n",
}


def position(path: Path, needle: str, offset: int = 0) -> types.Position:
    """The UTF-16 position of ``needle`` (plus ``offset`` characters) in a file."""
    text = path.read_text("utf-8")
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    prefix = text[line_start:index]
    return types.Position(line=line, character=len(prefix.encode("utf-16-le")) // 2)


def document(path: Path) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=path.as_uri())


def check_clean(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``spoc-lsp check`` on the project: exit status 0 (no errors)."""
    capsys.readouterr()
    status = cli(["check", str(root), "--python", sys.executable])
    assert status == 0, capsys.readouterr().out


def apply_workspace_edit(edit: types.WorkspaceEdit | None) -> set[str]:
    """Apply a workspace edit's changes to the files on disk; the names of the files edited."""
    assert edit is not None and edit.changes is not None
    for uri, edits in edit.changes.items():
        path = Path(uri.removeprefix("file://"))
        path.write_text(apply_edits(path.read_text("utf-8"), list(edits)), "utf-8")
    return {Path(uri).name for uri in edit.changes}


async def test_code_lens_and_references_from_a_plugin_class(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(RE_EXPORTED)
    await initialize(lsp_client, root)
    auth = root / "apps/shop/auth.py"
    auth_uri = open_file(lsp_client, auth)
    toml_uri = open_file(lsp_client, root / "config/spoc.toml")

    lenses = await lsp_client.text_document_code_lens_async(
        types.CodeLensParams(text_document=document(auth))
    )
    assert lenses is not None
    assert [(lens.range.start.line, lens.command and lens.command.title) for lens in lenses] == [
        (3, "plugin in middleware #2, hooks #1")
    ]
    command = lenses[0].command
    assert command is not None
    assert (command.command, list(command.arguments or [])) == ("spoc.showPlugins", [auth_uri])
    shown = await lsp_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    assert shown is not None
    assert "shop.auth.Auth" in shown["text"]

    found = await lsp_client.text_document_references_async(
        types.ReferenceParams(
            text_document=document(auth),
            position=position(auth, "Auth:", 1),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert found is not None
    assert [
        (Path(loc.uri).name, loc.range.start.line, loc.range.start.character) for loc in found
    ] == [
        ("auth.py", 3, 6),
        ("spoc.toml", 1, 36),
        ("settings.py", 1, 15),
    ]

    # From the URI in the settings module: the same entries, through the re-export.
    settings = root / "config/settings.py"
    from_uri = await lsp_client.text_document_references_async(
        types.ReferenceParams(
            text_document=document(settings),
            position=position(settings, "shop.Auth", 2),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert from_uri is not None
    assert [(Path(loc.uri).name, loc.range.start.line) for loc in from_uri] == [
        ("spoc.toml", 1),
        ("settings.py", 1),
    ]
    # Nothing is published for the Python file itself.
    await wait_for_diagnostics(lsp_client, toml_uri)
    assert auth_uri not in lsp_client.diagnostics


async def test_no_lens_for_a_file_outside_any_project(
    lsp_client: LanguageClient, make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project(RE_EXPORTED)
    await initialize(lsp_client, root)
    stray = tmp_path / "stray.py"
    stray.write_text("class Auth:\n    pass\n")
    open_file(lsp_client, stray)
    lenses = await lsp_client.text_document_code_lens_async(
        types.CodeLensParams(text_document=document(stray))
    )
    assert not lenses


async def test_rename_a_class_rewrites_both_config_files_and_checks_clean(
    lsp_client: LanguageClient, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(DIRECT)
    await initialize(lsp_client, root)
    auth = root / "apps/shop/auth.py"
    open_file(lsp_client, auth)
    cursor = position(auth, "class Auth", 8)
    prepared = await lsp_client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document(auth), position=cursor)
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "Auth"
    assert (prepared.range.start.line, prepared.range.start.character) == (3, 6)
    edit = await lsp_client.text_document_rename_async(
        types.RenameParams(text_document=document(auth), position=cursor, new_name="Gatekeeper")
    )
    assert apply_workspace_edit(edit) == {"auth.py", "spoc.toml", "settings.py"}
    assert "class Gatekeeper:" in auth.read_text()
    settings = (root / "config/settings.py").read_text()
    assert settings == (
        'PLUGINS = {"🎉": ["shop.auth.Gatekeeper"], "hooks": ["shop.auth.helper"]}\n'
    )
    assert '"shop.auth.Gatekeeper"' in (root / "config/spoc.toml").read_text()
    check_clean(root, capsys)


async def test_rename_from_a_uri_segment(
    lsp_client: LanguageClient, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(DIRECT)
    await initialize(lsp_client, root)
    settings = root / "config/settings.py"
    open_file(lsp_client, settings)
    cursor = position(settings, "shop.auth.Auth", len("shop.auth.Au"))
    prepared = await lsp_client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document(settings), position=cursor)
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    start = position(settings, "shop.auth.Auth", len("shop.auth."))
    assert prepared.range.start == start
    assert prepared.range.end.character == start.character + len("Auth")
    edit = await lsp_client.text_document_rename_async(
        types.RenameParams(text_document=document(settings), position=cursor, new_name="Guard")
    )
    assert apply_workspace_edit(edit) == {"auth.py", "spoc.toml", "settings.py"}
    check_clean(root, capsys)

    # A module segment is not renamed here: moving the file is the way.
    with pytest.raises(JsonRpcException, match=re.escape("names the module 'shop.auth'")):
        await lsp_client.text_document_prepare_rename_async(
            types.PrepareRenameParams(
                text_document=document(settings), position=position(settings, "auth.helper", 1)
            )
        )


async def test_moving_a_module_rewrites_the_uris_and_checks_clean(
    lsp_client: LanguageClient, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(DIRECT)
    await initialize(lsp_client, root)
    old = root / "apps/shop/auth.py"
    new = root / "apps/shop/login.py"
    edit = await lsp_client.workspace_will_rename_files_async(
        types.RenameFilesParams(
            files=[types.FileRename(old_uri=old.as_uri(), new_uri=new.as_uri())]
        )
    )
    assert apply_workspace_edit(edit) == {"spoc.toml", "settings.py"}
    shutil.move(old, new)
    assert "shop.auth." not in (root / "config/settings.py").read_text()
    assert '"shop.login.Auth"' in (root / "config/spoc.toml").read_text()
    check_clean(root, capsys)


async def test_moving_a_package_folder(
    lsp_client: LanguageClient, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(DIRECT)
    await initialize(lsp_client, root)
    old, new = root / "apps/shop", root / "apps/store"
    edit = await lsp_client.workspace_will_rename_files_async(
        types.RenameFilesParams(
            files=[types.FileRename(old_uri=old.as_uri(), new_uri=new.as_uri())]
        )
    )
    apply_workspace_edit(edit)
    shutil.move(old, new)
    assert "shop" not in (root / "config/spoc.toml").read_text()
    check_clean(root, capsys)


async def test_will_rename_is_announced_for_python_files_and_folders(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(DIRECT)
    result = await initialize(lsp_client, root)
    workspace = result.capabilities.workspace
    assert workspace is not None and workspace.file_operations is not None
    will_rename = workspace.file_operations.will_rename
    assert will_rename is not None
    assert {(f.pattern.glob, f.pattern.matches) for f in will_rename.filters} == {
        ("**/*.py", types.FileOperationPatternKind.File),
        ("**/*", types.FileOperationPatternKind.Folder),
    }
    assert result.capabilities.code_lens_provider is not None
    assert result.capabilities.references_provider


@pytest.mark.parametrize(
    ("extra", "needle", "message"),
    [
        (
            "\nDEFAULT = Auth()\n",
            "class Auth",
            "'Auth' is also used elsewhere in apps/shop/auth.py (line 14); rename it with your "
            "Python language server first",
        ),
        ("\ndef unused():\n    pass\n", "def unused", "'unused' is not a plugin"),
    ],
)
async def test_prepare_rename_refusals_carry_a_message(
    lsp_client: LanguageClient,
    make_project: MakeProject,
    extra: str,
    needle: str,
    message: str,
) -> None:
    root = make_project({**DIRECT, "apps/shop/auth.py": AUTH + extra})
    await initialize(lsp_client, root)
    auth = root / "apps/shop/auth.py"
    open_file(lsp_client, auth)
    cursor = position(auth, needle, len(needle) - 1)
    with pytest.raises(JsonRpcException) as refused:
        await lsp_client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=document(auth), position=cursor)
        )
    assert message in str(refused.value)
    # Nowhere near a symbol: nothing to rename, and no error.
    nothing = await lsp_client.text_document_prepare_rename_async(
        types.PrepareRenameParams(
            text_document=document(auth), position=position(auth, "os.sep", 3)
        )
    )
    assert nothing is None
