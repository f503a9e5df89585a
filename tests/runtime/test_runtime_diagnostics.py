"""SPOC008 diagnostics from runtime-check results, on the right entries and spans."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import spoc_lsp.syntax
from spoc.config import ProjectFiles
from spoc.plugins import PluginEntry, PluginGroup, PluginSource, Provenance, merge_plugins
from spoc_lsp.analysis.model import Diagnostic
from spoc_lsp.analysis.project import ConfigText, ProjectSnapshot
from spoc_lsp.runtime.diagnostics import probe_targets, runtime_diagnostics
from spoc_lsp.runtime.runner import ProbeResult, probe_uris
from spoc_lsp.syntax.model import ParsedConfig, Position, Span

CHECK = "spoc_lsp.analysis.analyze"


@pytest.fixture
def analysis_type() -> Iterator[Any]:
    """``ProjectAnalysis``, even while ``spoc_lsp.syntax.parse_config`` is still being written.

    ``spoc_lsp.analysis.analyze`` imports the parser at import time; when it is not there yet, a
    placeholder is lent for the import only and the module is forgotten afterwards, so no other
    test ever sees it. (The placeholder is never called: the analysis is built by hand here.)
    """
    try:
        module = importlib.import_module(CHECK)
    except ImportError:
        pass
    else:
        yield module.ProjectAnalysis
        return

    def placeholder(*_: object) -> None:  # pragma: no cover - never called
        raise AssertionError("the analysis is built by hand in these tests")

    had = hasattr(spoc_lsp.syntax, "parse_config")
    setattr(spoc_lsp.syntax, "parse_config", placeholder)  # noqa: B010
    try:
        module = importlib.import_module(CHECK)
    finally:
        if not had:
            delattr(spoc_lsp.syntax, "parse_config")
    try:
        yield module.ProjectAnalysis
    finally:
        sys.modules.pop(CHECK, None)
        analysis_package = sys.modules.get("spoc_lsp.analysis")
        if analysis_package is not None and hasattr(analysis_package, "check"):
            delattr(analysis_package, "check")


TOML = textwrap.dedent(
    """\
    [spoc.plugins]
    middleware = [
        "rtdiag.good",
        "rtdiag.broken",
        "rtdiag.good",
        "not a uri",
    ]
    commands = ["rtdiag.broken"]
    """
)


def span_of_string(text: str, value: str, occurrence: int = 0) -> Span:
    """The span of the ``occurrence``-th quoted ``value`` (its content, without quotes)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(f'"{value}"', start + 1)
    line = text.count("\n", 0, start)
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Span(Position(line, column), Position(line, column + len(value)))


def build_analysis(analysis_type: Any, root: Path) -> Any:
    """A ``ProjectAnalysis`` of ``TOML`` from its dataclass fields (no parser, no resolver)."""
    toml = root / "config" / "spoc.toml"
    toml.parent.mkdir(parents=True, exist_ok=True)
    toml.write_text(TOML, encoding="utf-8")
    listed = [
        ("middleware", "rtdiag.good", 0),
        ("middleware", "rtdiag.broken", 0),
        ("middleware", "rtdiag.good", 1),
        ("middleware", "not a uri", 0),
        ("commands", "rtdiag.broken", 1),
    ]
    spans: dict[PluginEntry, Span] = {}
    for group, uri, occurrence in listed:
        span = span_of_string(TOML, uri, occurrence)
        provenance = Provenance("toml", toml, span.start.line + 1, span.start.column + 1)
        spans[PluginEntry(group, uri, provenance)] = span
    entries = list(spans)
    source = PluginSource(
        "toml",
        toml,
        (
            PluginGroup("middleware", tuple(entries[:4])),
            PluginGroup("commands", tuple(entries[4:])),
        ),
    )
    snapshot = ProjectSnapshot(
        root=root,
        files=ProjectFiles(root, toml, None),
        toml=ConfigText("toml", toml, TOML),
        settings=None,
    )
    parsed = {toml: ParsedConfig(source=source, entry_spans=spans)}
    return analysis_type(
        snapshot=snapshot,
        parsed=parsed,
        plan=merge_plugins(source),
        resolutions={},
        diagnostics={toml: ()},
    )


def test_probe_targets_are_the_valid_distinct_uris_of_the_plan(
    analysis_type: Any, tmp_path: Path
) -> None:
    analysis = build_analysis(analysis_type, tmp_path)

    assert probe_targets(analysis) == ["rtdiag.good", "rtdiag.broken"]


def test_a_failing_entry_gets_an_spoc008_error_on_its_span(
    analysis_type: Any, tmp_path: Path
) -> None:
    analysis = build_analysis(analysis_type, tmp_path)
    toml = tmp_path / "config" / "spoc.toml"
    results = {
        "rtdiag.good": ProbeResult("rtdiag.good", True, kind="function"),
        "rtdiag.broken": ProbeResult(
            "rtdiag.broken", False, "ModuleNotFoundError", "No module named 'redis'"
        ),
        "not a uri": ProbeResult("not a uri", False, "UriError", "never probed"),
    }

    found = runtime_diagnostics(analysis, results)

    message = "importing 'rtdiag.broken' raised ModuleNotFoundError: No module named 'redis'"
    assert found == {
        toml: [
            Diagnostic(
                file=toml,
                span=span_of_string(TOML, "rtdiag.broken", 0),
                severity="error",
                code="SPOC008",
                message=message,
                uri="rtdiag.broken",
                group="middleware",
                source="toml",
            ),
            Diagnostic(
                file=toml,
                span=span_of_string(TOML, "rtdiag.broken", 1),
                severity="error",
                code="SPOC008",
                message=message,
                uri="rtdiag.broken",
                group="commands",
                source="toml",
            ),
        ]
    }


def test_a_timeout_becomes_an_error_with_the_timeout_message(
    analysis_type: Any, tmp_path: Path
) -> None:
    analysis = build_analysis(analysis_type, tmp_path)
    toml = tmp_path / "config" / "spoc.toml"
    slow = ProbeResult(
        "rtdiag.good",
        False,
        message="importing it did not finish within 1.5 s; the runtime check stopped it",
        timed_out=True,
    )

    found = runtime_diagnostics(analysis, {"rtdiag.good": slow})

    # Only the kept entry: the duplicate of "rtdiag.good" (SPOC004's business) gets nothing.
    assert [(d.span, d.message) for d in found[toml]] == [
        (
            span_of_string(TOML, "rtdiag.good", 0),
            "'rtdiag.good' failed the runtime check: importing it did not finish within 1.5 s; "
            "the runtime check stopped it",
        )
    ]


def test_no_failures_means_an_empty_list_per_config_file(
    analysis_type: Any, tmp_path: Path
) -> None:
    analysis = build_analysis(analysis_type, tmp_path)
    toml = tmp_path / "config" / "spoc.toml"

    assert runtime_diagnostics(analysis, {}) == {toml: []}


def test_end_to_end_probe_then_diagnose(analysis_type: Any, tmp_path: Path) -> None:
    analysis = build_analysis(analysis_type, tmp_path)
    package = tmp_path / "rtdiag"
    package.mkdir()
    (package / "__init__.py").write_text(
        "def good(): ...\nimport rtdiag_missing_dependency\n", encoding="utf-8"
    )
    (package / "broken.py").write_text("", encoding="utf-8")

    results = probe_uris(Path(sys.executable), tmp_path, probe_targets(analysis))
    found = runtime_diagnostics(analysis, results)

    missing = "rtdiag_missing_dependency"
    messages = sorted({d.message for d in found[tmp_path / "config" / "spoc.toml"]})
    assert messages == [
        f"importing '{uri}' raised ModuleNotFoundError: No module named '{missing}'"
        for uri in ("rtdiag.broken", "rtdiag.good")
    ]
    assert "rtdiag" not in sys.modules
