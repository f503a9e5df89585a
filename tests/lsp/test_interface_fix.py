"""SPOC011 through the real server: the diagnostic on the plugin entry, and its quick fix, a
workspace edit of the plugin's module that adds the missing method stubs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from pytest_lsp import LanguageClient

from spoc_lsp.analysis.analyze import analyze
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.index.resolver import open_resolver
from tests.lsp.support import (
    apply_edits,
    codes,
    first_quick_fix,
    initialize,
    open_file,
    wait_for_diagnostics,
)

MakeProject = Callable[[Mapping[str, str]], Path]

FILES = {
    "config/spoc.toml": (
        '[spoc]\nmode = "development"\n\n[spoc.plugins]\ndatabase = ["shopapp.db.Backend"]\n\n'
        '[spoc.interfaces]\ndatabase = "shopapp.contracts.Database"\n'
    ),
    "apps/shopapp/__init__.py": "",
    "apps/shopapp/contracts.py": (
        "from typing import Protocol\n\n\nclass Database(Protocol):\n"
        "    def connect(self, url: str) -> None: ...\n\n"
        "    def close(self) -> None: ...\n"
    ),
    "apps/shopapp/db.py": "class Backend:\n    def close(self):\n        pass\n",
}


async def test_spoc011_and_its_stub_fix_end_to_end(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = make_project(FILES)
    await initialize(lsp_client, root)
    uri = open_file(lsp_client, root / "config/spoc.toml")
    diagnostics = await wait_for_diagnostics(lsp_client, uri, lambda d: bool(d))
    assert codes(diagnostics) == ["SPOC011"]
    assert diagnostics[0].message == (
        "'shopapp.db.Backend' does not satisfy 'Database' of group 'database': missing 'connect'"
    )
    fix = await first_quick_fix(lsp_client, uri, diagnostics)
    assert fix.title == "Add stubs for 'connect' of 'Database'"
    assert fix.edit is not None and fix.edit.changes is not None
    module = root / "apps/shopapp/db.py"
    [changed] = fix.edit.changes
    assert changed == module.as_uri()
    module.write_text(apply_edits(module.read_text(), fix.edit.changes[changed]))
    assert "    def connect(self, url):\n        raise NotImplementedError" in module.read_text()
    analysis = analyze(take_snapshot(root), open_resolver(root, Path(sys.executable), cache=False))
    assert [d for d in analysis.all_diagnostics() if d.code == "SPOC011"] == []
