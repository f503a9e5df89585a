"""Rule control: inline suppression and ``[tool.spoc-lsp]`` severities, editor on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from spoc_lsp.analysis.analyze import analyze, present
from spoc_lsp.analysis.options import read_project_options
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.analysis.suppression import is_suppressed
from tests.analysis.test_analyze import ScriptedResolver, project


@pytest.mark.parametrize(
    ("line", "code", "expected"),
    [
        ('"a.b",  # spoc: ignore[SPOC002]', "SPOC002", True),
        ('"a.b",  # spoc: ignore[SPOC002]', "SPOC001", False),
        ('"a.b",  # spoc: ignore[SPOC001, SPOC003]', "SPOC003", True),
        ('"a.b",  # spoc: ignore[SPOC00]', "SPOC004", True),
        ('"a.b",  # spoc:ignore', "SPOC004", True),
        ('"a.b",  # noqa', "SPOC004", False),
        ('"a.b",', "SPOC004", False),
    ],
)
def test_inline_suppression(line: str, code: str, expected: bool) -> None:
    assert is_suppressed(line, code) is expected


def test_suppression_and_file_severity_and_editor_precedence(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        toml=(
            '[spoc.plugins]\nmw = [\n  "a..b",  # spoc: ignore[SPOC003]\n  "c..d",\n  "e..f",\n]\n'
        ),
        settings='PLUGINS = {"mw": ["g..h"]}  # spoc: ignore\n',
    )
    (root / "pyproject.toml").write_text('[tool.spoc-lsp]\nseverity = { SPOC003 = "warning" }\n')
    analysis = analyze(take_snapshot(root), ScriptedResolver())
    toml = root / "config" / "spoc.toml"
    shown = present(analysis)
    assert [(d.span.start.line, d.severity) for d in shown[toml]] == [
        (3, "warning"),
        (4, "warning"),
    ]
    assert shown[root / "config" / "settings.py"] == []
    editor = present(analysis, editor_severity={"SPOC003": "off"})
    assert editor[toml] == []


def test_bad_project_options_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.spoc-lsp]\nseverity = { SPOC001 = "loud" }\n')
    options = read_project_options(tmp_path)
    assert options.severity == {}
    assert "'loud' is not one of" in options.problems[0]
    (tmp_path / "pyproject.toml").write_text("[tool\n")
    assert "not valid TOML" in read_project_options(tmp_path).problems[0]
