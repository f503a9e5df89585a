"""Timing middleware."""

import time


class TimingMiddleware:
    """Stamps each request with its start time."""

    def __call__(self, request: dict[str, object]) -> dict[str, object]:
        request["started_at"] = time.perf_counter()
        return request
