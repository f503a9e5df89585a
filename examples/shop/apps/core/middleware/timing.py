"""Timing middleware: measures how long the rest of the chain takes."""

from __future__ import annotations

import time
from collections.abc import Callable

from shopkit.http import Request


class TimingMiddleware:
    """Stamps each request with its start time; ``elapsed`` tells how long it has run."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock

    def __call__(self, request: Request) -> Request:
        request.meta["started_at"] = self.clock()
        return request

    def elapsed(self, request: Request) -> float:
        """Seconds since ``request`` went through this middleware."""
        started = request.meta["started_at"]
        assert isinstance(started, float)
        return self.clock() - started
