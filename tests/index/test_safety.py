"""Nothing of the project runs: resolving, listing and hovering a module that writes a marker
file when imported never creates the marker."""

from __future__ import annotations

from pathlib import Path

from spoc_index_testlib import write_tree

from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Status
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath

WRITES_MARKER = (
    "import pathlib\npathlib.Path(__file__).with_name('MARKER').write_text('imported')\n"
)


def test_marker_module_is_never_executed(tmp_path: Path, interpreter_info: InterpreterInfo) -> None:
    write_tree(
        tmp_path,
        {
            "plug.py": WRITES_MARKER
            + 'def safe(x: int = 1) -> int:\n    """Say hi."""\n    return x\n',
            "pkg/__init__.py": WRITES_MARKER + "from .impl import *\n",
            "pkg/impl.py": WRITES_MARKER + "class Thing:\n    pass\n",
        },
    )
    resolver = Resolver(SearchPath.build(tmp_path, interpreter_info))
    plug = resolver.resolve("plug.safe")
    assert plug.status is Status.RESOLVED
    assert plug.symbol is not None
    assert plug.symbol.signature == "(x: int=1) -> int"
    assert plug.symbol.doc == "Say hi."
    assert resolver.resolve("pkg.Thing").status is Status.RESOLVED
    assert resolver.resolve("pkg.impl").status is Status.RESOLVED
    assert {child.name for child in resolver.children("pkg")} >= {"Thing", "impl"}
    assert "safe" in {child.name for child in resolver.children("plug")}
    top = resolver.children(None)
    assert {"plug", "pkg"} <= {child.name for child in top if child.is_project}
    assert not list(tmp_path.rglob("MARKER"))
    assert not list(tmp_path.rglob("__pycache__"))
