"""Positions through the real server: UTF-16 columns in other files, and squiggles that follow
the parser's map of an escaped URI."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import initialize, open_file, wait_for_diagnostics

MakeProject = Callable[[Mapping[str, str]], Path]

# U+1F600 is one code point and two UTF-16 units: "ready" is at code point 12, UTF-16 unit 13.
FLAGS = 'note = "\U0001f600"; ready = True\n'


async def test_definition_in_another_file_is_in_utf16_units(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(
        {
            "config/spoc.toml": '[spoc.plugins]\nhooks = ["shopapp.flags.ready"]\n',
            "apps/shopapp/__init__.py": "",
            "apps/shopapp/flags.py": FLAGS,
        }
    )
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/spoc.toml")
    await wait_for_diagnostics(lsp_client, uri)
    target = await lsp_client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=len('hooks = ["shopapp.flags.re')),
        )
    )
    assert isinstance(target, types.Location)
    assert target.uri == (root / "apps/shopapp/flags.py").as_uri()
    assert target.range.start == types.Position(line=0, character=13)


async def test_a_missing_name_written_with_an_escape_is_underlined_exactly(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    toml = '[spoc.plugins]\nhooks = ["shopapp.flags.r\\u0065adz"]\n'
    root = make_project(
        {
            "config/spoc.toml": toml,
            "apps/shopapp/__init__.py": "",
            "apps/shopapp/flags.py": FLAGS,
        }
    )
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/spoc.toml")
    (diagnostic,) = await wait_for_diagnostics(lsp_client, uri, lambda d: bool(d))
    assert diagnostic.code == "SPOC002"
    line = toml.splitlines()[1]
    start = line.index("r\\u0065adz")
    assert diagnostic.range.start == types.Position(line=1, character=start)
    assert diagnostic.range.end == types.Position(line=1, character=start + len("r\\u0065adz"))
