"""The extension in an untrusted workspace of a real VS Code: no project code runs.

Workspace Trust is enabled and the prompt is answered "No"; ``spoc.runtimeCheck`` is
``"onSave"`` in the User settings; ``spoc.python`` (in the Remote settings) is a venv outside the
workspace, since one inside it is refused. A save must neither import the plugins (the copy's
``core.hooks`` leaves a marker file when imported) nor report SPOC008, while the static
diagnostics still show. ``test_vscode_trusted.py`` has the positive control: the same save in a
trusted window imports them.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import (
    DIAGNOSTICS_TIMEOUT,
    MARKER,
    OUTPUT,
    Session,
    edit_and_save,
    make_project,
    make_venv,
    window,
)
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from workbench import Tools, settled, step, wait_until


@pytest.fixture(scope="module")
def untrusted(
    browser: Browser, tools: Tools, shots: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Session]:
    home = tmp_path_factory.mktemp("vscode-untrusted")
    project = make_project(home)
    python = make_venv(home / "server-venv", with_server=True)
    with window(
        browser,
        tools,
        home,
        project,
        python,
        shots / "untrusted",
        trust_enabled=True,
        user_settings={"spoc.runtimeCheck": "onSave"},
    ) as session:
        yield session


def test_untrusted_workspace_runs_no_runtime_check(untrusted: Session) -> None:
    workbench = untrusted.workbench
    page = workbench.page
    with step(workbench, "12-restricted-mode"):
        # code-server opens an unknown folder in Restricted Mode; should a trust prompt show
        # instead, it is answered "No".
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_selector(".monaco-dialog-box", timeout=5_000)
            page.get_by_role("button", name=re.compile("No, I don't trust", re.IGNORECASE)).click()
        wait_until(
            lambda: "Restricted Mode" in workbench.status_bar(),
            30,
            "Restricted Mode in the status bar",
        )
    with step(workbench, "13-untrusted-static-diagnostics"):
        workbench.quick_open("config/spoc.toml")
        settled(
            workbench.problems,
            r"SPOC001",
            DIAGNOSTICS_TIMEOUT,
            "static diagnostics in the untrusted window",
        )
    with step(workbench, "14-untrusted-saved"):
        for _ in range(2):  # the trusted window's check ran within seconds of one save
            edit_and_save(workbench)
            time.sleep(8)
        problems = workbench.problems()
    toml = (untrusted.project / "config" / "spoc.toml").read_text("utf-8").splitlines()
    assert toml[8].endswith("  "), "both saves reached the disk"
    marker = untrusted.project / "apps" / "core" / MARKER
    assert not marker.exists(), "the untrusted workspace imported project code"
    assert "SPOC008" not in problems
    assert "SPOC001" in problems  # the static check still runs
    log = untrusted.server.output_channel(OUTPUT)
    assert "The workspace is not trusted: the runtime check is off." in log
    assert f"Interpreter: {untrusted.python} (from setting)" in log
