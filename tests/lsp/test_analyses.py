"""The host + snapshot shape: analyses run in the worker; requests await them, never run them.

A fake host whose ``analyze`` blocks on an event stands in for a slow analysis, so each test
can look at the event loop while the worker is busy, without any timing.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.lsp.analyses import Analyses
from spoc_lsp.lsp.host import Project


class SlowHost:
    """Analyses wait for ``release``; each records the thread it ran in and its texts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.release = threading.Event()
        self.calls: list[tuple[str, dict[Path, str]]] = []
        self.projects: dict[Path, Project] = {}

    def project(self, root: Path) -> Project:
        return self.projects.setdefault(root, Project(root, Path("python"), resolver=None))  # type: ignore[arg-type]

    def analyze(self, project: Project, texts: dict[Path, str]) -> Any:
        self.calls.append((threading.current_thread().name, dict(texts)))
        assert self.release.wait(10), "the test never released the analysis"
        analysis = _Analysis(take_snapshot(project.root, texts))
        project.analysis = analysis  # type: ignore[assignment]
        return analysis


class _Analysis:
    def __init__(self, snapshot: Any) -> None:
        self.snapshot = snapshot
        self.modules: dict[Path, Any] = {}  # (no split settings here)
        self.interface_files: frozenset[Path] = frozenset()  # (no interfaces declared)


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "spoc.toml").write_text('[spoc.plugins]\nhooks = ["a.b"]\n')
    return tmp_path


def toml(root: Path) -> Path:
    return (root / "config" / "spoc.toml").resolve()


async def test_a_request_awaits_the_analysis_in_the_worker_while_the_loop_runs_on(
    project_root: Path,
) -> None:
    host = SlowHost(project_root)
    analyses = Analyses(host)  # type: ignore[arg-type]
    project = host.project(project_root)
    texts = {toml(project_root): '[spoc.plugins]\nhooks = ["a.c"]\n'}
    request = asyncio.ensure_future(analyses.latest(project, texts))
    while not host.calls:  # the loop keeps turning while the worker holds the analysis
        await asyncio.sleep(0.01)
    assert not request.done()
    host.release.set()
    analysis = await request
    assert analysis.snapshot.document(toml(project_root)).text == texts[toml(project_root)]
    assert host.calls[0][0].startswith("spoc-analysis")  # not the loop's thread
    analyses.shutdown()


async def test_requests_share_the_run_in_flight_and_the_finished_one(project_root: Path) -> None:
    host = SlowHost(project_root)
    analyses = Analyses(host)  # type: ignore[arg-type]
    project = host.project(project_root)
    texts = {toml(project_root): "[spoc.plugins]\n"}
    first = asyncio.ensure_future(analyses.latest(project, texts))
    second = asyncio.ensure_future(analyses.latest(project, texts))
    await asyncio.sleep(0)
    host.release.set()
    assert await first is await second
    assert await analyses.latest(project, texts) is project.analysis
    assert len(host.calls) == 1
    analyses.shutdown()


async def test_a_cancelled_request_leaves_the_analysis_running_for_others(
    project_root: Path,
) -> None:
    host = SlowHost(project_root)
    analyses = Analyses(host)  # type: ignore[arg-type]
    project = host.project(project_root)
    texts = {toml(project_root): "[spoc.plugins]\n"}
    cancelled = asyncio.ensure_future(analyses.latest(project, texts))
    waiting = asyncio.ensure_future(analyses.latest(project, texts))
    await asyncio.sleep(0)
    cancelled.cancel()
    host.release.set()
    assert (await waiting).snapshot.document(toml(project_root)).text == "[spoc.plugins]\n"
    assert cancelled.cancelled()
    assert len(host.calls) == 1
    analyses.shutdown()


async def test_a_request_about_older_texts_is_answered_from_the_analysis_that_saw_them(
    project_root: Path,
) -> None:
    host = SlowHost(project_root)
    analyses = Analyses(host)  # type: ignore[arg-type]
    project = host.project(project_root)
    old = {toml(project_root): "[spoc.plugins]\n"}
    host.release.set()
    seen = await analyses.latest(project, old)
    host.release.clear()
    newer = analyses.ensure(project, {toml(project_root): '[spoc.plugins]\nx = ["y"]\n'})
    # The newer run is blocked in the worker; the request made on the old text does not wait.
    assert await analyses.latest(project, old) is seen
    assert not newer.result.done()
    host.release.set()
    await newer.result
    analyses.shutdown()


async def test_after_a_change_on_disk_the_next_request_waits_for_a_new_analysis(
    project_root: Path,
) -> None:
    host = SlowHost(project_root)
    analyses = Analyses(host)  # type: ignore[arg-type]
    project = host.project(project_root)
    host.release.set()
    first = await analyses.latest(project, {})
    assert await analyses.latest(project, {}) is first
    analyses.stale(project_root)  # a module file an answer read changed
    second = await analyses.latest(project, {})
    assert second is not first
    assert len(host.calls) == 2
    analyses.shutdown()


async def test_buffers_of_non_config_files_do_not_start_analyses(project_root: Path) -> None:
    host = SlowHost(project_root)
    analyses = Analyses(host)  # type: ignore[arg-type]
    project = host.project(project_root)
    host.release.set()
    await analyses.latest(project, {})
    module = project_root / "hooks.py"
    await analyses.latest(project, {module: "def on_start(): ...\n"})
    await analyses.latest(project, {module: "def on_start(): ...\ndef on_stop(): ...\n"})
    assert len(host.calls) == 1
    analyses.shutdown()


async def test_the_first_change_after_a_quiet_spell_is_not_debounced(
    project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Idle: analysed at once. A change while one waits, or while a run is in flight, waits
    out the debounce so a burst of keystrokes becomes one run."""
    from spoc_lsp.lsp.features import diagnostics

    delays: list[float] = []

    async def record(ls: Any, root: Path, delay: float) -> None:
        delays.append(delay)
        await asyncio.sleep(3600)  # stays pending until the next schedule cancels it

    monkeypatch.setattr(diagnostics, "_run_analysis", record)
    host = SlowHost(project_root)
    analyses = Analyses(host)  # type: ignore[arg-type]
    server = type("FakeServer", (), {})()
    server.pending = {}
    server.analyses = analyses
    diagnostics.schedule(server, project_root)  # quiet: at once
    await asyncio.sleep(0)
    diagnostics.schedule(server, project_root)  # the first still waits: debounced
    await asyncio.sleep(0)
    server.pending.pop(project_root).cancel()
    analyses.start(host.project(project_root), {})  # a run in flight, nothing waiting
    while not host.calls:
        await asyncio.sleep(0.01)
    diagnostics.schedule(server, project_root)  # busy: debounced
    await asyncio.sleep(0)
    server.pending.pop(project_root).cancel()
    host.release.set()
    assert delays == [0, diagnostics.DEBOUNCE_SECONDS, diagnostics.DEBOUNCE_SECONDS]
    analyses.shutdown()
