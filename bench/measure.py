"""Process timing, peak memory, page-cache eviction and other helpers shared by the benchmarks."""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORKSPACES = BENCH_DIR / "workspaces"
TOOLS = WORKSPACES / "_tools"
RESULTS = BENCH_DIR / "results"


@dataclass
class Run:
    """One finished child process."""

    wall: float
    max_rss_kb: int  # VmHWM, KiB
    cpu: float  # user + system seconds, the process and the children it waited for
    returncode: int
    stdout: str
    stderr: str


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a measured child: no virtualenv or PYTHON* settings leak in."""
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "CONDA_PREFIX"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in dropped and not k.startswith("PYTHONDONTWRITE")
    }
    env.update(extra or {})
    return env


class _HighWater(threading.Thread):
    """Polls ``VmHWM`` of a child every few milliseconds until it exits.

    ``wait4``'s ``ru_maxrss`` cannot be used: Linux carries the high-water mark of the forked
    pre-``exec`` image (a copy of this large benchmark process) into the child's figure.
    ``VmHWM`` belongs to the ``exec``'d image alone and only grows, so the last reading before
    the exit is the peak, give or take the last few milliseconds.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.path = f"/proc/{pid}/status"
        self.kib = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            try:
                with open(self.path, encoding="ascii", errors="replace") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            self.kib = max(self.kib, int(line.split()[1]))
                            break
            except (OSError, ValueError):
                return
            self._done.wait(0.005)

    def stop(self) -> None:
        self._done.set()
        self.join()


def run_timed(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900.0,
) -> Run:
    """Run ``cmd``, returning its wall time, its own peak RSS (``VmHWM``) and its output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(c) for c in cmd],
            cwd=cwd,
            env=dict(env) if env is not None else clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        peak = _HighWater(proc.pid)
        peak.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        peak.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            wall,
            peak.kib,
            usage.ru_utime + usage.ru_stime,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), nearest rank; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    """n, p50/p90/p99/max/mean of durations given in seconds, in milliseconds."""
    ms = [v * 1000 for v in values]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 3),
        "p90": round(percentile(ms, 90), 3),
        "p99": round(percentile(ms, 99), 3),
        "max": round(max(ms), 3),
        "mean": round(statistics.fmean(ms), 3),
    }


def _files(paths: Iterable[Path]) -> Iterable[Path]:
    for base in paths:
        if base.is_file():
            yield base
            continue
        for dirpath, _dirnames, filenames in os.walk(base):
            for name in filenames:
                yield Path(dirpath, name)


def evict_page_cache(paths: Iterable[Path]) -> int:
    """Drop the clean page-cache pages of every file under ``paths`` (``POSIX_FADV_DONTNEED``).

    Only these files are affected: no global ``drop_caches`` (it needs privileges and would
    slow down everyone else on the machine). Returns the number of files advised.
    """
    count = 0
    for path in _files(paths):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            count += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return count


def tool_files() -> list[Path]:
    """What a spoc-lsp process reads besides the workspace: its code, its venv, the stdlib."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [REPO / "spoc_lsp", REPO / "spoc", REPO / ".venv" / "lib", stdlib]


def site_packages(python: Path) -> list[Path]:
    """The ``site-packages`` directories of the virtualenv owning ``python`` (no process)."""
    venv_dir = python.parent.parent
    return sorted(p for p in venv_dir.glob("lib/python3*/site-packages") if p.is_dir())


def remove_bytecode(paths: Iterable[Path]) -> int:
    """Delete every ``__pycache__`` directory under ``paths``; returns how many."""
    removed = 0
    for base in paths:
        for dirpath, dirnames, _ in os.walk(base):
            if "__pycache__" in dirnames:
                shutil.rmtree(Path(dirpath, "__pycache__"), ignore_errors=True)
                dirnames.remove("__pycache__")
                removed += 1
    return removed


def spoc_runtime_copy() -> Path:
    """A directory holding only a copy of the ``spoc`` package (for the import subprocess)."""
    target = TOOLS / "spoc-runtime"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(REPO / "spoc", target / "spoc", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def machine() -> dict[str, object]:
    """Cores, memory, CPU model, kernel and Python version, read from the machine."""
    info: dict[str, object] = {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": sys.platform,
    }
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except (OSError, ValueError):
        pass
    info["kernel"] = os.uname().release
    return info


def proc_status(pid: int) -> dict[str, int]:
    """``VmHWM`` and ``VmRSS`` (KiB) of a live process, from ``/proc/<pid>/status``."""
    values: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in {"VmHWM", "VmRSS"}:
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (other work on the machine skews timings)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        return []
