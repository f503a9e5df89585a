"""Really import plugin URIs, in a subprocess of the project's interpreter, with a deadline each.

This is the only place spoc-lsp runs project code, and only when the user asks for it
(``spoc-lsp check --runtime``, or the server setting ``runtimeCheck: "onSave"``). The server's own
process never imports a plugin: :func:`probe_uris` starts ``agent.py`` (standard library only)
with the project's interpreter and reads its replies.

Guarantees:

- never raises for anything the project does: a missing interpreter, a plugin that hangs, prints
  megabytes, segfaults or calls ``os._exit`` all end up as a :class:`ProbeResult` with a message;
- each URI has its own deadline (``timeout``); a URI that does not finish in time is stopped by
  killing the agent's whole process group, and a fresh agent probes the URIs after it;
- the agent's stderr (where the plugins' output goes) is drained and only its tail kept, and the
  protocol stream read is capped at ``max_output_bytes``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spoc
from spoc_lsp.runtime.agent_process import (
    EOF,
    EXIT,
    LINE,
    OVERFLOW,
    Budget,
    Event,
    StderrTail,
    agent_environment,
    feed,
    kill_group,
    read_protocol,
    runnable_interpreter,
    wait_for_exit,
)
from spoc_lsp.runtime.results import ProbeResult, exit_description, failure, parse_result

AGENT = Path(__file__).resolve().with_name("agent.py")
SPOC_PARENT = Path(spoc.__file__).resolve().parent.parent  # the directory holding our ``spoc``
STARTUP_TIMEOUT = 10.0  # seconds for the agent to start, at least (interpreter + spoc.importer)
_CANCEL_POLL = 0.1  # seconds between looks at the cancel event

__all__ = ["ProbeResult", "probe_uris", "probe_uris_async"]


def _seconds(value: float) -> str:
    return str(float(value))


@dataclass
class _Outcome:
    """What one agent process did: results in order, and whether the rest must all fail."""

    results: list[ProbeResult] = field(default_factory=list)
    stop_all: str | None = None  # a message for every URI still unanswered
    incident: str | None = None  # the agent failed between two URIs (retried after progress)
    finished: bool = False  # the agent said it was done


class _Run:
    """One agent process probing ``uris`` in order until done, a deadline, or a crash."""

    def __init__(
        self,
        python: str,
        root: Path,
        uris: Sequence[str],
        extra_paths: Sequence[str],
        timeout: float,
        budget: Budget,
        cancel: threading.Event | None,
    ) -> None:
        self.python = python
        self.root = root
        self.uris = list(uris)
        self.expected = set(uris)
        self.extra_paths = list(extra_paths)
        self.timeout = timeout
        self.budget = budget
        self.cancel = cancel
        self.events: queue.Queue[Event] = queue.Queue()
        self.outcome = _Outcome()
        self.pending: str | None = None
        self.ready = False
        self.saw_eof = False
        self.exit_code: int | None = None
        self.stderr: StderrTail | None = None

    def command(self) -> list[str]:
        return [
            self.python,
            str(AGENT),
            f"--root={self.root}",
            f"--spoc-path={SPOC_PARENT}",
            *(f"--path={path}" for path in self.extra_paths),
        ]

    def execute(self) -> _Outcome:
        try:
            process = subprocess.Popen(
                self.command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=str(self.root),
                env=agent_environment(),
                start_new_session=sys.platform != "win32",
            )
        except OSError as error:
            reason = error.strerror or str(error)
            self.outcome.stop_all = f"cannot start the interpreter {self.python}: {reason}"
            return self.outcome
        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        requests = "".join(json.dumps({"uri": uri}) + "\n" for uri in self.uris)
        threads = [
            threading.Thread(
                target=feed, args=(process.stdin, requests.encode("utf-8")), daemon=True
            ),
            threading.Thread(
                target=read_protocol,
                args=(process.stdout, self.events, self.budget),
                daemon=True,
            ),
            threading.Thread(target=wait_for_exit, args=(process, self.events), daemon=True),
        ]
        self.stderr = StderrTail(process.stderr)
        for thread in threads:
            thread.start()
        try:
            self._converse()
        finally:
            kill_group(process)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5.0)
            for thread in threads:
                thread.join(0.5)
        return self.outcome

    def _converse(self) -> None:
        deadline = time.monotonic() + max(self.timeout, STARTUP_TIMEOUT)
        while True:
            left = deadline - time.monotonic()
            if self.cancel is not None:
                if self.cancel.is_set():
                    self._stop("the runtime check was cancelled")
                    return
                left = min(left, _CANCEL_POLL)
            try:
                kind, payload = self.events.get(timeout=max(left, 0.0))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    self._deadline_passed()
                    return
                continue
            if kind == LINE:
                if self._message(payload):
                    return
                deadline = time.monotonic() + self.timeout
            elif kind == OVERFLOW:
                self._stop(
                    f"the runtime check process wrote more than {self.budget.limit} bytes "
                    "of replies; it was stopped"
                )
                return
            elif kind == EOF:
                self.saw_eof = True
            elif kind == EXIT:
                self.exit_code = payload
                self._drain_after_exit()
                return

    def _message(self, message: dict[str, Any]) -> bool:
        """Handle one protocol message; True when this run is over."""
        event = message.get("event")
        uri = message.get("uri")
        if event == "ready":
            self.ready = True
        elif event == "start" and isinstance(uri, str) and uri in self.expected:
            self.ready = True
            self.pending = uri
        elif event == "result" and isinstance(uri, str) and uri == self.pending:
            self.outcome.results.append(parse_result(uri, message))
            self.pending = None
        elif event == "fatal":
            text = message.get("message")
            self._stop(f"the runtime check could not start: {text}")
            return True
        elif event == "done":
            self.outcome.finished = True
            return True
        return False

    def _drain_after_exit(self) -> None:
        """The agent ended: take the replies still in the pipe, then say what happened."""
        until = time.monotonic() + 0.5
        while not self.saw_eof:
            left = until - time.monotonic()
            if left <= 0:
                break  # a process the plugin forked still holds the pipe
            try:
                kind, payload = self.events.get(timeout=left)
            except queue.Empty:
                break
            if kind == LINE:
                if self._message(payload):
                    return
            elif kind == EOF:
                self.saw_eof = True
            elif kind == OVERFLOW:
                break
        how = exit_description(self.exit_code)
        if self.pending is not None:
            self.outcome.results.append(
                failure(self.pending, f"the runtime check process {how} while importing it")
            )
            self.pending = None
        elif not self.ready:
            detail = self.stderr.last_line() if self.stderr is not None else ""
            self.outcome.stop_all = (
                f"the runtime check could not start with {self.python}: it {how}"
                + (f": {detail}" if detail else "")
            )
        else:
            self.outcome.incident = f"the runtime check process {how} between two imports"

    def _deadline_passed(self) -> None:
        if self.pending is not None:
            self.outcome.results.append(
                failure(
                    self.pending,
                    f"importing it did not finish within {_seconds(self.timeout)} s; "
                    "the runtime check stopped it",
                    timed_out=True,
                )
            )
            self.pending = None
        elif not self.ready:
            waited = _seconds(max(self.timeout, STARTUP_TIMEOUT))
            self.outcome.stop_all = (
                f"the runtime check process did not start within {waited} s ({self.python})"
            )
        else:
            self.outcome.incident = "the runtime check process stopped responding between imports"

    def _stop(self, message: str) -> None:
        if self.pending is not None:
            self.outcome.results.append(failure(self.pending, message))
            self.pending = None
        self.outcome.stop_all = message


def probe_uris(
    python: Path,
    root: Path,
    uris: Sequence[str],
    *,
    extra_paths: Sequence[str] = (),
    timeout: float = 10.0,
    max_output_bytes: int = 1_000_000,
    cancel: threading.Event | None = None,
) -> dict[str, ProbeResult]:
    """Import each URI in a subprocess of ``python`` with the project at ``root`` set up.

    Returns one result per distinct URI, in first-seen order. Never raises for what the project
    or its interpreter does. ``timeout`` is per URI, in seconds. ``extra_paths`` go on
    ``sys.path`` right after the project's search roots (relative ones are taken from ``root``).
    ``cancel``, when set, stops the probe within a tenth of a second (the URIs not yet answered
    then fail as cancelled).
    """
    ordered = list(dict.fromkeys(uris))
    results: dict[str, ProbeResult] = {}
    if not ordered:
        return results
    root = root.absolute()
    executable, problem = runnable_interpreter(python)
    if problem is None and not root.is_dir():
        problem = f"cannot run the runtime check: the project root {root} is not a directory"
    if executable is None or problem is not None:
        return {uri: failure(uri, problem or "cannot run the runtime check") for uri in ordered}

    budget = Budget(max_output_bytes)
    remaining = ordered
    while remaining:
        run = _Run(executable, root, remaining, extra_paths, timeout, budget, cancel)
        outcome = run.execute()
        for result in outcome.results:
            results[result.uri] = result
        remaining = [uri for uri in remaining if uri not in results]
        if not remaining or outcome.finished:
            break
        if outcome.stop_all is not None or not outcome.results:
            message = (
                outcome.stop_all
                or outcome.incident
                or "the runtime check process ended without an answer"
            )
            for uri in remaining:
                results[uri] = failure(uri, message)
            break
    for uri in ordered:  # an agent that said "done" early still answers for every URI
        if uri not in results:
            results[uri] = failure(uri, "the runtime check process did not report on it")
    return {uri: results[uri] for uri in ordered}


async def probe_uris_async(
    python: Path,
    root: Path,
    uris: Sequence[str],
    *,
    extra_paths: Sequence[str] = (),
    timeout: float = 10.0,
    max_output_bytes: int = 1_000_000,
) -> dict[str, ProbeResult]:
    """:func:`probe_uris` in a worker thread, for the server's event loop.

    Cancelling the awaiting task stops the agent process (within a tenth of a second).
    """
    cancel = threading.Event()
    try:
        return await asyncio.to_thread(
            probe_uris,
            python,
            root,
            uris,
            extra_paths=extra_paths,
            timeout=timeout,
            max_output_bytes=max_output_bytes,
            cancel=cancel,
        )
    except asyncio.CancelledError:
        cancel.set()
        raise
