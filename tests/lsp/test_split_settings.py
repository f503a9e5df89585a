"""Split settings through the real server: ``config/settings/__init__.py`` does
``from .base import *``; ``base.py`` is served as a settings file because it contributes, and
an edit in either file updates the diagnostics of both."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import change_file, initialize, open_file, wait_for_diagnostics

MakeProject = Callable[[Mapping[str, str]], Path]

FILES = {
    "config/spoc.toml": '[spoc]\nmode = "development"\n',
    "core/__init__.py": "",
    "core/hooks.py": "def a():\n    pass\n\n\ndef b():\n    pass\n",
    "config/settings/__init__.py": (
        'from .base import *\nPLUGINS["hooks"].append("core.hooks.a")\n'
        'PLUGINS["extra"] = ["core.hooks.typo5"]\n'
    ),
    "config/settings/base.py": 'PLUGINS = {"hooks": ["core.hooks.a", "core.hooks.typo4"]}\n',
}


def _summary(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int]]:
    return sorted((str(d.code), d.range.start.line) for d in diagnostics)


async def test_base_is_served_and_edits_update_both_files(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(FILES)
    await initialize(lsp_client, root)
    init = open_file(lsp_client, root / "config/settings/__init__.py")
    base_path = root / "config/settings/base.py"
    base = base_path.as_uri()
    found = await wait_for_diagnostics(lsp_client, init, lambda d: len(d) == 2)
    assert _summary(found) == [("SPOC002", 2), ("SPOC004", 1)]  # typo5; "a" listed in base
    on_base = await wait_for_diagnostics(lsp_client, base, lambda d: bool(d))
    assert _summary(on_base) == [("SPOC002", 0)]  # typo4, published where it is written
    assert on_base[0].range.start.character == FILES["config/settings/base.py"].index("typo4")

    open_file(lsp_client, base_path)
    change_file(lsp_client, base, 'PLUGINS = {"hooks": ["core.hooks.b"]}\n', 2)
    await wait_for_diagnostics(lsp_client, base, lambda d: not d)
    after = await wait_for_diagnostics(lsp_client, init, lambda d: len(d) == 1)
    assert _summary(after) == [("SPOC002", 2)]  # no longer a duplicate of base's entry

    hover = await lsp_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=base),
            position=types.Position(line=0, character=25),
        )
    )
    assert hover is not None
    assert "core.hooks.b" in str(hover.contents)

    typing = 'PLUGINS = {"hooks": ["core.hooks."]}\n'
    change_file(lsp_client, base, typing, 3)
    completion = await lsp_client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=base),
            position=types.Position(line=0, character=typing.index('hooks."') + 6),
        )
    )
    assert completion is not None
    items = completion.items if isinstance(completion, types.CompletionList) else completion
    assert {"a", "b"} <= {item.label for item in items}
