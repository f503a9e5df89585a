"""Analyses run in the worker; the event loop only starts them and reads their results.

The shape is rust-analyzer's host and snapshots: edits go to the host (the open buffers), an
analysis of a given set of texts runs in the one worker thread and, once done, is an immutable
:class:`~spoc_lsp.analysis.analyze.ProjectAnalysis`. A request reads the latest analysis when it
saw the texts the request was made on, else awaits the run in flight for those texts, else
starts one; it never runs an analysis, nor anything that takes a project's lock, on the loop.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from spoc_lsp.analysis.analyze import ProjectAnalysis
from spoc_lsp.analysis.project import config_kind
from spoc_lsp.lsp.host import Host, Project, interface_files

T = TypeVar("T")


@dataclass(frozen=True)
class Run:
    """One analysis started in the worker: the texts it reads and its future result."""

    number: int
    texts: Mapping[Path, str]
    result: asyncio.Future[ProjectAnalysis]


def project_texts(project: Project, overlays: Mapping[Path, str]) -> dict[Path, str]:
    """The open buffers an analysis of ``project`` reads: its config files', those of the
    modules its split settings import and those of the files its interface verdicts read (as
    the latest analysis found them)."""
    analysis = project.analysis
    modules = analysis.modules if analysis is not None else {}
    classes = interface_files(analysis)
    return {
        path: text
        for path, text in overlays.items()
        if config_kind(project.root, path) is not None or path in modules or path in classes
    }


def saw(analysis: ProjectAnalysis, texts: Mapping[Path, str]) -> bool:
    """Whether ``analysis`` read these texts for every config file (and module) it has, and
    for the open Python files its interface verdicts read."""
    for path, text in texts.items():
        document = analysis.snapshot.document(path) or analysis.modules.get(path)
        if document is not None and document.text != text:
            return False
        if document is None and analysis.snapshot.overlays.get(path, text) != text:
            return False
    return True


class Analyses:
    """The worker, the runs in flight per project, and a pool for request computations."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spoc-analysis")
        # Requests compute off the loop; they may wait for a project's lock held by the worker.
        self.requests = ThreadPoolExecutor(max_workers=2, thread_name_prefix="spoc-request")
        self._runs: dict[Path, Run] = {}  # the newest run started, per project root
        self._numbers = itertools.count(1)

    async def project(self, root: Path) -> Project:
        """The project at ``root``, created in the worker the first time (creating it asks the
        project's interpreter for its paths: a subprocess the loop must not wait on)."""
        known = self.host.projects.get(root)
        if known is not None:
            return known
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.worker, self.host.project, root)

    def start(self, project: Project, overlays: Mapping[Path, str]) -> Run:
        """Start an analysis of ``project`` with these open buffers (it queues in the worker)."""
        texts = project_texts(project, overlays)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.worker, self.host.analyze, project, texts)
        run = Run(next(self._numbers), texts, asyncio.ensure_future(future))
        run.result.add_done_callback(_retrieve)  # a failure is reported by whoever awaits it
        self._runs[project.root] = run
        return run

    def ensure(self, project: Project, overlays: Mapping[Path, str]) -> Run:
        """The newest run when it reads these texts (done or in flight), else a new one."""
        run = self._runs.get(project.root)
        if run is None or run.texts != project_texts(project, overlays) or _failed(run.result):
            run = self.start(project, overlays)
        return run

    def stale(self, root: Path) -> None:
        """Files an analysis of ``root`` read changed on disk: the next one must run anew."""
        self._runs.pop(root, None)

    def in_flight(self, root: Path) -> bool:
        """An analysis of ``root`` was started and has not finished."""
        run = self._runs.get(root)
        return run is not None and not run.result.done()

    def is_newest(self, project: Project, run: Run) -> bool:
        """No analysis of ``project`` was started after ``run``."""
        return self._runs.get(project.root) is run

    async def latest(self, project: Project, overlays: Mapping[Path, str]) -> ProjectAnalysis:
        """An analysis that read these texts: the newest run if it reads them (awaited while in
        flight), else the last finished one if it saw them and nothing it read changed on disk
        since, else a new run. Awaited, never run here."""
        texts = project_texts(project, overlays)
        run = self._runs.get(project.root)
        if run is not None and run.texts == texts and not _failed(run.result):
            # Shielded: a cancelled request must not cancel an analysis others wait for.
            return await asyncio.shield(run.result)
        current = project.analysis
        if run is not None and current is not None and saw(current, texts):
            return current  # asked about texts older than the run in flight: still answerable
        return await asyncio.shield(self.start(project, overlays).result)

    async def in_worker(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` in the worker, after the analyses queued before it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.worker, function, *args)

    async def compute(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` in a request thread (it may take a project's lock)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.requests, function, *args)

    def shutdown(self) -> None:
        """Stop the threads (at exit); queued work is dropped."""
        self.worker.shutdown(wait=False, cancel_futures=True)
        self.requests.shutdown(wait=False, cancel_futures=True)


def _failed(result: asyncio.Future[ProjectAnalysis]) -> bool:
    return result.done() and (result.cancelled() or result.exception() is not None)


def _retrieve(result: asyncio.Future[ProjectAnalysis]) -> None:
    # Mark the exception as seen even when no one is left waiting (a cancelled request).
    if not result.cancelled():
        result.exception()
