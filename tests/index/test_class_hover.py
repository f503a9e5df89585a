"""Hover on a class shows how to construct it (#14 item 10): the ``__init__`` or the fields of
a dataclass/attrs/pydantic class, compared with ``inspect.signature`` of the real class."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

from spoc_index_testlib import clean_environ, current_python, write_tree

from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath

SOURCE = '''
import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

import attr
import attrs


class BaseModel:  # stands in for pydantic's: builds __init__ from annotations
    def __init_subclass__(cls):
        import inspect
        names = [n for n in cls.__annotations__ if not n.startswith("_")]
        params = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in names]
        cls.__signature__ = inspect.Signature(params)


class Plain:
    """A plain class."""

    def __init__(self, host, port=80, *, tls=False):
        self.host = host


@dataclass
class Point:
    x: int
    y: int = 0
    tags: list = field(default_factory=list)
    origin: ClassVar[int] = 0


@dataclasses.dataclass(frozen=True)
class Frozen:
    name: str


@attr.s(auto_attribs=True)
class Old:
    a: int
    b: str = "b"


@attrs.define
class New:
    level: int
    label: str = "x"


class Model(BaseModel):
    id: int
    name: str = "n"
    _private: int = 0


class Bare:
    pass
'''
CLASSES = ["Plain", "Point", "Frozen", "Old", "New", "Model"]


def _parameters(signature_line: str) -> list[str]:
    """Parameter names of ``Name(a, b=1)`` (the constructor line of a class signature)."""
    name, _, rest = signature_line.partition("(")
    tree = ast.parse(f"def {name}({rest}: pass")
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    arguments = function.args
    return [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]


def test_class_signature_shows_the_real_constructor(
    tmp_path: Path, interpreter_info: InterpreterInfo
) -> None:
    write_tree(tmp_path, {"apps/shapes.py": SOURCE})
    resolver = Resolver(SearchPath.build(tmp_path, interpreter_info))
    script = (
        "import inspect, json, sys; sys.path.insert(0, sys.argv[1]); import shapes; "
        f"print(json.dumps({{n: list(inspect.signature(getattr(shapes, n)).parameters) "
        f"for n in {CLASSES!r}}}))"
    )
    done = subprocess.run(
        [str(current_python()), "-c", script, str(tmp_path / "apps")],
        capture_output=True,
        text=True,
        env=clean_environ(),
        timeout=60,
        check=True,
    )
    real = json.loads(done.stdout)
    for name in CLASSES:
        symbol = resolver.resolve(f"shapes.{name}").symbol
        assert symbol is not None and symbol.kind == "class"
        assert symbol.signature is not None
        header, _, constructor = symbol.signature.partition("\n")
        assert header.startswith(f"class {name}")
        assert constructor.startswith(f"{name}("), symbol.signature
        assert _parameters(constructor) == real[name], (name, symbol.signature)
    plain = resolver.resolve("shapes.Plain").symbol
    assert (
        plain is not None and plain.signature == "class Plain\nPlain(host, port=80, *, tls=False)"
    )
    assert plain.doc == "A plain class."
    bare = resolver.resolve("shapes.Bare").symbol
    assert bare is not None and bare.signature == "class Bare"
