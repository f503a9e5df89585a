"""Rename through a re-export, end to end over stdio: the real server answers one workspace
edit; applied to the files, it must leave the package importing and every URI of both config
files resolving, which a subprocess checks with the runtime's own importer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.analysis.runtime_imports import runtime_answers
from tests.lsp.support import apply_edits, initialize, open_file
from tests.lsp.test_code_features import check_clean, document, position

MakeProject = Callable[[Mapping[str, str]], Path]

PROJECT = {
    "config/spoc.toml": '[spoc.plugins]\nmiddleware = ["shop.Auth", "shop.timing.timer"]\n',
    "config/settings.py": 'PLUGINS = {\n    "hooks": ["shop.middleware.Auth", "shop.Auth"],\n}\n',
    "apps/shop/__init__.py": 'from .middleware import Auth\n\n__all__ = ["Auth"]\n',
    "apps/shop/middleware.py": (
        'class Auth:\n    """Checks tokens."""\n\n    def __call__(self, request):\n'
        "        return request\n"
    ),
    "apps/shop/timing.py": "def timer(request):\n    return request\n",
}


def apply_workspace_edit(root: Path, edit: types.WorkspaceEdit | None) -> list[str]:
    """Write the edit's changes to disk; the edited files, relative to ``root``."""
    assert edit is not None and edit.changes is not None
    for uri, edits in edit.changes.items():
        path = Path(uri.removeprefix("file://"))
        path.write_text(apply_edits(path.read_text("utf-8"), list(edits)), "utf-8")
    return sorted(str(Path(uri.removeprefix("file://")).relative_to(root)) for uri in edit.changes)


def assert_runs(root: Path, capsys: pytest.CaptureFixture[str], new_name: str) -> None:
    """Static check clean, and the runtime imports the package and resolves every URI."""
    check_clean(root, capsys)
    assert runtime_answers(root, "shop") == {
        "shop": "imported",
        f"shop.{new_name}": new_name,
        "shop.timing.timer": "timer",
        f"shop.middleware.{new_name}": new_name,
    }


async def test_rename_in_the_defining_module_rewrites_the_re_export_and_both_configs(
    lsp_client: LanguageClient, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(PROJECT)
    await initialize(lsp_client, root)
    middleware = root / "apps/shop/middleware.py"
    open_file(lsp_client, middleware)
    cursor = position(middleware, "class Auth", len("class Au"))
    prepared = await lsp_client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document(middleware), position=cursor)
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "Auth"
    edit = await lsp_client.text_document_rename_async(
        types.RenameParams(text_document=document(middleware), position=cursor, new_name="Guard")
    )
    assert apply_workspace_edit(root, edit) == [
        "apps/shop/__init__.py",
        "apps/shop/middleware.py",
        "config/settings.py",
        "config/spoc.toml",
    ]
    assert (root / "apps/shop/__init__.py").read_text() == (
        'from .middleware import Guard\n\n__all__ = ["Guard"]\n'
    )
    assert_runs(root, capsys, "Guard")


@pytest.mark.parametrize(
    ("config", "needle"),
    [("config/spoc.toml", '"shop.Auth"'), ("config/settings.py", '"shop.Auth"')],
)
async def test_rename_from_a_uri_segment_in_a_config_file(
    lsp_client: LanguageClient,
    make_project: MakeProject,
    capsys: pytest.CaptureFixture[str],
    config: str,
    needle: str,
) -> None:
    root = make_project(PROJECT)
    await initialize(lsp_client, root)
    path = root / config
    open_file(lsp_client, path)
    cursor = position(path, needle, len('"shop.A'))
    prepared = await lsp_client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document(path), position=cursor)
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "Auth"
    assert prepared.range.start == position(path, needle, len('"shop.'))
    edit = await lsp_client.text_document_rename_async(
        types.RenameParams(text_document=document(path), position=cursor, new_name="Gatekeeper")
    )
    assert len(apply_workspace_edit(root, edit)) == 4
    assert "class Gatekeeper:" in (root / "apps/shop/middleware.py").read_text()
    assert_runs(root, capsys, "Gatekeeper")


async def test_a_star_import_without_all_is_refused_with_the_reason(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project({**PROJECT, "apps/shop/__init__.py": "from .middleware import *\n"})
    await initialize(lsp_client, root)
    middleware = root / "apps/shop/middleware.py"
    open_file(lsp_client, middleware)
    with pytest.raises(JsonRpcException) as refused:
        await lsp_client.text_document_prepare_rename_async(
            types.PrepareRenameParams(
                text_document=document(middleware), position=position(middleware, "Auth", 1)
            )
        )
    assert "apps/shop/middleware.py has no __all__" in str(refused.value)
    assert (root / "apps/shop/__init__.py").read_text() == "from .middleware import *\n"


async def test_uris_written_with_escapes_are_rewritten_where_they_are_spelled(
    lsp_client: LanguageClient, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    # `\u0041` is "A" in both files: the edit must cover the escape, not the raw columns.
    files = {
        **PROJECT,
        "config/spoc.toml": (
            '[spoc.plugins]\nmiddleware = ["shop.\\u0041uth", "shop.timing.timer"]\n'
        ),
        "config/settings.py": 'PLUGINS = {\n    "hooks": ["shop.middleware.\\u0041uth"],\n}\n',
    }
    root = make_project(files)
    await initialize(lsp_client, root)
    middleware = root / "apps/shop/middleware.py"
    open_file(lsp_client, middleware)
    edit = await lsp_client.text_document_rename_async(
        types.RenameParams(
            text_document=document(middleware),
            position=position(middleware, "class Auth", len("class A")),
            new_name="Guard",
        )
    )
    assert len(apply_workspace_edit(root, edit)) == 4
    assert '"shop.Guard"' in (root / "config/spoc.toml").read_text()
    assert '"shop.middleware.Guard"' in (root / "config/settings.py").read_text()
    assert_runs(root, capsys, "Guard")
