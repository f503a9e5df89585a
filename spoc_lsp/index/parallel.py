"""Resolving many URIs at once on several cores, for ``Resolver.prefetch``.

A cold check of a large project spends nearly all its time parsing modules, one at a time.
Here the URIs are put in groups by top-level package (importing a URI executes modules of its
own top-level package, so groups rarely read the same modules; a package holding a large share
of the URIs is split by subpackage), and several processes take the groups one by one, largest
first, from a shared queue until none is left: forks of this process, which send back the
resolutions and the paths each one read, and this process itself. A fork that fails or dies is
made up for by resolving here whatever it did not send, so the answers never depend on it.

Only used where forking is safe and cheap: a POSIX process running a single thread (the
command line, not the language server) with at least two usable CPUs.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import sys
import threading
from collections.abc import Callable, Sequence

from spoc_lsp.index.model import Resolution

# (uri, its resolution, the paths it read)
Result = tuple[str, Resolution, frozenset[str]]

MIN_URIS = 96  # fewer URIs than this are not worth a fork
MAX_PROCESSES = 8
_MAX_GROUPS = 1024  # the queue is written before anyone reads it: keep it in a pipe's buffer
_CLAIM = struct.Struct("<I")


def usable_cpus() -> int:
    """How many CPUs this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        try:
            return len(affinity(0))
        except OSError:
            pass
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Forking copies only the calling thread: safe here only without other threads."""
    return hasattr(os, "fork") and sys.platform != "win32" and threading.active_count() == 1


def groups(uris: Sequence[str], processes: int) -> list[list[str]]:
    """``uris`` by top-level package (by subpackage for a package holding more than a
    ``2 * processes``-th of them), largest first, at most ``_MAX_GROUPS``."""
    limit = max(1, len(uris) // (2 * max(1, processes)))
    tops: dict[str, list[str]] = {}
    for uri in uris:
        tops.setdefault(uri.partition(".")[0], []).append(uri)
    found: list[list[str]] = []
    for members in tops.values():
        if len(members) <= limit:
            found.append(members)
            continue
        subpackages: dict[str, list[str]] = {}
        for uri in members:
            subpackages.setdefault(".".join(uri.split(".")[:2]), []).append(uri)
        found.extend(subpackages.values())
    found.sort(key=len, reverse=True)
    while len(found) > _MAX_GROUPS:  # fold the smallest into the next smallest
        smallest = found.pop()
        found[-1] = found[-1] + smallest
    return found


def run_groups(
    resolve: Callable[[list[str]], list[Result]],
    parts: list[list[str]],
    processes: int,
    before_exit: Callable[[], None] | None = None,
) -> list[Result]:
    """``resolve`` every group, in ``processes`` processes (this one included); a forked
    worker calls ``before_exit`` when done (it leaves without running exit handlers)."""
    queue_read, queue_write = os.pipe()
    os.write(queue_write, b"".join(_CLAIM.pack(index) for index in range(len(parts))))
    os.close(queue_write)

    def work() -> list[Result]:
        done: list[Result] = []
        while len(claim := os.read(queue_read, _CLAIM.size)) == _CLAIM.size:
            done.extend(resolve(parts[_CLAIM.unpack(claim)[0]]))
        return done

    children: list[tuple[int, int]] = []
    try:
        for _ in range(processes - 1):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: resolve, send, and leave without running exit handlers
                status = 1
                try:
                    os.close(read_end)
                    payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
                    if before_exit is not None:
                        with contextlib.suppress(Exception):  # speed only: never the answers
                            before_exit()
                    with os.fdopen(write_end, "wb") as out:
                        out.write(payload)
                    status = 0
                finally:
                    os._exit(status)
            os.close(write_end)
            children.append((pid, read_end))
        results = work()
    finally:
        os.close(queue_read)
    for pid, read_end in children:
        with os.fdopen(read_end, "rb") as stream:
            payload = stream.read()
        _, status = os.waitpid(pid, 0)
        if status == 0 and payload:
            with contextlib.suppress(Exception):  # unreadable: made up for below
                results.extend(pickle.loads(payload))
    answered = {uri for uri, _, _ in results}
    missed = [uri for part in parts for uri in part if uri not in answered]
    if missed:
        results.extend(resolve(missed))
    return results
