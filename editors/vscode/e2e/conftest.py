"""Prerequisites of the real-VS-Code test: found, or a clear failure in CI (never a silent skip).

``make vscode-e2e`` runs ``prepare.sh`` (which installs them) and passes their paths in
``SPOC_E2E_*`` variables. Run by hand without them, the tests are skipped with the command that
sets them up; with ``CI=true`` a missing piece fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
EXTENSION = REPO / "editors" / "vscode"


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"VS Code end-to-end prerequisite missing in CI: {reason}", pytrace=False)
    pytest.skip(f"{reason} (run `make vscode-e2e`, which installs everything)")


def _tool(variable: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        _missing(f"${variable} is not set")
    path = Path(str(value))
    if not (path.is_file() and os.access(path, os.X_OK)):
        _missing(f"${variable}={value} is not an executable file")
    return path


def _vsix() -> Path:
    version = json.loads((EXTENSION / "package.json").read_text("utf-8"))["version"]
    path = Path(os.environ.get("SPOC_E2E_VSIX") or EXTENSION / f"spoc-lsp-{version}.vsix")
    if not path.is_file():
        _missing(f"{path} is missing (build it: cd editors/vscode && npm ci && npm run package)")
    return path


@pytest.fixture(scope="session")
def tools() -> object:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed in this interpreter")
    from workbench import Tools

    chromium = os.environ.get("SPOC_E2E_CHROMIUM") or shutil.which("chromium") or ""
    os.environ["SPOC_E2E_CHROMIUM"] = chromium
    return Tools(
        code_server=_tool("SPOC_E2E_CODE_SERVER"),
        node=_tool("SPOC_E2E_NODE"),
        chromium=_tool("SPOC_E2E_CHROMIUM"),
        vsix=_vsix(),
    )


@pytest.fixture(scope="session")
def shots() -> Path:
    """Screenshots of every step, kept for people and CI artifacts (git-ignored)."""
    path = Path(os.environ.get("SPOC_E2E_SCREENSHOTS") or EXTENSION / "e2e" / "screenshots")
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="session")
def browser(tools: object) -> object:
    """Debian's Chromium, headless, driven by playwright (its own browser download is unused)."""
    from playwright.sync_api import sync_playwright
    from workbench import Tools, launch_browser

    assert isinstance(tools, Tools)
    with sync_playwright() as playwright:
        chromium = launch_browser(playwright, tools.chromium)
        yield chromium
        chromium.close()
