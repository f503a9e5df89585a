"""Fixtures for the runtime tests: throwaway SPOC projects written into ``tmp_path``."""

from __future__ import annotations

import importlib
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

MakeProject = Callable[[Mapping[str, str]], Path]
LineOf = Callable[[Path, str], int]


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root``; texts are dedented and a single leading
    newline is dropped, so ``'''\\n    [spoc]...'''`` starts at line 1."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(text)
        path.write_text(text[1:] if text.startswith("\n") else text, encoding="utf-8")
    importlib.invalidate_caches()
    return root


@pytest.fixture
def make_project(tmp_path: Path, isolated_imports: None) -> MakeProject:
    """Write a project under ``tmp_path/project``; its imports are undone after the test."""
    return lambda files: write_tree(tmp_path / "project", files)


@pytest.fixture
def line_of() -> LineOf:
    """The 1-based line of the only line of a file containing ``needle``."""

    def find(path: Path, needle: str) -> int:
        lines = path.read_text(encoding="utf-8").splitlines()
        hits = [number for number, line in enumerate(lines, start=1) if needle in line]
        assert len(hits) == 1, f"{needle!r} is on lines {hits} of {path}"
        return hits[0]

    return find
