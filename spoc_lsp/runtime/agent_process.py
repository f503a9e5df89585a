"""The runtime-check agent's process plumbing: pipes read in threads into one event queue, a
shared budget of protocol bytes, the tail of stderr, and killing the agent's process group."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

_LINE_LIMIT = 65536  # a protocol line longer than this is not ours
_STDERR_TAIL = 4096  # bytes of the agent's stderr kept, for a start-up failure's message


class Budget:
    """The protocol bytes still allowed to be read, shared by every agent of one probe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit
        self.lock = threading.Lock()

    def spend(self, count: int) -> bool:
        with self.lock:
            self.left -= count
            return self.left >= 0


class StderrTail:
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
LINE = "line"  # a decoded protocol message (a dict)
EOF = "eof"  # the protocol stream ended
OVERFLOW = "overflow"  # the output budget is spent
EXIT = "exit"  # the agent process ended (payload: its return code)
Event = tuple[str, Any]


def read_protocol(stream: IO[bytes], events: queue.Queue[Event], budget: Budget) -> None:
    try:
        while True:
            line = stream.readline(_LINE_LIMIT)
            if not line:
                break
            if not budget.spend(len(line)):
                events.put((OVERFLOW, None))
                return
            try:
                message = json.loads(line)
            except ValueError:
                continue  # not ours; ignore
            if isinstance(message, dict):
                events.put((LINE, message))
    except (OSError, ValueError):
        pass
    finally:
        with contextlib.suppress(OSError):
            stream.close()
    events.put((EOF, None))


def wait_for_exit(process: subprocess.Popen[bytes], events: queue.Queue[Event]) -> None:
    events.put((EXIT, process.wait()))


def feed(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
    except (OSError, ValueError):
        pass
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.close()


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the agent and everything it started (its process group, on POSIX)."""
    if sys.platform != "win32":
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()


def agent_environment() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONSTARTUP", "PYTHONINSPECT"):
        env.pop(name, None)
    return env


def runnable_interpreter(python: Path) -> tuple[str | None, str | None]:
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
