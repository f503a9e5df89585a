"""The interface verdicts told in the editor, from a real static analysis without a client:
a plugin's hover line, the count in the hover of an interface value, and the code lens on the
interface class."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from spoc_lsp.analysis.analyze import ProjectAnalysis, analyze
from spoc_lsp.analysis.hover import hover
from spoc_lsp.analysis.interface_report import interface_lenses
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.index.resolver import open_resolver
from spoc_lsp.syntax.model import Position

TOML = """
[spoc.interfaces]
database = "contracts.Backend"
middleware = "callable"

[spoc.plugins]
database = ["plugs.Good", "plugs.Bad", "plugs.Dynamic"]
middleware = ["plugs.mw"]
"""

CONTRACTS = """
from typing import Protocol


class Backend(Protocol):
    def connect(self, url: str) -> None: ...

    def disconnect(self) -> None: ...
"""

PLUGS = """
class Good:
    def connect(self, url):
        pass

    def disconnect(self):
        pass


class Bad:
    def connect(self, url):
        pass


Dynamic = type("Dynamic", (), {})


def mw(request):
    return request
"""


def setup(tmp_path: Path) -> tuple[Path, ProjectAnalysis, object]:
    root = tmp_path / "project"
    root.mkdir()
    for name, text in {"spoc.toml": TOML, "contracts.py": CONTRACTS, "plugs.py": PLUGS}.items():
        (root / name).write_text(textwrap.dedent(text).lstrip("\n"))
    resolver = open_resolver(root, Path(sys.executable), cache=False)
    return root, analyze(take_snapshot(root), resolver), resolver


def at(root: Path, needle: str) -> Position:
    lines = (root / "spoc.toml").read_text().splitlines()
    line = next(index for index, text in enumerate(lines) if needle in text)
    return Position(line, lines[line].index(needle) + 1)


def test_hover_on_a_plugin_tells_its_verdict(tmp_path: Path) -> None:
    root, analysis, resolver = setup(tmp_path)
    toml = root / "spoc.toml"
    texts = {}
    for uri in ("plugs.Good", "plugs.Bad", "plugs.Dynamic", "plugs.mw"):
        found = hover(analysis, toml, at(root, uri), resolver)  # type: ignore[arg-type]
        assert found is not None
        texts[uri] = found.markdown
    assert "Interface of group `database`: `Backend`" in texts["plugs.Good"]
    assert "✓ satisfies it" in texts["plugs.Good"]
    assert "✗ does not satisfy it: missing 'disconnect'" in texts["plugs.Bad"]
    assert "? cannot verify" in texts["plugs.Dynamic"]
    assert "✓ satisfies it" in texts["plugs.mw"] and "`callable`" in texts["plugs.mw"]


def test_hover_on_an_interface_value_counts_the_group(tmp_path: Path) -> None:
    root, analysis, resolver = setup(tmp_path)
    found = hover(analysis, root / "spoc.toml", at(root, "contracts.Backend"), resolver)  # type: ignore[arg-type]
    assert found is not None
    assert "3 plugins of 'database': 1 satisfy, 1 do not, 1 cannot be verified" in found.markdown
    kind = hover(analysis, root / "spoc.toml", at(root, '"callable"'), resolver)  # type: ignore[arg-type]
    assert kind is not None and "1 plugin of 'middleware': 1 satisfy, 0 do not" in kind.markdown


def test_a_lens_on_the_interface_class_only(tmp_path: Path) -> None:
    root, analysis, resolver = setup(tmp_path)
    contracts = root / "contracts.py"
    lenses = interface_lenses(analysis, resolver, contracts, contracts.read_text())  # type: ignore[arg-type]
    assert [(lens.span.start.line, lens.title) for lens in lenses] == [
        (3, "3 plugins of 'database': 1 satisfy, 1 do not, 1 cannot be verified")
    ]
    plugs = root / "plugs.py"
    assert interface_lenses(analysis, resolver, plugs, plugs.read_text()) == []  # type: ignore[arg-type]


def test_hover_on_an_interface_group_name(tmp_path: Path) -> None:
    root, analysis, resolver = setup(tmp_path)
    found = hover(analysis, root / "spoc.toml", Position(1, 2), resolver)  # type: ignore[arg-type]
    assert found is not None
    assert found.markdown.startswith("Interface of group `database`: `contracts.Backend`")
    assert "3 plugins of 'database'" in found.markdown and "merged load order" in found.markdown
