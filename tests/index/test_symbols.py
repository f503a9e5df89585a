"""Module summaries: what the top level binds, where, with which signature and docstring."""

from __future__ import annotations

import ast
import codecs
import sys
from pathlib import Path

import pytest

from spoc_lsp.index import symbols
from spoc_lsp.index.conditions import ConditionFacts
from spoc_lsp.index.signatures import (
    annotation_text,
    class_signature,
    docstring,
    function_signature,
)
from spoc_lsp.index.symbols import Binding, ModuleSummary, summarize

# The server parses for an interpreter of its own version here (newer targets are unparsable).
TARGET = ConditionFacts((sys.version_info[0], sys.version_info[1], 0), "linux", "posix")


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
        target=ConditionFacts((3, 99, 0), "linux", "posix"),
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


# Headers that are awkward to cut out of their file: the text rendered later from the file must
# be what rendering from the module's own syntax tree gives.
AWKWARD_SOURCES = [
    "def one(a, b=1): return a\n",
    "def semi(): x = 1; return x\n",
    "async def coro(\n    a: int,\n    *rest,  # a comment\n    **kw: str,\n) -> 'X':\n    ...\n",
    "def deco_body():\n    @property\n    def inner(self):\n        pass\n    return inner\n",
    "class Deco:\n    @staticmethod\n    def s():\n        pass\n",
    "class K(Base, metaclass=M, **extra):\n    '''Doc\n\n    more'''\n    x = 1\n",
    "class Empty: pass\n",
    'def doc_paren():\n    ("first line"\n     " continued")\n',
    'def doc_concat():\n    "a" \\\n    "b"\n    return 1\n',
    "def tabs():\n\t'''Tabbed\tdoc.\n\n\tmore'''\n\treturn 1\n",
    "if True:\n    def nested(x=[1, 2]):\n        '''In an if.'''\n",
    "try:\n    class InTry(object):\n        'doc'\nexcept ImportError:\n    pass\n",
    "def unicode_défaut(s='é' * 2) -> 'ü':\n    '''Ünïcode docstring.'''\n",
    "x: dict[\n    str,\n    int,\n] = {}\ny: 'forward' = 1\nz: int | None = None\n",
    "def fstring(a=f'{1 + 1}'):\n    f'not a docstring'\n",
    "def type_params[T](x: T) -> T:\n    return x\n" if sys.version_info >= (3, 12) else "",
    "def long_default(x='" + "y" * 500 + "'):\n    pass\n",
]


def _eager(source: bytes) -> dict[tuple[int, int], tuple[str | None, str | None]]:
    """(signature, docstring) of every def, class and annotation, from the whole tree."""
    rendered: dict[tuple[int, int], tuple[str | None, str | None]] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            rendered[(node.lineno, node.col_offset)] = (
                function_signature(node),
                docstring(node),
            )
        elif isinstance(node, ast.ClassDef):
            rendered[(node.lineno, node.col_offset)] = (class_signature(node), docstring(node))
        elif isinstance(node, ast.AnnAssign):
            annotation = node.annotation
            rendered[(annotation.lineno, annotation.col_offset)] = (
                annotation_text(annotation),
                None,
            )
    return rendered


def _assert_deferred_matches(source: bytes, file: Path) -> int:
    """Every binding's deferred signature and docstring equal the eager rendering."""
    file.write_bytes(source)
    s = summarize(source, name="m", file=file, is_package=False, target=TARGET)
    eager = _eager(source)
    assert s.doc == docstring(ast.parse(source))
    checked = 0
    for binding in s.bindings.values():
        current: Binding | None = binding
        while current is not None:
            details = current.details
            if details is not None and details.line:  # rendered at once when line is 0
                assert (current.signature, current.doc) == eager[(details.line, details.col)]
                checked += 1
            current = current.previous
    return checked


@pytest.mark.parametrize("source", [s for s in AWKWARD_SOURCES if s])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_deferred_hover_text_matches_eager_rendering(
    source: str, newline: str, tmp_path: Path
) -> None:
    text = '"""Module\n\ndoc."""\n' + source
    _assert_deferred_matches(text.replace("\n", newline).encode(), tmp_path / "m.py")


def test_deferred_hover_text_with_a_coding_cookie_bom_and_form_feed(tmp_path: Path) -> None:
    latin = "# -*- coding: latin-1 -*-\ndef f(s='é'):\n    '''Café.'''\n"
    assert _assert_deferred_matches(latin.encode("latin-1"), tmp_path / "latin.py") == 1
    bom = codecs.BOM_UTF8 + "def g(s='é'):\n    '''Thé.'''\n".encode()
    assert _assert_deferred_matches(bom, tmp_path / "bom.py") == 1
    feed = b"x = 1\n\x0c\ndef h(a='\x0c'):\n    '''After a form feed.'''\n"
    assert _assert_deferred_matches(feed, tmp_path / "feed.py") == 1


def test_deferred_hover_text_matches_on_standard_library_modules(tmp_path: Path) -> None:
    """A sample of real modules (every top-level definition, rendered both ways)."""
    stdlib = Path(ast.__file__).parent
    names = ["ast", "argparse", "dataclasses", "typing", "pathlib", "enum", "inspect"]
    names += ["collections/__init__", "email/message", "json/decoder", "asyncio/tasks"]
    checked = 0
    for index, name in enumerate(names):
        source = (stdlib / f"{name}.py").read_bytes()
        checked += _assert_deferred_matches(source, tmp_path / f"m{index}.py")
    assert checked > 400


def test_deferred_hover_text_is_dropped_when_the_file_changed(tmp_path: Path) -> None:
    file = tmp_path / "m.py"
    s = summary("def f(a):\n    '''Doc.'''\n", file=file)
    file.write_text("def f(a, b):\n    '''Other.'''\n")
    assert (s.bindings["f"].signature, s.bindings["f"].doc) == (None, None)
    s = summary("def f(a):\n    '''Doc.'''\n", file=file)
    assert s.bindings["f"].signature == "(a)"
    file.unlink()
    assert s.bindings["f"].doc == "Doc."  # rendered once, kept


@pytest.mark.parametrize(
    ("source", "dynamic", "maybe"),
    [
        ("def f():\n    global late\n    late = 1\n", False, {"late"}),
        ("def f():\n    x = 1\n\ndef g():\n    global late\n    late = 1\n", False, {"late"}),
        ("def f():\n    vars ()['x'] = 1\nf()\n", True, set()),
        ("def f():\n    locals().update(x=1)\nf()\n", True, set()),
        ("def f():\n    globals().setdefault('x', 1)\nf()\n", True, set()),
        # Identifiers are NFKC-normalised: fullwidth letters spell ``globals`` too.
        ("def f():\n    ｇｌｏｂａｌｓ()['x'] = 1\nf()\n", True, set()),
        ("def f():\n    '''No global here (only in a docstring).'''\nf()\n", False, set()),
        ("def é():\n    return 'é'\né()\n", False, set()),
    ],
)
def test_function_bodies_scanned_when_they_name_a_scanned_word(
    source: str, dynamic: bool, maybe: set[str]
) -> None:
    s = summary(source)
    assert (s.dynamic is not None) == dynamic
    assert set(s.maybe_names) == maybe


def test_skipping_function_bodies_changes_nothing_on_standard_library_modules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdlib = Path(ast.__file__).parent
    names = ["ast", "argparse", "typing", "inspect", "locale", "gettext", "string", "codecs"]
    names += ["multiprocessing/util", "logging/__init__", "ctypes/__init__", "pydoc"]
    for name in names:
        source = (stdlib / f"{name}.py").read_bytes()
        skipping = summarize(
            source, name="m", file=Path("/x/m.py"), is_package=False, target=TARGET
        )
        monkeypatch.setattr(symbols, "scan_lines", lambda source, text: None)
        walking = summarize(source, name="m", file=Path("/x/m.py"), is_package=False, target=TARGET)
        monkeypatch.undo()
        assert (skipping.maybe_names, skipping.dynamic) == (walking.maybe_names, walking.dynamic)
        assert skipping.bindings.keys() == walking.bindings.keys()


def test_handler_imports_are_guarded_by_the_try_imports() -> None:
    s = summary(
        "try:\n    import fast\nexcept ImportError:\n    import slow\n    raise SystemExit\n"
        "except Exception:\n    pass\n"
        "try:\n    import a\n    import b\n    x = 1\n    import c\nexcept ImportError:\n"
        "    import d\n"
        "try:\n    import e\nexcept ImportError:\n    import f\nexcept Exception:\n    pass\n"
        "try:\n    import g\nexcept KeyError:\n    import h\nexcept ImportError:\n    pass\n"
        "if flag:\n    try:\n        import i\n    except ImportError:\n        import j\n"
    )
    guards = {r.module: r.guards for r in s.required_imports}
    assert guards == {"slow": (("fast",),), "d": (("a", "b"),), "f": (("e",),)}
    assert [(p.message, p.guards) for p in s.problems] == [
        ("the module raises SystemExit when imported", (("fast",),))
    ]
    assert s.guarded_imports
