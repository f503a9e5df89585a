"""A generation counter for cheap cache validation, and a recorder of the paths a lookup read.

Caches stamp their entries with the generation they were last checked in; ``invalidate`` bumps
it, so each file or directory is stat-checked at most once per generation. The tracker lets a
resolution remember which files and directories it depended on.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Clock:
    """The current cache generation."""

    def __init__(self) -> None:
        self.value = 0

    def tick(self) -> None:
        """Start a new generation: every cached fact must be re-validated before use."""
        self.value += 1


class Tracker:
    """Collects the paths read while a recording is active (recordings nest)."""

    def __init__(self) -> None:
        self._stack: list[set[str]] = []

    def touch(self, path: str) -> None:
        if self._stack:
            self._stack[-1].add(path)

    def touch_all(self, paths: Iterable[str]) -> None:
        if self._stack:
            self._stack[-1].update(paths)

    def start(self) -> None:
        self._stack.append(set())

    def stop(self) -> frozenset[str]:
        """End the innermost recording; its paths also count for the enclosing one."""
        paths = frozenset(self._stack.pop())
        if self._stack:
            self._stack[-1].update(paths)
        return paths


class Memo(Generic[K, V]):
    """Results computed once per cache generation, each remembering the paths it read so a
    later hit still reports them to an enclosing recording."""

    def __init__(self, clock: Clock, tracker: Tracker) -> None:
        self._clock = clock
        self._tracker = tracker
        self._generation = -1
        self._values: dict[K, tuple[V, frozenset[str]]] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        if self._generation != self._clock.value:
            self._values.clear()
            self._generation = self._clock.value
        cached = self._values.get(key)
        if cached is not None:
            self._tracker.touch_all(cached[1])
            return cached[0]
        self._tracker.start()
        try:
            value = compute()
        finally:
            paths = self._tracker.stop()
        self._values[key] = (value, paths)
        return value

    def clear(self) -> None:
        self._values.clear()
