"""A real VS Code (code-server) in headless Chromium, driven the way a user drives it.

``CodeServer`` installs a ``.vsix`` and serves one folder on a loopback port, with its user data,
extensions and XDG directories inside a temporary directory. ``Workbench`` is the browser page:
Quick Open, Go to Line, the command palette, the Problems panel, notifications, hovers, the
suggest widget and the code action menu, read from the DOM (what is on the screen), with a
screenshot per step.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# User settings that keep the window quiet and deterministic (no welcome page, no tips, no
# network), and show inlay hints without a key press.
USER_SETTINGS: dict[str, Any] = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoUpdate": False,
    "extensions.autoCheckUpdates": False,
    "extensions.ignoreRecommendations": True,
    "editor.inlayHints.enabled": "on",
    "editor.minimap.enabled": False,
    "editor.hover.delay": 100,
    "files.autoSave": "off",
    "chat.disableAIFeatures": True,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
}


@dataclass(frozen=True)
class Tools:
    """Where the prerequisites are (see prepare.sh)."""

    code_server: Path
    node: Path
    chromium: Path
    vsix: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.25) -> Any:
    """The first truthy value of ``condition()``; AssertionError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


class CodeServer:
    """One code-server process serving ``folder``, its state under ``home``."""

    def __init__(self, tools: Tools, home: Path, *, trust_enabled: bool) -> None:
        self.tools = tools
        self.home = home
        self.trust_enabled = trust_enabled
        self.user_data = home / "user-data"
        self.extensions = home / "extensions"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = home / "code-server.log"
        for name in ("User", "Machine"):
            (self.user_data / name).mkdir(parents=True, exist_ok=True)
        self.write_settings("User", USER_SETTINGS)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("VSCODE_", "XDG_", "VIRTUAL_ENV", "PYTHON"))
        }
        for name in ("CONFIG", "DATA", "CACHE", "STATE", "RUNTIME"):
            directory = self.home / "xdg" / name.lower()
            directory.mkdir(parents=True, exist_ok=True)
            env[f"XDG_{name}_HOME"] = str(directory)
        env["PATH"] = f"{self.tools.node.parent}{os.pathsep}{env.get('PATH', '')}"
        return env

    def write_settings(self, scope: str, settings: dict[str, Any]) -> None:
        """``scope``: ``User`` or ``Machine`` (the Remote settings of a remote window)."""
        path = self.user_data / scope / "settings.json"
        path.write_text(json.dumps(settings, indent=2))

    def settings_file(self, scope: str) -> Path:
        return self.user_data / scope / "settings.json"

    def base_command(self) -> list[str]:
        return [
            str(self.tools.code_server),
            "--user-data-dir",
            str(self.user_data),
            "--extensions-dir",
            str(self.extensions),
        ]

    def install_extension(self) -> str:
        result = subprocess.run(
            [*self.base_command(), "--install-extension", str(self.tools.vsix)],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"--install-extension failed:\n{output}"
        assert "successfully installed" in output, output
        return output

    def start(self, folder: Path) -> None:
        command = [
            *self.base_command(),
            "--auth",
            "none",
            "--bind-addr",
            f"127.0.0.1:{self.port}",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-getting-started-override",
            "--ignore-last-opened",
        ]
        if not self.trust_enabled:
            command.append("--disable-workspace-trust")
        command.append(str(folder))
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._healthy, 120, f"code-server on {self.url} (log: {self.log_path})", 0.5)

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"code-server exited with {self.process.returncode}:\n{self.log_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    def output_channel(self, name: str) -> str:
        """The text of an extension's output channel, as code-server logs it to disk."""
        texts = [
            path.read_text("utf-8", errors="replace")
            for path in sorted((self.user_data / "logs").glob(f"**/*{name}.log"))
        ]
        return "\n".join(texts)

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def launch_browser(playwright: Playwright, chromium: Path) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
    )


class Workbench:
    """The VS Code window in a browser page, used through the keyboard and read from the DOM."""

    def __init__(self, page: Page, shots: Path) -> None:
        self.page = page
        self.shots = shots
        shots.mkdir(parents=True, exist_ok=True)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector(".monaco-workbench", timeout=120_000)
        # The explorer shows the folder once the remote file system answers.
        self.page.wait_for_selector(".explorer-folders-view, .explorer-viewlet", timeout=120_000)

    def screenshot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text, delay=20)

    def escape(self) -> None:
        self.page.keyboard.press("Escape")

    # -- editors ---------------------------------------------------------------------------------

    def quick_open(self, relative: str) -> None:
        """Ctrl+P, the file's path, Enter; waits until its tab is the active one."""
        self.focus_editor_area()
        self.press("Control+P")
        widget = self.page.wait_for_selector(".quick-input-widget input", timeout=30_000)
        assert widget is not None
        self.type(relative)
        name = relative.rsplit("/", 1)[-1]
        # The first pick is the file once the file search has answered.
        self.page.wait_for_selector(
            f".quick-input-list .monaco-list-row[aria-label*='{name}']", timeout=30_000
        )
        self.press("Enter")
        self.page.wait_for_selector(f".tab.active[aria-label*='{name}']", timeout=30_000)
        self.page.wait_for_selector(".monaco-editor.focused", timeout=30_000)

    def focus_editor_area(self) -> None:
        self.page.keyboard.press("Escape")

    def go_to(self, line: int, column: int) -> None:
        """Ctrl+G ``line:column`` (1-based, as the status bar shows them)."""
        self.press("Control+G")
        self.page.wait_for_selector(".quick-input-widget input", timeout=30_000)
        self.type(f"{line}:{column}")
        self.press("Enter")
        wait_until(
            lambda: f"Ln {line}, Col {column}" in self.status_bar(),
            15,
            f"the cursor at Ln {line}, Col {column}",
        )

    def status_bar(self) -> str:
        return self.page.inner_text("#workbench\\.parts\\.statusbar")

    def visible_lines(self) -> list[str]:
        """The active editor's visible lines, in order, as rendered (inlay hints included)."""
        lines: list[dict[str, Any]] = self.page.eval_on_selector_all(
            ".editor-group-container.active .monaco-editor .view-lines .view-line",
            "rows => rows.map(r => ({top: parseFloat(r.style.top || '0'), text: r.textContent}))",
        )
        return [row["text"].replace("\u00a0", " ") for row in sorted(lines, key=lambda r: r["top"])]

    def line_containing(self, needle: str) -> str:
        for line in self.visible_lines():
            if needle in line:
                return line
        raise AssertionError(f"no visible line contains {needle!r}: {self.visible_lines()}")

    def inlay_hints(self) -> list[str]:
        """Texts of the inlay hints rendered in the active editor."""
        texts: list[str] = self.page.eval_on_selector_all(
            ".editor-group-container.active .monaco-editor .view-lines span[class*='dyn-rule']",
            "spans => spans.map(s => s.textContent)",
        )
        return [text.replace("\u00a0", " ").strip() for text in texts if text.strip()]

    def save(self) -> None:
        self.press("Control+S")

    # -- commands, panels, widgets ---------------------------------------------------------------

    def run_command(self, title: str) -> None:
        """F1, the command's title, Enter on the row showing exactly that title."""
        self.press("F1")
        self.page.wait_for_selector(".quick-input-widget input", timeout=30_000)
        self.type(title)
        self.page.wait_for_selector(
            f".quick-input-list .monaco-list-row[aria-label*='{title}']", timeout=30_000
        )
        self.press("Enter")

    def problems(self) -> str:
        """The Problems panel's text (opened with Ctrl+Shift+M)."""
        if not self.page.is_visible(".markers-panel"):
            self.press("Control+Shift+M")
            self.page.wait_for_selector(".markers-panel", timeout=30_000)
        return self.page.inner_text(".markers-panel")

    def notifications(self) -> list[str]:
        return [
            text.replace("\u00a0", " ")
            for text in self.page.locator(".notification-toast").all_inner_texts()
        ]

    def clear_notifications(self) -> None:
        self.run_command("Notifications: Clear All Notifications")
        wait_until(lambda: not self.notifications(), 15, "the notifications to be cleared")

    def hover_text(self) -> str:
        texts = self.page.locator(".monaco-hover:visible").all_inner_texts()
        return "\n".join(texts)

    def suggestions(self) -> list[str]:
        return self.page.locator(
            ".editor-widget.suggest-widget.visible .monaco-list-row .label-name"
        ).all_inner_texts()

    def code_actions(self) -> list[str]:
        return self.page.locator(".action-widget .monaco-list-row.action").all_inner_texts()

    def tab_labels(self) -> list[str]:
        return self.page.locator(".tabs-container .tab").all_inner_texts()


@contextlib.contextmanager
def step(workbench: Workbench, name: str) -> Iterator[None]:
    """A screenshot after the step, whether it passed or not (the failing screen is the clue)."""
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            workbench.screenshot(name)


def settled(read: Callable[[], str], pattern: str, timeout: float, what: str) -> str:
    """The text once ``pattern`` (a regular expression) is found in it."""
    compiled = re.compile(pattern)
    text: str = wait_until(
        lambda: (value := read()) and compiled.search(value) and value, timeout, what
    )
    return text
