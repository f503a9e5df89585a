"""Compiled modules read through a ``.pyi`` stub or a pure-Python twin beside them (#14 item 5).

The extension is a real one: the test interpreter's compiled ``_bisect``, copied into the
project (project roots come first on the import path, and an extension keeps its init
function's name, so it stays ``_bisect``), with a stub or a twin written beside it.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from dynamic_cases import verdicts

from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Status


def _extension(name: str) -> Path | None:
    """A compiled stdlib extension module file named ``name`` (e.g. ``_bisect``), if any."""
    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec is not None else None
    if origin is None or not origin.endswith((".so", ".pyd")):
        return None
    return Path(origin)


@pytest.mark.parametrize("evidence", ["stub", "twin"])
def test_compiled_module_read_through_its_stub_or_twin(
    tmp_path: Path, interpreter_info: InterpreterInfo, spoc_dir: Path, evidence: str
) -> None:
    compiled = _extension("_bisect")
    if compiled is None:
        pytest.skip("no compiled _bisect extension in this interpreter")
    # A top-level extension must keep its init function's name: ``_bisect`` in the project,
    # ahead of the standard library's (project roots come first on the import path).
    project = tmp_path / "proj"
    (project / "apps").mkdir(parents=True)
    shutil.copy(compiled, project / "apps" / compiled.name)
    names = "def bisect_left(a, x, lo=0, hi=None, *, key=None): ...\n"
    names += "def bisect_right(a, x, lo=0, hi=None, *, key=None): ...\n"
    names += "def insort_left(a, x, lo=0, hi=None, *, key=None): ...\n"
    names += "def insort_right(a, x, lo=0, hi=None, *, key=None): ...\n"
    twin = "_bisect.pyi" if evidence == "stub" else "_bisect.py"
    uris = ["_bisect.bisect_left", "_bisect.insort_right", "_bisect.bisect_middle"]
    result = verdicts(project, {f"apps/{twin}": names}, uris, interpreter_info, spoc_dir)
    result.agree()
    assert result.static["_bisect.bisect_left"].status is Status.RESOLVED
    missing = result.static["_bisect.bisect_middle"]
    assert not result.real["_bisect.bisect_middle"].ok
    assert missing.status is Status.UNRESOLVED and missing.failure is not None
    what = "stub" if evidence == "stub" else "pure-Python twin"
    assert f"read through its {what} '{twin}'" in missing.failure.message
    assert "bisect_left" in missing.failure.suggestions


def test_compiled_module_without_either_stays_unverifiable(
    tmp_path: Path, interpreter_info: InterpreterInfo, spoc_dir: Path
) -> None:
    compiled = _extension("_bisect")
    if compiled is None:
        pytest.skip("no compiled _bisect extension in this interpreter")
    project = tmp_path / "proj"
    (project / "apps").mkdir(parents=True)
    shutil.copy(compiled, project / "apps" / compiled.name)
    result = verdicts(project, {}, ["_bisect.bisect_middle"], interpreter_info, spoc_dir)
    assert result.static["_bisect.bisect_middle"].status is Status.UNVERIFIABLE
