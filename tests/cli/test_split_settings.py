"""Settings modules as people write them, through ``spoc-lsp check`` and ``spoc-lsp plugins``.

Names, concatenation and unpacking in one module; split settings (``from .base import *``,
``from .base import PLUGINS``, ``from config.common import X``, ``import ... as``) over several.
The plan ``spoc-lsp plugins --format json`` shows must be the runtime's: each fixture project
is also loaded for real, in a subprocess, with the runtime's own ``load_config`` and merge
(what ``Framework`` does before it imports plugins), and the groups compared in order.
Diagnostics land in the file where each string is written, once per place.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .test_cli import run, write

HOOKS = {"core/__init__.py": "", "core/hooks.py": "def a():\n    pass\n\n\ndef b():\n    pass\n"}
TOML = {"config/spoc.toml": '[spoc]\nmode = "development"\n'}
_RUNTIME_PLAN = """
import json, sys
from pathlib import Path
from spoc.config import load_config
from spoc.framework import plugin_sources
from spoc.importer import Importer
from spoc.plugins import merge_plugins
root = Path(sys.argv[1]).resolve()
Importer(root).setup_path()
plan = merge_plugins(*plugin_sources(load_config(root)))
print(json.dumps([[name, [e.uri for e in entries]] for name, entries in plan.groups]))
"""

EXAMPLE_ONE = {
    "config/settings.py": """
        BASE = ["core.hooks.a", "core.hooks.typo1"]
        EXTRA = BASE + ["core.hooks.typo2"]
        PLUGINS = {
            "hooks": EXTRA,
            "more": [*BASE, "core.hooks.b", "core.hooks.typo3"],
        }
    """,
}
EXAMPLE_TWO = {
    "config/settings/__init__.py": """
        from .base import *
        PLUGINS["extra"] = ["core.hooks.typo5"]
    """,
    "config/settings/base.py": """
        PLUGINS = {"hooks": ["core.hooks.a", "core.hooks.typo4"]}
    """,
}
LAYOUTS = {
    "one module, names": EXAMPLE_ONE,
    "from .base import *": EXAMPLE_TWO,
    "from .base import PLUGINS, names": {
        "config/settings/__init__.py": """
            from .base import PLUGINS, BASE as SHARED
            PLUGINS["extra"] = SHARED + ["core.hooks.b"]
            SHARED.append("core.hooks.b")
        """,
        "config/settings/base.py": """
            BASE = ["core.hooks.a"]
            PLUGINS = {"hooks": BASE}
        """,
    },
    "absolute imports, import as, dict |": {
        "config/__init__.py": "",
        "config/common.py": """
            BASE_PLUGINS = {"hooks": ["core.hooks.a"]}
            EXTRA = ("core.hooks.b",)
        """,
        "config/settings.py": """
            from config.common import BASE_PLUGINS
            import config.common as common
            PLUGINS = BASE_PLUGINS | {"more": [*common.EXTRA, "core.hooks.a"]}
            PLUGINS["hooks"].extend(common.EXTRA)
        """,
    },
    "a star import of a star import, run once": {
        "config/settings/__init__.py": """
            from .dev import *
            from .base import *
            PLUGINS["dev"] = list(DEV_HOOKS)
        """,
        "config/settings/dev.py": """
            from .base import *
            DEV_HOOKS = HOOKS + ["core.hooks.b"]
            PLUGINS["hooks"].append("core.hooks.b")
        """,
        "config/settings/base.py": """
            HOOKS = ["core.hooks.a"]
            PLUGINS = {"hooks": HOOKS.copy()}
        """,
    },
}


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    return write(tmp_path / "project", {**TOML, **HOOKS, **files})


def _runtime_plan(root: Path) -> list[list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", _RUNTIME_PLAN, str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    plan: list[list[object]] = json.loads(done.stdout)
    return plan


def _check(root: Path) -> dict[str, object]:
    result = run("check", str(root), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize("layout", list(LAYOUTS), ids=list(LAYOUTS))
def test_the_plan_is_the_runtimes(tmp_path: Path, layout: str) -> None:
    root = _project(tmp_path, LAYOUTS[layout])
    result = run("plugins", str(root), "--format", "json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)["plugins"]
    static = [[name, [entry["uri"] for entry in entries]] for name, entries in shown.items()]
    assert static == _runtime_plan(root)
    diagnostics = _check(root)["diagnostics"]
    assert isinstance(diagnostics, list)
    assert [d for d in diagnostics if d["code"] == "SPOC006"] == []


def _found(report: dict[str, object]) -> list[tuple[str, int, str, str]]:
    diagnostics = report["diagnostics"]
    assert isinstance(diagnostics, list)
    return sorted(
        (d["file"].rsplit("/", 1)[-1], d["line"], d["code"], d["uri"]) for d in diagnostics
    )


def test_the_first_example_reports_each_typo_on_its_own_literal(tmp_path: Path) -> None:
    root = _project(tmp_path, EXAMPLE_ONE)
    assert _found(_check(root)) == [
        ("settings.py", 1, "SPOC002", "core.hooks.typo1"),
        ("settings.py", 2, "SPOC002", "core.hooks.typo2"),
        ("settings.py", 5, "SPOC002", "core.hooks.typo3"),
    ]


def test_the_second_example_reports_each_typo_in_its_own_file(tmp_path: Path) -> None:
    root = _project(tmp_path, EXAMPLE_TWO)
    report = _check(root)
    assert _found(report) == [
        ("__init__.py", 2, "SPOC002", "core.hooks.typo5"),
        ("base.py", 1, "SPOC002", "core.hooks.typo4"),
    ]
    diagnostics = report["diagnostics"]
    assert isinstance(diagnostics, list)
    typo4 = next(d for d in diagnostics if d["uri"] == "core.hooks.typo4")
    line = (root / "config/settings/base.py").read_text().splitlines()[0]
    assert line[typo4["column"] - 1 : typo4["end_column"] - 1] == "typo4"


@pytest.mark.parametrize(
    ("files", "where", "message"),
    [
        (
            {"config/settings/__init__.py": "from .missing import *\nPLUGINS = {}\n"},
            ("__init__.py", 1),
            "cannot find module '.missing'",
        ),
        (
            {
                "config/settings/__init__.py": "from .a import *\n",
                "config/settings/a.py": "from .b import *\nPLUGINS = {'g': ['core.hooks.a']}\n",
                "config/settings/b.py": "from .a import *\n",
            },
            ("b.py", 1),
            "a circular import",
        ),
    ],
    ids=["a missing module", "a cycle"],
)
def test_missing_modules_and_cycles_are_reported_never_a_crash(
    tmp_path: Path, files: dict[str, str], where: tuple[str, int], message: str
) -> None:
    report = _check(_project(tmp_path, files))
    diagnostics = report["diagnostics"]
    assert isinstance(diagnostics, list)
    found = [
        (d["file"].rsplit("/", 1)[-1], d["line"])
        for d in diagnostics
        if d["code"] == "SPOC006" and message in d["message"]
    ]
    assert found == [where], diagnostics
