"""Module summaries: what the top level binds, where, with which signature and docstring."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from spoc_lsp.index.conditions import Target
from spoc_lsp.index.symbols import ModuleSummary, summarize

# The server parses for an interpreter of its own version here (newer targets are unparsable).
TARGET = Target((sys.version_info[0], sys.version_info[1], 0), "linux", "posix")


def summary(
    source: str, name: str = "pkg.mod", is_package: bool = False, file: Path | None = None
) -> ModuleSummary:
    """The summary of ``source``; signatures and docstrings are rendered from ``file`` when
    asked for, so a test reading them writes the source there first."""
    if file is not None:
        file.write_bytes(source.encode())
    return summarize(
        source.encode(),
        name=name,
        file=file or Path("/x/mod.py"),
        is_package=is_package,
        target=TARGET,
    )


def test_positions_signatures_and_docs(tmp_path: Path) -> None:
    s = summary(
        '"""Module doc.\n\nMore."""\n'
        "async def fetch(url: str, *, retries: int = 3, **kw) -> bytes:\n"
        '    """Fetch it.\n\n    Details."""\n'
        "class Meta(type):\n    pass\n"
        "class Thing(Base, metaclass=Meta):\n"
        '    """A thing."""\n'
        "count: int = 0\n"
        "é = 1; ü = 2\n",
        file=tmp_path / "mod.py",
    )
    assert s.doc == "Module doc."
    fetch = s.bindings["fetch"]
    assert (fetch.kind, fetch.line, fetch.column) == ("function", 3, 10)
    assert fetch.signature == "async (url: str, *, retries: int=3, **kw) -> bytes"
    assert fetch.doc == "Fetch it."
    thing = s.bindings["Thing"]
    assert thing.signature == "class Thing(Base, metaclass=Meta)"
    assert (thing.line, thing.column) == (9, 6)
    assert s.bindings["count"].signature == "int"
    assert s.bindings["ü"].column == 7  # characters, not UTF-8 bytes


def test_relative_imports_and_package_side_effects() -> None:
    s = summary(
        "from .views import index\nfrom . import helpers as h\nimport pkg.models\n"
        "from ..up import thing\nfrom pkg.deep.inner import x\n",
        name="pkg",
        is_package=True,
    )
    assert s.bindings["index"].module == "pkg.views"
    assert s.bindings["views"].kind == "submodule"
    assert s.bindings["h"].module == "pkg" and s.bindings["h"].attribute == "helpers"
    assert s.bindings["pkg"].kind == "import"
    assert s.bindings["models"].module == "pkg.models"
    assert s.bindings["deep"].module == "pkg.deep"
    assert "inner" not in s.bindings
    assert s.problems and "above the top-level package" in s.problems[0].message


def test_all_forms() -> None:
    s = summary("__all__ = ['a']\n__all__ += ['b']\n__all__.extend(('c',))\n__all__.append('d')\n")
    assert s.all_names == ("a", "b", "c", "d") and s.all_known
    computed = summary("__all__ = [n for n in dir()]\n")
    assert not computed.all_known


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("def __getattr__(name):\n    pass\n", "__getattr__"),
        ("__getattr__, __dir__, __all__ = lazy.attach(__name__, ['x'])\n", "__getattr__"),
        ("globals()['x'] = 1\n", "globals()"),
        ("globals().update(x=1)\n", "globals()"),
        ("import sys\nsys.modules[__name__] = object()\n", "sys.modules"),
        ("import sys\nsetattr(sys.modules[__name__], 'x', 1)\n", "setattr"),
        ("exec('x = 1')\n", "exec"),
        ("def _fill():\n    globals()['x'] = 1\n_fill()\n", "_fill"),
    ],
)
def test_dynamic_modules(source: str, reason: str) -> None:
    dynamic = summary(source).dynamic
    assert dynamic is not None and reason in dynamic


def test_required_and_optional_imports() -> None:
    s = summary(
        "import a\nfrom b.c import d\nfrom __future__ import annotations\n"
        "try:\n    import opt1\nexcept ImportError:\n    opt1 = None\n"
        "try:\n    import reraised\nexcept ImportError:\n    raise\n"
        "try:\n    import kept\nexcept KeyError:\n    pass\n"
        "if flag:\n    import cond\n"
        "def f():\n    import inner\n"
        "with ctx:\n    import in_with\n"
    )
    assert [r.module for r in s.required_imports] == ["a", "b.c", "reraised", "kept", "in_with"]


def test_unconditional_raise_is_a_problem() -> None:
    assert summary("raise ImportError('gone')\n").problems
    assert not summary("if flag:\n    raise ImportError('gone')\n").problems
    assert not summary("try:\n    raise ValueError\nexcept ValueError:\n    pass\n").problems


def test_syntax_error() -> None:
    s = summary("def broken(:\n")
    assert s.syntax_error and s.problems[0].line == 1
    assert "syntax error at line 1" in s.problems[0].message


def test_newer_syntax_than_the_server_proves_nothing() -> None:
    s = summarize(
        b"type X = int\n",
        name="m",
        file=Path("/x/m.py"),
        is_package=False,
        target=Target((3, 99, 0), "linux", "posix"),
        server_version=(3, 11),
    )
    assert not s.syntax_error and s.unparsable is not None


def test_bindings_through_control_flow() -> None:
    s = summary(
        "import sys\n"
        "if sys.version_info >= (3, 8):\n    new = 1\nelse:\n    old = 1\n"
        "if sys.platform.startswith('win'):\n    win = 1\n"
        "if os.name == 'nt':\n    nt = 1\n"
        "if unknown():\n    maybe = 1\n"
        "x = 1\ndel x\n"
        "if unknown():\n    del new\n"
        "[y := 1 for _ in range(1)]\n"
        "f = lambda: (z := 1)\n"
        "for i, (j, *k) in []:\n    pass\n"
    )
    names = set(s.bindings)
    assert {"new", "maybe", "y", "f", "i", "j", "k", "sys"} <= names
    assert not {"old", "win", "nt", "x", "z"} & names
    assert s.bindings["maybe"].conditional
