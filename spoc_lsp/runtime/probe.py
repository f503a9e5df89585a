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
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import spoc

RuntimeKind = Literal["module", "class", "function", "variable"]

AGENT = Path(__file__).resolve().with_name("agent.py")
SPOC_PARENT = Path(spoc.__file__).resolve().parent.parent  # the directory holding our ``spoc``
MAX_MESSAGE = 2000  # characters of a result's message
STARTUP_TIMEOUT = 10.0  # seconds for the agent to start, at least (interpreter + spoc.importer)
_LINE_LIMIT = 65536  # a protocol line longer than this is not ours
_STDERR_TAIL = 4096  # bytes of the agent's stderr kept, for a start-up failure's message
_CANCEL_POLL = 0.1  # seconds between looks at the cancel event
_KINDS: frozenset[str] = frozenset({"module", "class", "function", "variable"})


@dataclass(frozen=True)
class ProbeResult:
    """What importing one URI in the project's interpreter did.

    ``ok`` with the ``kind`` of the object it named; or not ok with the exception's type name and
    message (``error_type`` is ``None`` when there was no exception to report: a timeout, a
    crash of the agent process, an interpreter that cannot be started...).
    """

    uri: str
    ok: bool
    error_type: str | None = None
    message: str = ""
    kind: RuntimeKind | None = None
    timed_out: bool = False

    def describe(self) -> str:
        """One sentence for a diagnostic or a report line."""
        if self.ok:
            return f"importing '{self.uri}' works ({self.kind or 'object'})"
        if self.error_type is not None:
            detail = f": {self.message}" if self.message else ""
            return f"importing '{self.uri}' raised {self.error_type}{detail}"
        return f"'{self.uri}' failed the runtime check: {self.message}"


def _cap(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _seconds(value: float) -> str:
    return str(float(value))


def _failure(uri: str, message: str, *, timed_out: bool = False) -> ProbeResult:
    return ProbeResult(uri, False, None, _cap(message), None, timed_out)


def _exit_description(code: int | None) -> str:
    if code is None:
        return "stopped responding"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            return f"exited with code {code}"
        return f"exited with code {code} ({name})"
    return f"exited with code {code}"


class _Budget:
    """The protocol bytes still allowed to be read, shared by every agent of one probe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit
        self.lock = threading.Lock()

    def spend(self, count: int) -> bool:
        with self.lock:
            self.left -= count
            return self.left >= 0


class _Tail:
    """Drains a stream to its end, keeping only the last few bytes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.data = bytearray()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self.thread.start()

    def _drain(self, stream: IO[bytes]) -> None:
        read = getattr(stream, "read1", stream.read)
        try:
            while True:
                chunk = read(65536)
                if not chunk:
                    break
                with self.lock:
                    self.data += chunk
                    if len(self.data) > _STDERR_TAIL:
                        del self.data[: len(self.data) - _STDERR_TAIL]
        except (OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                stream.close()

    def last_line(self) -> str:
        self.thread.join(0.5)
        with self.lock:
            text = bytes(self.data).decode("utf-8", errors="replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1] if lines else ""


# Events the reader threads put on a run's queue.
_LINE = "line"  # a decoded protocol message (a dict)
_EOF = "eof"  # the protocol stream ended
_OVERFLOW = "overflow"  # the output budget is spent
_EXIT = "exit"  # the agent process ended (payload: its return code)
_Event = tuple[str, Any]


def _read_protocol(stream: IO[bytes], events: queue.Queue[_Event], budget: _Budget) -> None:
    try:
        while True:
            line = stream.readline(_LINE_LIMIT)
            if not line:
                break
            if not budget.spend(len(line)):
                events.put((_OVERFLOW, None))
                return
            try:
                message = json.loads(line)
            except ValueError:
                continue  # not ours; ignore
            if isinstance(message, dict):
                events.put((_LINE, message))
    except (OSError, ValueError):
        pass
    finally:
        with contextlib.suppress(OSError):
            stream.close()
    events.put((_EOF, None))


def _wait_for_exit(process: subprocess.Popen[bytes], events: queue.Queue[_Event]) -> None:
    events.put((_EXIT, process.wait()))


def _feed(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
    except (OSError, ValueError):
        pass
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.close()


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the agent and everything it started (its process group, on POSIX)."""
    if sys.platform != "win32":
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONSTARTUP", "PYTHONINSPECT"):
        env.pop(name, None)
    return env


def _executable(python: Path) -> tuple[str | None, str | None]:
    """The interpreter to run, or why it cannot be run."""
    if len(python.parts) == 1 and not python.exists():
        found = shutil.which(str(python))
        if found is None:
            return None, f"cannot run the runtime check: no interpreter {str(python)!r} on PATH"
        return found, None
    if not python.exists():
        return None, f"cannot run the runtime check: the interpreter {python} does not exist"
    if python.is_dir():
        return None, f"cannot run the runtime check: the interpreter {python} is a directory"
    return str(python.absolute()), None  # absolute: the agent runs with the root as its cwd


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
        budget: _Budget,
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
        self.events: queue.Queue[_Event] = queue.Queue()
        self.outcome = _Outcome()
        self.pending: str | None = None
        self.ready = False
        self.saw_eof = False
        self.exit_code: int | None = None
        self.stderr: _Tail | None = None

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
                env=_environment(),
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
                target=_feed, args=(process.stdin, requests.encode("utf-8")), daemon=True
            ),
            threading.Thread(
                target=_read_protocol,
                args=(process.stdout, self.events, self.budget),
                daemon=True,
            ),
            threading.Thread(target=_wait_for_exit, args=(process, self.events), daemon=True),
        ]
        self.stderr = _Tail(process.stderr)
        for thread in threads:
            thread.start()
        try:
            self._converse()
        finally:
            _kill(process)
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
            if kind == _LINE:
                if self._message(payload):
                    return
                deadline = time.monotonic() + self.timeout
            elif kind == _OVERFLOW:
                self._stop(
                    f"the runtime check process wrote more than {self.budget.limit} bytes "
                    "of replies; it was stopped"
                )
                return
            elif kind == _EOF:
                self.saw_eof = True
            elif kind == _EXIT:
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
            self.outcome.results.append(_parse_result(uri, message))
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
            if kind == _LINE:
                if self._message(payload):
                    return
            elif kind == _EOF:
                self.saw_eof = True
            elif kind == _OVERFLOW:
                break
        how = _exit_description(self.exit_code)
        if self.pending is not None:
            self.outcome.results.append(
                _failure(self.pending, f"the runtime check process {how} while importing it")
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
                _failure(
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
            self.outcome.results.append(_failure(self.pending, message))
            self.pending = None
        self.outcome.stop_all = message


def _parse_result(uri: str, message: dict[str, Any]) -> ProbeResult:
    if message.get("ok") is True:
        kind = message.get("kind")
        runtime_kind: RuntimeKind = kind if kind in _KINDS else "variable"
        return ProbeResult(uri, True, kind=runtime_kind)
    error_type = message.get("type")
    text = message.get("message")
    return ProbeResult(
        uri,
        False,
        error_type=str(error_type) if error_type else "Exception",
        message=_cap(str(text)) if text is not None else "",
    )


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
    executable, problem = _executable(python)
    if problem is None and not root.is_dir():
        problem = f"cannot run the runtime check: the project root {root} is not a directory"
    if executable is None or problem is not None:
        return {uri: _failure(uri, problem or "cannot run the runtime check") for uri in ordered}

    budget = _Budget(max_output_bytes)
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
                results[uri] = _failure(uri, message)
            break
    for uri in ordered:  # an agent that said "done" early still answers for every URI
        if uri not in results:
            results[uri] = _failure(uri, "the runtime check process did not report on it")
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
