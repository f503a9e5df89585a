"""Attributes set on imported objects by the project's files (``index.attribute_writes``): which
statements count, what each target may stand for, and that a file is read and parsed only when
its text names the object, once per file version."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from spoc_index_testlib import write_tree

from spoc_lsp.index import attribute_writes
from spoc_lsp.index.attribute_writes import AttributeWrites, Write, file_writes
from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.search_path import SearchPath

SOURCE = """
import core.storage
import core.storage as cs
from core.storage import MemoryStorage as MS
from . import sibling

MS.a = 1
MS.b: int = 2
MS.c += 3
del MS.d
cs.MemoryStorage.e = 5
core.storage.MemoryStorage.f = 6
sibling.Thing.g = 7
setattr(MS, "i", 9)
delattr(MS, "j")
setattr(MS, name, 10)
for MS.k in ():
    pass
self.x = 1
unknown.y = 2
MS.attribute.z = 3


def later():
    from core import Late

    Late.m = 1
"""


# A plugin class and the project module that gives it a member.
PATCHED = {
    "apps/core/__init__.py": "",
    "apps/core/storage.py": "class MemoryStorage:\n    pass\n",
    "apps/core/patches.py": "from core.storage import MemoryStorage\nMemoryStorage.delete = len\n",
}


def test_each_statement_that_sets_or_deletes_an_attribute() -> None:
    writes = file_writes(ast.parse(SOURCE), "app")
    found = {(w.targets, w.attribute, w.deletes) for w in writes}
    ms = ("core.storage.MemoryStorage",)
    assert found == {
        (ms, "a", False),
        (ms, "b", False),
        (ms, "c", False),
        (ms, "d", True),
        (ms, "e", False),
        (ms, "f", False),
        (("app.sibling.Thing",), "g", False),
        (ms, "i", False),
        (ms, "j", True),
        (ms, None, False),
        (ms, "k", False),
        (("core.storage.MemoryStorage.attribute",), "z", False),
        (("core.Late",), "m", False),
    }
    assert [w.line for w in writes] == sorted(w.line for w in writes)


def test_a_name_no_import_binds_may_come_from_a_star_import() -> None:
    writes = file_writes(ast.parse("from .models import *\nStar.h = 8\nself.x = 1\n"), "app")
    assert [(w.targets, w.attribute) for w in writes] == [
        (("app.models.Star",), "h"),
        (("app.models.self",), "x"),  # the star import may bind it (a harmless "may")
    ]


LOCAL = """
from core.storage import MemoryStorage, OtherStorage

S = MemoryStorage
T: type = S
S.a = 1
T.b = 2
for cls in (OtherStorage,):
    cls.c = 3


def install(target, *, name="d"):
    setattr(target, name, 4)


install(MemoryStorage)
install(target=OtherStorage)
"""


def test_local_aliases_loops_over_literals_and_parameters_are_followed() -> None:
    found = [(w.targets, w.attribute) for w in file_writes(ast.parse(LOCAL), "")]
    ms, other = "core.storage.MemoryStorage", "core.storage.OtherStorage"
    assert found == [((ms,), "a"), ((ms,), "b"), ((other,), "c"), ((ms, other), None)]


def test_relative_imports_of_a_module_outside_a_package_bind_nothing() -> None:
    writes = file_writes(ast.parse("from . import x\nx.C.a = 1\n"), None)
    assert writes == ()


def test_files_are_read_only_when_they_name_the_object_and_parsed_once(
    tmp_path: Path, interpreter_info: InterpreterInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            **PATCHED,
            "apps/other.py": "from core.storage import OtherStorage\nOtherStorage.delete = len\n",
            ".venv/lib/site.py": "from core.storage import MemoryStorage\nMemoryStorage.x = 1\n",
        },
    )
    search_path = SearchPath.build(tmp_path, interpreter_info)
    parsed: list[str] = []
    real = attribute_writes.parse_source

    def counting(text: str, path: str) -> ast.Module | None:
        parsed.append(Path(path).name)
        return real(text, path)

    attribute_writes._ENTRIES.clear()
    monkeypatch.setattr(attribute_writes, "parse_source", counting)
    writes = AttributeWrites(search_path)
    [(file, write)] = writes.naming("MemoryStorage")
    assert file == tmp_path / "apps" / "core" / "patches.py"
    assert write == Write(2, ("core.storage.MemoryStorage",), "delete", False)
    assert writes.files_read == {file, tmp_path / "apps" / "core" / "storage.py"}
    assert sorted(parsed) == ["patches.py", "storage.py"]  # other.py: name absent
    AttributeWrites(search_path).naming("MemoryStorage")
    assert len(parsed) == 2  # unchanged files: not parsed again
    file.write_text("from core.storage import MemoryStorage\n\nMemoryStorage.put = len\n")
    os.utime(file, ns=(1, 1))
    [(_, changed)] = AttributeWrites(search_path).naming("MemoryStorage")
    assert changed.attribute == "put" and changed.line == 3
    assert parsed.count("patches.py") == 2
    overlay = {file: "from core.storage import MemoryStorage as M\nM.get = len\n"}
    [(_, unsaved)] = AttributeWrites(search_path, overlay).naming("MemoryStorage")
    assert unsaved.attribute == "get"


def test_within_one_resolver_generation_the_project_is_walked_once(
    tmp_path: Path, interpreter_info: InterpreterInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analysis per keystroke must not walk and stat the whole project again: within one
    generation the findings on disk are kept; a new generation (files changed) looks again,
    and an open buffer is always read."""
    write_tree(tmp_path, PATCHED)
    search_path = SearchPath.build(tmp_path, interpreter_info)
    walks: list[Path] = []
    real = attribute_writes.project_python_files

    def counting(root: Path):  # type: ignore[no-untyped-def]
        walks.append(root)
        return real(root)

    monkeypatch.setattr(attribute_writes, "project_python_files", counting)
    patches = tmp_path / "apps" / "core" / "patches.py"
    for _ in range(3):
        [(file, write)] = AttributeWrites(search_path, generation=7).naming("MemoryStorage")
        assert (file, write.attribute) == (patches, "delete")
    assert len(walks) == 1
    patches.write_text("from core.storage import MemoryStorage\nMemoryStorage.put = len\n")
    os.utime(patches, ns=(2, 2))
    [(_, stale)] = AttributeWrites(search_path, generation=7).naming("MemoryStorage")
    assert stale.attribute == "delete"  # same generation: what was known
    [(_, fresh)] = AttributeWrites(search_path, generation=8).naming("MemoryStorage")
    assert fresh.attribute == "put" and len(walks) == 2
    buffer = {patches: "from core.storage import MemoryStorage\nMemoryStorage.get = len\n"}
    [(_, unsaved)] = AttributeWrites(search_path, buffer, generation=8).naming("MemoryStorage")
    assert unsaved.attribute == "get" and len(walks) == 2
    AttributeWrites(search_path).naming("MemoryStorage")  # no generation: walked each time
    assert len(walks) == 3
