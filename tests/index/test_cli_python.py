"""``spoc-lsp check/env --python REL``: a relative interpreter path on the command line is taken
from the current directory (BENCHMARKS finding 6), unlike the server setting (project root)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from spoc_lsp import cli
from spoc_lsp.cli import main

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


@pytest.fixture(autouse=True)
def keep_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` turns the cyclic collector off for a one-shot command: not in this process."""
    monkeypatch.setattr(cli, "tune_garbage_collector", lambda one_shot: None)


def test_relative_python_is_taken_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rel").mkdir()
    (tmp_path / "rel" / "python").symlink_to(sys.executable)
    monkeypatch.chdir(tmp_path)
    assert main(["env", str(SHOP), "--python", "rel/python", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["interpreter"]["executable"] == str(tmp_path / "rel" / "python")


def test_a_missing_relative_python_is_named_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", str(SHOP), "--python", "nope/python"]) == 2
    assert "--python nope/python: no such interpreter" in capsys.readouterr().err
