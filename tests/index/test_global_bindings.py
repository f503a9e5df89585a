"""Names bound through ``global`` in a function the module calls at top level (#14 item 2),
and attributes such a function sets on other modules, against real imports."""

from __future__ import annotations

from pathlib import Path

from dynamic_cases import verdicts

from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Status

KEYFUNC = {
    "apps/pk/__init__.py": "",
    "apps/pk/other.py": "class KeyFuncDict: ...\n",
    "apps/pk/a.py": (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from .other import KeyFuncDict\n"
        "def __go(lcls):\n"
        "    global KeyFuncDict\n"
        "    from .other import KeyFuncDict\n"
        "__go(locals())\n"
    ),
    "apps/pk/b.py": (
        "def __go(lcls):\n"
        "    global KeyFuncDict\n"
        "    from .other import KeyFuncDict\n"
        "__go(locals())\n"
    ),
    "apps/pk/kinds.py": (
        "import contextlib\n"
        "def setup():\n"
        "    global ASSIGNED, LOOPED, MANAGED, CAUGHT, WALRUS, IMPORTED, made\n"
        "    ASSIGNED = 1\n"
        "    for LOOPED in range(2):\n"
        "        pass\n"
        "    with contextlib.nullcontext(3) as MANAGED:\n"
        "        pass\n"
        "    try:\n"
        "        raise ValueError\n"
        "    except ValueError as CAUGHT:\n"
        "        keep = CAUGHT\n"
        "    CAUGHT = keep\n"
        "    if (WALRUS := 5):\n"
        "        pass\n"
        "    import json as IMPORTED\n"
        "    def made():\n"
        "        return 1\n"
        "setup()\n"
    ),
    "apps/pk/never.py": ("def later():\n    global LATER\n    LATER = 1\n"),
    "apps/pk/sub/__init__.py": (
        "def __go():\n"
        "    from . import helpers\n"
        "    from . import target\n"
        "    target.injected = helpers\n"
        "__go()\n"
    ),
    "apps/pk/sub/helpers.py": "",
    "apps/pk/sub/target.py": "",
}


def test_names_bound_by_a_called_function_resolve(
    tmp_path: Path, interpreter_info: InterpreterInfo, spoc_dir: Path
) -> None:
    uris = [
        "pk.a.KeyFuncDict",
        "pk.b.KeyFuncDict",
        "pk.b.KeyFuncDicts",
        *(
            f"pk.kinds.{name}"
            for name in ("ASSIGNED", "LOOPED", "MANAGED", "CAUGHT", "WALRUS", "IMPORTED", "made")
        ),
        "pk.kinds.keep",
        "pk.never.LATER",
        "pk.sub.target.injected",
        "pk.sub.target.other",
        "pk.sub.helpers",
    ]
    result = verdicts(tmp_path, KEYFUNC, uris, interpreter_info, spoc_dir)
    result.agree()
    for uri in uris[:2] + uris[3:10] + ["pk.sub.target.injected"]:
        assert result.real[uri].ok, uri
        assert result.static[uri].status is Status.RESOLVED, (uri, result.static[uri])
    assert result.static["pk.b.KeyFuncDicts"].status is Status.UNRESOLVED
    assert result.static["pk.kinds.keep"].status is Status.UNRESOLVED  # a local, not global
    assert result.static["pk.sub.target.other"].status is Status.UNRESOLVED
    # Never called: possible, never an error.
    assert not result.real["pk.never.LATER"].ok
    assert result.static["pk.never.LATER"].status is Status.UNVERIFIABLE


def test_the_binding_names_its_origin(
    tmp_path: Path, interpreter_info: InterpreterInfo, spoc_dir: Path
) -> None:
    result = verdicts(tmp_path, KEYFUNC, ["pk.a.KeyFuncDict"], interpreter_info, spoc_dir)
    symbol = result.static["pk.a.KeyFuncDict"].symbol
    assert symbol is not None and symbol.kind == "class"
    assert symbol.definition is not None and symbol.definition.file is not None
    assert symbol.definition.file.name == "other.py"
