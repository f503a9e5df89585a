"""Static reading of .pth files and setuptools editable finder modules."""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.index.editable import read_editable_finder
from spoc_lsp.index.pth import editable_hook_module, read_pth


def test_read_pth(tmp_path: Path) -> None:
    pth = tmp_path / "x.pth"
    pth.write_text("# comment\n\n  \nsome/dir  \nimport os; os.system('x')\nimport\tsys\n")
    lines = read_pth(pth)
    assert [(line.kind, line.text) for line in lines] == [
        ("path", "some/dir"),
        ("import", "import os; os.system('x')"),
        ("import", "import\tsys"),
    ]
    assert read_pth(tmp_path / "missing.pth") == []


def test_editable_hook_shape() -> None:
    line = "import __editable___pkg_1_0_finder; __editable___pkg_1_0_finder.install()"
    assert editable_hook_module(line) == "__editable___pkg_1_0_finder"
    assert (
        editable_hook_module("import __editable___a_finder; __editable___b_finder.install()")
        is None
    )
    assert editable_hook_module("import os; os.system('rm')") is None


def test_read_editable_finder(tmp_path: Path) -> None:
    source = tmp_path / "__editable___pkg_finder.py"
    source.write_text(
        "import sys\n"
        "MAPPING: dict[str, str] = {'pkg': '/src/pkg', 'mod': '/src/mod.py'}\n"
        "NAMESPACES = {'ns': ['/src/ns'], 'empty': []}\n"
        "PATH_PLACEHOLDER = '__editable__.pkg.finder' + '.__path_hook__'\n"
        "def install():\n    raise SystemExit('never run')\n"
    )
    finder = read_editable_finder(source, "__editable___pkg_finder", tmp_path / "x.pth")
    assert finder is not None
    assert finder.target("pkg") == Path("/src/pkg")
    assert finder.target("mod") == Path("/src/mod.py")
    assert finder.namespace("ns") == (Path("/src/ns"),)
    assert finder.namespace("empty") == ()
    assert finder.placeholder == "__editable__.pkg.finder.__path_hook__"
    garbage = tmp_path / "bad.py"
    garbage.write_text("MAPPING = compute()\n")
    assert read_editable_finder(garbage, "bad", tmp_path / "x.pth") is None
