"""What the real-VS-Code tests share: the project, its interpreters, and a window on it."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser
from workbench import CodeServer, Tools, Workbench

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "broken"
OUTPUT = "SPOC Language Server"
MARKER = "imported-by-the-runtime-check"
# Written into the copy's apps/core/hooks.py: proof that project code ran (the runtime check).
MARKER_CODE = f"import pathlib\npathlib.Path(__file__).with_name({MARKER!r}).touch()\n"
DIAGNOSTICS_TIMEOUT = 120  # seconds: the first analysis on a loaded 2-core machine


def make_project(directory: Path) -> Path:
    """A copy of examples/broken whose core.hooks leaves a marker file when it is imported."""
    root = directory / "shop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    hooks = root / "apps" / "core" / "hooks.py"
    text = hooks.read_text("utf-8")
    docstring, rest = text.split("\n", 1)
    hooks.write_text(f"{docstring}\n{MARKER_CODE}{rest}")
    return root


def make_venv(path: Path, *, with_server: bool) -> Path:
    """A venv; with spoc-lsp installed from this checkout (not editable) when asked."""
    subprocess.run(
        [sys.executable, "-m", "venv", *([] if with_server else ["--without-pip"]), str(path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    python = path / "bin" / "python"
    if with_server:
        result = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", str(REPO)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert result.returncode == 0, f"pip install of spoc-lsp failed:\n{result.stderr}"
    return python


def cli_problems(python: Path, root: Path) -> list[tuple[str, str, int, int]]:
    """(file name, code, line, column) of every problem, as ``spoc-lsp check`` reports them."""
    result = subprocess.run(
        [str(python), "-m", "spoc_lsp", "check", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    rows = json.loads(result.stdout)["diagnostics"]
    return sorted((Path(r["file"]).name, r["code"], r["line"], r["column"]) for r in rows)


def panel_problems(text: str) -> list[tuple[str, str, int, int]]:
    """(file name, code, line, column) of each row of the Problems panel's text."""
    found: list[tuple[str, str, int, int]] = []
    current = ""
    for line in text.splitlines():
        line = line.strip()
        header = re.fullmatch(r"(\S+\.(?:py|toml))\s*config", line)
        if header:
            current = header.group(1)
            continue
        position = re.fullmatch(r"\[Ln (\d+), Col (\d+)\]", line)
        if position and found and found[-1][2] == 0:
            file, code, _, _ = found[-1]
            found[-1] = (file, code, int(position.group(1)), int(position.group(2)))
            continue
        code = re.fullmatch(r"(SPOC\d{3})", line)
        if code:
            found.append((current, code.group(1), 0, 0))
    return sorted(found)


def server_pids(python: Path) -> set[int]:
    """Processes running ``<python> -m spoc_lsp`` (the language server of that interpreter)."""
    pids: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if len(argv) >= 3 and argv[0] == os.fsencode(python) and argv[1:3] == [b"-m", b"spoc_lsp"]:
            pids.add(int(entry.name))
    return pids


class Session:
    """One code-server window in one browser page, and what the test set up around it."""

    def __init__(self, server: CodeServer, workbench: Workbench, project: Path, python: Path):
        self.server = server
        self.workbench = workbench
        self.project = project
        self.python = python


@contextlib.contextmanager
def window(
    browser: Browser,
    tools: Tools,
    home: Path,
    project: Path,
    python: Path,
    shots: Path,
    *,
    trust_enabled: bool,
    user_settings: dict[str, Any] | None = None,
) -> Iterator[Session]:
    """code-server on ``project`` with the ``.vsix`` installed and ``spoc.python`` = ``python``
    in the Remote settings, shown in a new browser page."""
    started = time.monotonic()
    server = CodeServer(tools, home / "code-server", trust_enabled=trust_enabled)
    if user_settings:
        user = json.loads(server.settings_file("User").read_text("utf-8"))
        server.write_settings("User", {**user, **user_settings})
    server.write_settings("Machine", {"spoc.python": str(python)})
    server.install_extension()
    server.start(project)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        workbench = Workbench(context.new_page(), shots)
        workbench.open(f"{server.url}/?folder={project}")
        print(f"window on {project} ready in {time.monotonic() - started:.1f}s")
        yield Session(server, workbench, project, python)
    finally:
        context.close()
        server.stop()


def edit_and_save(workbench: Workbench) -> None:
    """Adds a space at the end of line 9 of the active editor (harmless TOML) and saves."""
    workbench.go_to(9, 1)
    workbench.press("End")
    workbench.type(" ")
    workbench.save()
