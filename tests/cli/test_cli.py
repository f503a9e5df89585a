"""``spoc-lsp check`` / ``plugins`` / ``env`` as users and CI scripts call them (CONTRACT §3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "examples" / "broken"
SHOP = REPO / "examples" / "shop"

DIAGNOSTIC_KEYS = {
    "file",
    "line",
    "column",
    "end_line",
    "end_column",
    "severity",
    "code",
    "message",
    "uri",
    "group",
    "source",
}
PLUGIN_KEYS = {"uri", "source", "file", "line", "resolved", "kind"}


def run(
    *args: str, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    environment.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "spoc_lsp", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=False,
    )


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def test_broken_example_reports_each_planted_mistake_and_nothing_else() -> None:
    expected = json.loads((BROKEN / "expected.json").read_text())
    result = run("check", "examples/broken", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    found = [(d["file"], d["line"], d["code"]) for d in report["diagnostics"]]
    wanted = [(f"examples/broken/{e['file']}", e["line"], e["code"]) for e in expected]
    assert sorted(found) == sorted(wanted)


def test_broken_example_text_output_has_exact_columns_and_a_summary() -> None:
    result = run("check", "examples/broken")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    spoc001 = "examples/broken/config/spoc.toml:21:6: SPOC001 no module named 'catalgo'"
    assert f"{spoc001}; did you mean 'catalog'?" in lines
    assert any(
        line.startswith("examples/broken/config/settings.py:13:33: SPOC002 ")
        and "did you mean 'TimingMiddleware'?" in line
        for line in lines
    )
    assert lines[-1] == "Found 8 problems (7 errors, 1 warning) in 9 plugins in 6 groups."


def test_shop_example_is_clean() -> None:
    result = run("check", "examples/shop")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("All checks passed: ")


def test_json_output_has_the_contract_keys() -> None:
    result = run("check", "examples/broken", "--format", "json")
    report = json.loads(result.stdout)
    assert set(report) == {"root", "python", "diagnostics", "plugins"}
    assert report["root"] == str(BROKEN.resolve())
    for diagnostic in report["diagnostics"]:
        assert set(diagnostic) == DIAGNOSTIC_KEYS
        assert diagnostic["severity"] in {"error", "warning", "information", "hint"}
        assert diagnostic["source"] in {"toml", "settings"}
        assert diagnostic["line"] >= 1 and diagnostic["column"] >= 1
    by_code = {d["code"]: d for d in report["diagnostics"]}
    assert by_code["SPOC001"]["uri"] == "catalgo.signals.on_product_saved"
    assert by_code["SPOC005"]["uri"] is None
    for group, entries in report["plugins"].items():
        assert isinstance(group, str)
        for entry in entries:
            assert set(entry) == PLUGIN_KEYS
            assert entry["kind"] in {"module", "class", "function", "variable", "unknown"}
    shop = json.loads(run("check", "examples/shop", "--format", "json").stdout)
    kinds = {e["uri"]: e["kind"] for entries in shop["plugins"].values() for e in entries}
    assert kinds["shopkit.audit"] == "module"
    assert kinds["core.middleware.timing.TimingMiddleware"] == "class"
    assert kinds["core.middleware.request_id.add_request_id"] == "function"
    assert kinds["catalog.cache.product_cache"] == "variable"
    assert all(e["resolved"] is True for entries in shop["plugins"].values() for e in entries)


def test_usage_and_io_problems_exit_2(tmp_path: Path) -> None:
    assert run("check", str(tmp_path / "missing")).returncode == 2
    not_a_project = run("check", str(tmp_path))
    assert not_a_project.returncode == 2
    assert "not inside a SPOC project" in not_a_project.stderr
    assert run("check", "--format", "yaml").returncode == 2
    assert run("check", "examples/shop", "--python", str(tmp_path / "nope")).returncode == 2


def test_path_may_be_a_file_inside_the_project() -> None:
    result = run("check", "examples/shop/config/settings.py")
    assert result.returncode == 0


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "spoc.toml": '[spoc.plugins]\nmw = ["json.dumps"]\n',
            "settings.py": 'PLUGINS = {"mw": ["json.dumps"]}\n',
        },
    )
    result = run("check", str(root))
    assert result.returncode == 0
    assert "SPOC004" in result.stdout


def test_runtime_catches_what_static_analysis_cannot(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "spoc.toml": """
            [spoc.plugins]
            hooks = ["boom.hook", "needs_env.hook", "hangs.hook", "fine.hook"]
            """,
            # Whether these raise depends on the environment, which static analysis cannot see.
            "boom.py": (
                "import os\nif not os.environ.get('SHOP_DB'):\n"
                "    raise ValueError('bad config at import')\nhook = 1\n"
            ),
            "needs_env.py": (
                "import importlib\nimportlib.import_module('not_installed_pkg_xyz')\nhook = 1\n"
            ),
            "hangs.py": "import time\ntime.sleep(60)\nhook = 1\n",
            "fine.py": "hook = 1\n",
        },
    )
    static = json.loads(run("check", str(root), "--format", "json").stdout)
    assert static["diagnostics"] == []
    result = run(
        "check", str(root), "--runtime", "--format", "json", env={"SPOC_LSP_PROBE_TIMEOUT": "3"}
    )
    assert result.returncode == 1
    messages = {
        d["uri"]: d["message"]
        for d in json.loads(result.stdout)["diagnostics"]
        if d["code"] == "SPOC008"
    }
    assert "ValueError" in messages["boom.hook"] and "bad config at import" in messages["boom.hook"]
    assert (
        "ModuleNotFoundError" in messages["needs_env.hook"]
        and "not_installed_pkg_xyz" in messages["needs_env.hook"]
    )
    assert "did not finish" in messages["hangs.hook"]
    assert "fine.hook" not in messages


def test_plugins_command_prints_the_merged_plan() -> None:
    text = run("plugins", "examples/shop").stdout
    assert "[middleware]" in text
    first_group = text.split("[", 2)[1]
    assert "1." in first_group
    plan = json.loads(run("plugins", "examples/shop", "--format", "json").stdout)
    assert set(plan) == {"root", "python", "plugins"}
    assert next(iter(plan["plugins"])) == "middleware"


def test_plugins_command_shows_each_groups_interface_and_a_mark_per_plugin() -> None:
    broken = run("plugins", "examples/broken").stdout
    storage = broken.split("[storage]", 1)[1]
    assert storage.splitlines()[1] == "  interface: core.interfaces.Storage"
    assert "core.storage.MemoryStorage" in storage
    assert "✗ does not satisfy Storage: missing 'delete'" in storage
    shop = run("plugins", "examples/shop").stdout
    assert "interface: shopkit.interfaces.Cache" in shop
    assert "✓ satisfies Cache" in shop and "✓ satisfies LifecycleHooks" in shop
    assert "[middleware]\n  interface" not in shop  # undeclared groups show no interface line


def test_a_terminal_without_the_marks_gets_them_escaped() -> None:
    result = run("plugins", "examples/broken", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert "\\u2717 does not satisfy Storage" in result.stdout


def test_severity_from_pyproject_and_inline_suppression_apply_to_check(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "spoc.toml": (
                '[spoc.plugins]\nmw = ["jsonn.dumps", "json.dumpz"]  # spoc: ignore[SPOC002]\n'
            ),
            "pyproject.toml": '[tool.spoc-lsp]\nseverity = { SPOC001 = "warning" }\n',
        },
    )
    result = run("check", str(root), "--format", "json")
    report = json.loads(result.stdout)
    assert [(d["code"], d["severity"]) for d in report["diagnostics"]] == [("SPOC001", "warning")]
    assert result.returncode == 0


def test_env_report_names_interpreter_search_path_and_files() -> None:
    result = run("env", "examples/shop")
    assert result.returncode == 0
    text = result.stdout
    assert f"Interpreter: {Path(sys.executable)}" in text or "Interpreter: " in text
    assert "[apps" in text and "[project" in text and "site-packages" in text
    assert "spoc.toml: " in text and "config/settings.py" in text
    report = json.loads(run("env", "examples/shop", "--format", "json").stdout)
    origins = [row["origin"] for row in report["search_path"]]
    assert origins[:2] == ["apps", "project"]


@pytest.mark.parametrize("command", [["--help"], ["check", "--help"]])
def test_help_exits_0(command: list[str]) -> None:
    assert run(*command).returncode == 0


def test_version_prints_the_version_of_the_project() -> None:
    text = (REPO / "pyproject.toml").read_text("utf-8")
    declared = next(
        line.split("=", 1)[1].strip().strip('"')
        for line in text.splitlines()
        if line.startswith("version =")
    )
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"spoc-lsp {declared}"
