"""Project options from ``[tool.spoc-lsp]`` in ``pyproject.toml``, combined with the editor's.

Precedence: the editor's settings win over the file, code by code, so a user can quiet a rule
locally without changing the team's file; the file is what ``spoc-lsp check`` uses in CI.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SEVERITY_LEVELS = ("error", "warning", "information", "hint", "off")


@dataclass(frozen=True)
class ProjectOptions:
    """What ``[tool.spoc-lsp]`` sets, and what in it was ignored (with why)."""

    severity: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def read_project_options(root: Path) -> ProjectOptions:
    """Read ``<root>/pyproject.toml``'s ``[tool.spoc-lsp]``; never raises."""
    path = root / "pyproject.toml"
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ProjectOptions()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return ProjectOptions(problems=(f"pyproject.toml is not valid TOML: {error}",))
    tool = data.get("tool", {})
    if not isinstance(tool, Mapping):  # `tool = 5`: not ours to report, and nothing to read
        return ProjectOptions()
    table = tool.get("spoc-lsp", {})
    if not isinstance(table, Mapping):
        return ProjectOptions(problems=("[tool.spoc-lsp] must be a table",))
    raw = table.get("severity", {})
    if not isinstance(raw, Mapping):
        return ProjectOptions(problems=("[tool.spoc-lsp] severity must be a table",))
    severity: dict[str, str] = {}
    problems: list[str] = []
    for code, level in raw.items():
        if level in SEVERITY_LEVELS:
            severity[str(code)] = str(level)
        else:
            problems.append(
                f"[tool.spoc-lsp] severity.{code} = {level!r} is not one of "
                f"{', '.join(SEVERITY_LEVELS)}; ignored"
            )
    return ProjectOptions(severity=severity, problems=tuple(problems))


def combine_severity(file: Mapping[str, str], editor: Mapping[str, str]) -> dict[str, str]:
    """One override table: the file's, then the editor's on top."""
    return {**file, **editor}
