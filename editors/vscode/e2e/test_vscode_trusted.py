"""The VS Code extension in a real VS Code (code-server), used as a person would use it.

The ``.vsix`` built by this run is installed into code-server; headless Chromium shows the
window; every check reads what is on the screen (Problems panel, hovers, the suggest widget, the
code action menu, notifications, editor lines with their inlay hints, editor tabs), and every step
leaves a screenshot in ``editors/vscode/e2e/screenshots/``.

Two windows are opened, one after the other:

* a trusted one (``--disable-workspace-trust``) on a copy of ``examples/broken`` whose ``.venv``
  has spoc-lsp installed, ``spoc.python`` in the Remote settings (code-server's window is a
  remote window, so machine-overridable keys are read from ``<user-data>/Machine/settings.json``):
  diagnostics, inlay hints, hover, completion, a quick fix, both commands, the runtime check,
  then interpreters that lack spoc-lsp or do not exist;
* an untrusted one (Workspace Trust enabled, trust refused) where ``runtimeCheck: "onSave"`` is
  set and a save must import nothing.

The first test needs no browser: it starts the server exactly as language clients that append
``--stdio`` do (vscode-languageclient with ``TransportKind.stdio``, and the pyright/ruff
convention). The extension itself no longer appends it, so this is what fails when the server
rejects ``--stdio`` again.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import (
    DIAGNOSTICS_TIMEOUT,
    MARKER,
    OUTPUT,
    Session,
    cli_problems,
    edit_and_save,
    make_project,
    make_venv,
    panel_problems,
    server_pids,
    window,
)
from playwright.sync_api import Browser
from workbench import Tools, settled, step, wait_until


def lsp_message(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_server_starts_with_the_stdio_argument_clients_append(tmp_path: Path) -> None:
    """``python -m spoc_lsp --stdio``, as vscode-languageclient's TransportKind.stdio runs it,
    answers ``initialize`` and exits on ``exit``."""
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": {}},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None},
        {"jsonrpc": "2.0", "method": "exit", "params": None},
    ]
    result = subprocess.run(
        [sys.executable, "-m", "spoc_lsp", "--stdio"],
        input=b"".join(lsp_message(m) for m in messages),
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    stderr = result.stderr.decode(errors="replace")
    assert b"unrecognized arguments" not in result.stderr, stderr
    assert b'"id": 1' in result.stdout or b'"id":1' in result.stdout, (result.stdout, stderr)
    assert b"capabilities" in result.stdout, (result.stdout[:2000], stderr)
    assert result.returncode == 0, stderr


# ----------------------------------------------------------------------------------------------
# A trusted window
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trusted(
    browser: Browser, tools: Tools, shots: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Session]:
    home = tmp_path_factory.mktemp("vscode-trusted")
    project = make_project(home)
    python = make_venv(project / ".venv", with_server=True)
    with window(browser, tools, home, project, python, shots / "trusted", trust_enabled=False) as s:
        yield s


def test_problems_panel_lists_each_planted_mistake_with_code_and_position(trusted: Session) -> None:
    workbench = trusted.workbench
    expected = cli_problems(trusted.python, trusted.project)
    assert len(expected) == 8
    with step(workbench, "01-problems"):
        workbench.quick_open("config/settings.py")
        text = settled(
            workbench.problems,
            r"^(?=[\s\S]*SPOC001)(?=[\s\S]*SPOC002)",
            DIAGNOSTICS_TIMEOUT,
            "the Problems panel to list the diagnostics of both config files",
        )
        wait_until(
            lambda: panel_problems(workbench.problems()) == expected,
            30,
            f"the Problems panel to show exactly {expected}",
        )
    text = workbench.problems()
    assert "did you mean 'TimingMiddleware'?" in text
    assert "spoc\nSPOC002\n[Ln 13, Col 33]" in text  # source, code, position of one row
    assert panel_problems(text) == expected


def test_inlay_hints_show_each_plugins_position_in_its_group(trusted: Session) -> None:
    workbench = trusted.workbench
    with step(workbench, "02-inlay-hints"):
        workbench.quick_open("config/spoc.toml")
        wait_until(lambda: len(workbench.inlay_hints()) >= 6, 60, "inlay hints in spoc.toml")
    # middleware merges 2 TOML entries with 1 of the settings module (the other is a duplicate).
    assert workbench.line_containing("request_id.add_request_id").endswith('"#1/3,')
    assert workbench.line_containing("cors.CorsMiddleware").endswith('"#2/3,')
    assert workbench.line_containing("core.hooks. on_shutdown").endswith('"#2/2,')
    assert workbench.inlay_hints() == ["#1/3", "#2/3", "#1/2", "#2/2", "#1/1", "#1/1"]


def test_hover_shows_the_resolved_function_and_the_merged_order(trusted: Session) -> None:
    workbench = trusted.workbench
    with step(workbench, "03-hover"):
        workbench.quick_open("config/spoc.toml")
        workbench.go_to(13, 35)  # inside "add_request_id"
        workbench.press("Control+K", "Control+I")  # Show Hover
        text = settled(workbench.hover_text, r"Defined in", 30, "the hover")
    assert "function core.middleware.request_id.add_request_id" in text
    assert "def add_request_id(request: dict[str, object]) -> dict[str, object]" in text
    assert "Defined in apps/core/middleware/request_id.py:6" in text
    assert "middleware: merged load order" in text
    workbench.escape()


def test_completion_inside_a_half_typed_uri_offers_the_packages_modules(trusted: Session) -> None:
    workbench = trusted.workbench
    with step(workbench, "04-completion"):
        workbench.quick_open("config/spoc.toml")
        workbench.go_to(14, 43)  # end of the CorsMiddleware line, after the comma
        workbench.press("Enter")
        workbench.type('"core.')
        labels: list[str] = []

        def offered() -> bool:
            labels[:] = workbench.suggestions()
            return "middleware" in labels

        try:
            wait_until(offered, 10, "the suggest widget after '.'")
        except AssertionError:
            workbench.press("Control+Space")  # what a user does when it does not pop up
            wait_until(offered, 30, "the suggest widget after Ctrl+Space")
    assert {"hooks", "middleware", "models", "views"} <= set(labels), labels
    # Accepting an item replaces the segment being typed: the server sends that range once,
    # as the list's default edit range, and VS Code applies it to the item.
    with step(workbench, "04b-completion-accepted"):
        workbench.type("midd")
        wait_until(lambda: workbench.suggestions()[:1] == ["middleware"], 10, "'middleware'")
        workbench.press("Enter")
        # The typed line, and nothing else: other lines of the file name core.middleware.*.
        accepted = ('"core.middleware', '"core.middleware"')

        def typed_line() -> list[str]:
            lines = [line.strip() for line in workbench.visible_lines()]
            return [line for line in lines if line.startswith('"core.') and "." not in line[6:]]

        wait_until(lambda: typed_line() and typed_line()[0] in accepted, 10, "the item applied")
    workbench.escape()
    workbench.press("Control+Shift+K")  # delete the half-typed line again
    wait_until(lambda: not typed_line(), 10, "the half-typed line to be gone")


def test_quick_fix_replaces_the_misspelt_package(trusted: Session) -> None:
    workbench = trusted.workbench
    with step(workbench, "05-quick-fix-menu"):
        workbench.quick_open("config/spoc.toml")
        workbench.go_to(21, 8)  # inside "catalgo"
        workbench.press("Control+.")
        actions = wait_until(workbench.code_actions, 30, "the code action menu")
    assert "Change 'catalgo' to 'catalog'" in actions, actions
    with step(workbench, "06-quick-fix-applied"):
        for _ in range(actions.index("Change 'catalgo' to 'catalog'")):
            workbench.press("ArrowDown")
        workbench.press("Enter")
        wait_until(
            lambda: (
                '"catalog.signals.on_product_saved"'
                in workbench.line_containing("signals.on_product_saved")
            ),
            15,
            "the fixed line",
        )
        workbench.save()
        wait_until(
            lambda: "SPOC001" not in workbench.problems(),
            DIAGNOSTICS_TIMEOUT,
            "SPOC001 to leave the Problems panel",
        )
    assert "catalgo" not in (trusted.project / "config" / "spoc.toml").read_text("utf-8")
    assert len(panel_problems(workbench.problems())) == 7


def test_show_merged_plugins_opens_the_plan(trusted: Session) -> None:
    workbench = trusted.workbench
    with step(workbench, "07-show-merged-plugins"):
        workbench.run_command("SPOC: Show Merged Plugins")
        wait_until(
            lambda: any("spoc-merged-plugins" in label for label in workbench.tab_labels()),
            30,
            "the merged plugins tab",
        )
        wait_until(lambda: "[middleware]" in workbench.visible_lines(), 30, "the plan's text")
    lines = workbench.visible_lines()
    assert lines[0] == f"# {trusted.project}"
    assert any(
        re.match(
            r"\s+1\. core\.middleware\.request_id\.add_request_id\s+config/spoc\.toml:13", line
        )
        for line in lines
    ), lines
    assert any("TimingMidleware" in line and "UNRESOLVED" in line for line in lines), lines


def test_restart_server_replaces_the_server_process(trusted: Session) -> None:
    workbench = trusted.workbench
    before = server_pids(trusted.python)
    assert len(before) == 1, before
    with step(workbench, "08-restart-server"):
        workbench.run_command("SPOC: Restart Server")
        log = settled(
            lambda: trusted.server.output_channel(OUTPUT),
            r"starting the server: command\.[\s\S]*The server is running\.",
            60,
            "the output channel to report the restart",
        )
        wait_until(
            lambda: (now := server_pids(trusted.python)) and not now & before,
            30,
            "a new server process in place of the old one",
        )
        wait_until(
            lambda: "SPOC002" in workbench.problems(),
            DIAGNOSTICS_TIMEOUT,
            "diagnostics from the restarted server",
        )
    assert "(Re)starting the server: command." in log


def test_runtime_check_on_save_imports_the_plugins_in_a_trusted_workspace(trusted: Session) -> None:
    """The positive control for the untrusted window: the same save runs project code here."""
    workbench = trusted.workbench
    marker = trusted.project / "apps" / "core" / MARKER
    assert not marker.exists(), "project code ran before the runtime check was asked for"
    settings = trusted.project / ".vscode" / "settings.json"
    settings.parent.mkdir(exist_ok=True)
    settings.write_text(json.dumps({"spoc.runtimeCheck": "onSave"}))
    with step(workbench, "09-runtime-check-trusted"):
        workbench.quick_open("config/spoc.toml")
        started = time.monotonic()
        # The settings file is picked up asynchronously: edit and save until the check runs.
        deadline = started + 90
        while not marker.exists() and time.monotonic() < deadline:
            edit_and_save(workbench)
            with contextlib.suppress(AssertionError):
                wait_until(marker.exists, 15, "the runtime check to import core.hooks")
        assert marker.exists(), "saving with runtimeCheck onSave imported nothing"
        settled(workbench.problems, r"SPOC008", 60, "SPOC008 from the runtime check")
        print(f"runtime check: project code ran {time.monotonic() - started:.1f}s after saving")
    settings.write_text(json.dumps({}))


def test_an_interpreter_without_the_server_gets_the_install_command(
    trusted: Session, tmp_path: Path
) -> None:
    workbench = trusted.workbench
    bare = make_venv(tmp_path / "bare-venv", with_server=False)
    with step(workbench, "10-not-installed"):
        trusted.server.write_settings("Machine", {"spoc.python": str(bare)})
        text = settled(
            lambda: "\n".join(workbench.notifications()),
            r"is not installed",
            60,
            "the not-installed notification",
        )
        time.sleep(1)  # let the toast finish sliding in for the screenshot
    assert f'the spoc-lsp server is not installed for the Python interpreter "{bare}"' in text
    assert f"Install it with: {bare} -m pip install spoc-lsp" in text
    assert "Copy install command" in text and "Open Settings" in text
    # The restart this setting causes sends nothing to the server being stopped.
    assert not [note for note in workbench.notifications() if "Sending notification" in note]
    workbench.clear_notifications()


def test_a_missing_interpreter_names_the_settings_file_it_came_from(trusted: Session) -> None:
    workbench = trusted.workbench
    settings = trusted.project / ".vscode" / "settings.json"
    missing = trusted.project / "nowhere" / "bin" / "python"
    with step(workbench, "11-interpreter-not-found"):
        settings.write_text(json.dumps({"spoc.python": "${workspaceFolder}/nowhere/bin/python"}))
        text = settled(
            lambda: "\n".join(workbench.notifications()),
            r"was not found",
            60,
            "the interpreter-not-found notification",
        )
        time.sleep(1)  # let the toast finish sliding in for the screenshot
    assert f'the Python interpreter "{missing}" was not found' in text
    assert f'"spoc.python" was read from the workspace settings ({settings})' in text
