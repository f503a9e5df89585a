"""Module summaries cached by file identity (path, mtime_ns, size), in a bounded LRU, and on
disk between runs when a ``store.Store`` is given (a summary read back from it is used only for
the same file identity, module name and target interpreter)."""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from pathlib import Path

from spoc_lsp.index.conditions import ConditionFacts
from spoc_lsp.index.model import ModuleProblem, ModuleSummary
from spoc_lsp.index.store import Store
from spoc_lsp.index.store_keys import identity_of, settled
from spoc_lsp.index.symbols import summarize
from spoc_lsp.index.tracking import Clock, Tracker

# A summary depends on the module's name too (relative imports, package side effects); one
# file reached under two names (``apps/x.py`` as ``x`` and ``apps.x``) gets two entries.
_Key = tuple[str, str, bool]


class _Entry:
    __slots__ = ("generation", "identity", "summary")

    def __init__(self, identity: tuple[int, int], summary: ModuleSummary, generation: int) -> None:
        self.identity = identity
        self.summary = summary
        self.generation = generation


class SummaryCache:
    """``summary(file, name, is_package)``: parsed once per file version, re-validated by one
    ``stat`` per cache generation, at most ``limit`` kept."""

    def __init__(
        self,
        target: ConditionFacts,
        clock: Clock,
        tracker: Tracker,
        limit: int = 20_000,
        store: Store | None = None,
    ) -> None:
        self._target = target
        self._store = store
        self._store_prefix = f"s|{target.version}|{target.platform}|{target.os_name}|"
        self._clock = clock
        self._tracker = tracker
        self._limit = limit
        self._entries: OrderedDict[_Key, _Entry] = OrderedDict()
        self._by_path: dict[str, set[_Key]] = {}  # for forget() without a full scan

    def summary(self, file: Path, name: str, is_package: bool) -> ModuleSummary:
        """The summary of module ``name`` whose source is ``file``."""
        path = str(file)
        self._tracker.touch(path)
        key = (path, name, is_package)
        entry = self._entries.get(key)
        generation = self._clock.value
        if entry is not None and entry.generation == generation:
            self._entries.move_to_end(key)
            return entry.summary
        status: os.stat_result | None
        try:
            status = os.stat(path)
            identity = (status.st_mtime_ns, status.st_size)
        except OSError:
            status = None
            identity = (-1, -1)
        if entry is not None and entry.identity == identity:
            entry.generation = generation
            self._entries.move_to_end(key)
            return entry.summary
        summary = self._stored_or_built(file, name, is_package, status)
        self._entries[key] = _Entry(identity, summary, generation)
        self._entries.move_to_end(key)
        self._by_path.setdefault(path, set()).add(key)
        while len(self._entries) > self._limit:
            evicted, _ = self._entries.popitem(last=False)
            keys = self._by_path.get(evicted[0])
            if keys is not None:
                keys.discard(evicted)
                if not keys:
                    del self._by_path[evicted[0]]
        return summary

    def _stored_or_built(
        self, file: Path, name: str, is_package: bool, status: os.stat_result | None
    ) -> ModuleSummary:
        """From the store when it holds this file version's summary; else built (and kept
        there, once the file has settled: see ``store_keys.SETTLE_NS``)."""
        store = self._store
        if store is None or status is None:
            return self._build(file, name, is_package)
        key = f"{self._store_prefix}{name}|{int(is_package)}|{file}"
        identity = identity_of(status)
        found = store.get(key)
        if found is not None and found[0] == identity:
            summary = found[1]
            if (
                isinstance(summary, ModuleSummary)
                and summary.name == name
                and summary.file == file
                and summary.is_package == is_package
            ):
                return summary
        summary = self._build(file, name, is_package)
        if settled(status, time.time_ns()):
            store.put(key, identity, summary)
        return summary

    def flush(self) -> None:
        """Write what the store still buffers (before a forked worker exits)."""
        if self._store is not None:
            self._store.flush()

    def _build(self, file: Path, name: str, is_package: bool) -> ModuleSummary:
        try:
            source = file.read_bytes()
        except OSError as error:
            problem = ModuleProblem(f"cannot read the module: {error.strerror or error}", None)
            return ModuleSummary(name, file, is_package, problems=(problem,), syntax_error=True)
        return summarize(
            source,
            name=name,
            file=file,
            is_package=is_package,
            target=self._target,
        )

    def forget(self, path: str) -> None:
        """Drop every summary of ``path``."""
        for key in self._by_path.pop(path, set()):
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)
