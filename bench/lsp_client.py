"""A minimal LSP client over the stdio pipes of a server subprocess, made for timing.

Hand-written JSON-RPC on ``asyncio`` pipes: no protocol library sits between the clock and the
bytes, so a latency is the time from writing a message to parsing the answer that matches it
(plus one event-loop hop). Server-to-client requests (``workspace/configuration``, capability
registration, progress creation) are answered at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

Json = Any
DiagnosticsPredicate = Callable[[list[Json]], bool]


def path_of(uri: str) -> str:
    """A ``file:`` URI as a normalised path string (for comparing URIs spelled differently)."""
    return os.path.normpath(unquote(urlparse(uri).path))


@dataclass
class Publication:
    """One ``textDocument/publishDiagnostics`` as received."""

    time: float
    path: str
    diagnostics: list[Json]
    version: int | None


@dataclass
class _Waiter:
    path: str
    predicate: DiagnosticsPredicate
    future: asyncio.Future[Publication]


@dataclass
class LspClient:
    """Speaks LSP to one server process; see :meth:`start`."""

    proc: asyncio.subprocess.Process
    settings: dict[str, Json]
    started_at: float
    publications: list[Publication] = field(default_factory=list)
    latest: dict[str, list[Json]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _pending: dict[int, asyncio.Future[tuple[Json, float]]] = field(default_factory=dict)
    _waiters: list[_Waiter] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None
    _stderr: asyncio.Task[None] | None = None
    server_requests: dict[str, int] = field(default_factory=dict)

    @classmethod
    async def start(
        cls,
        cmd: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        settings: dict[str, Json],
        stderr_path: Path,
    ) -> LspClient:
        started_at = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        client = cls(proc, settings, started_at)
        client._reader = asyncio.create_task(client._read_loop())
        client._stderr = asyncio.create_task(client._drain_stderr(stderr_path))
        return client

    @property
    def pid(self) -> int:
        return self.proc.pid

    # ------------------------------------------------------------------------- sending
    async def _send(self, message: dict[str, Json]) -> float:
        body = json.dumps(message, separators=(",", ":")).encode("utf-8")
        assert self.proc.stdin is not None
        sent = time.perf_counter()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await self.proc.stdin.drain()
        return sent

    async def request(
        self, method: str, params: Json, timeout: float = 120.0
    ) -> tuple[Json, float]:
        """Send a request; return its result and the latency in seconds."""
        ident = next(self._ids)
        future: asyncio.Future[tuple[Json, float]] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        sent = await self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        result, received = await asyncio.wait_for(future, timeout)
        return result, received - sent

    async def notify(self, method: str, params: Json) -> float:
        """Send a notification; return the time it was written."""
        return await self._send({"jsonrpc": "2.0", "method": method, "params": params})

    # ------------------------------------------------------------------------- receiving
    async def _read_loop(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        try:
            while True:
                length = 0
                while True:
                    line = await stdout.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                body = await stdout.readexactly(length)
                received = time.perf_counter()
                await self._dispatch(json.loads(body), received)
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ConnectionError("server closed its output"))
            for waiter in self._waiters:
                if not waiter.future.done():
                    waiter.future.set_exception(ConnectionError("server closed its output"))

    async def _drain_stderr(self, path: Path) -> None:
        stderr = self.proc.stderr
        assert stderr is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as sink:
            while chunk := await stderr.read(65536):
                sink.write(chunk)

    async def _dispatch(self, message: dict[str, Json], received: float) -> None:
        if "method" not in message:
            future = self._pending.pop(message.get("id", -1), None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(RuntimeError(f"LSP error: {message['error']}"))
                else:
                    future.set_result((message.get("result"), received))
            return
        method = message["method"]
        if "id" in message:
            self.server_requests[method] = self.server_requests.get(method, 0) + 1
            await self._send(
                {"jsonrpc": "2.0", "id": message["id"], "result": self._answer(method, message)}
            )
            return
        if method == "textDocument/publishDiagnostics":
            params = message["params"]
            publication = Publication(
                received, path_of(params["uri"]), params["diagnostics"], params.get("version")
            )
            self.publications.append(publication)
            self.latest[publication.path] = publication.diagnostics
            for waiter in list(self._waiters):
                if waiter.path == publication.path and waiter.predicate(publication.diagnostics):
                    self._waiters.remove(waiter)
                    if not waiter.future.done():
                        waiter.future.set_result(publication)

    def _answer(self, method: str, message: dict[str, Json]) -> Json:
        if method == "workspace/configuration":
            items = message.get("params", {}).get("items", [])
            return [
                self.settings if item.get("section") in {"spoc", None} else None for item in items
            ]
        return None

    # ------------------------------------------------------------------------- waiting
    def wait_for_diagnostics(
        self, path: str, predicate: DiagnosticsPredicate
    ) -> asyncio.Future[Publication]:
        """A future: the next publication for ``path`` that satisfies ``predicate``."""
        future: asyncio.Future[Publication] = asyncio.get_running_loop().create_future()
        self._waiters.append(_Waiter(path, predicate, future))
        return future

    # ------------------------------------------------------------------------- lifecycle
    async def shutdown(self, timeout: float = 10.0) -> int | None:
        with contextlib.suppress(Exception):
            await self.request("shutdown", None, timeout=timeout)
            await self.notify("exit", None)
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        for task in (self._reader, self._stderr):
            if task is not None:
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(task, 5)
        return self.proc.returncode
