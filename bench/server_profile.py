"""Run the language server with its analyses profiled and its garbage collections timed.

``python bench/server_profile.py OUT_PREFIX [profile|timing]`` serves LSP on stdio exactly
like ``python -m spoc_lsp``, except that:

- with ``profile`` (the default), every ``Host.analyze`` call after the first ``SKIP`` (the
  start-up analysis) runs under cProfile (the analysis runs on an executor thread, so the
  profiler is switched on inside the call); the stats are written to ``OUT_PREFIX.prof``;
- each analysis' wall time, and each garbage collection (generation, duration), are written
  as JSON to ``OUT_PREFIX.json`` at exit.

The benchmark driver uses it for a second, separate pass over the edits, so the timed pass
stays unprofiled.
"""

from __future__ import annotations

import sys

if sys.path and sys.path[0].rstrip("/").endswith("bench"):
    del sys.path[0]  # this file's directory must not shadow anything

import atexit
import cProfile
import gc
import json
import runpy
import time
from pathlib import Path
from typing import Any

SKIP = 1


def main() -> None:
    prefix = Path(sys.argv[1])
    profiling = (sys.argv[2] if len(sys.argv) > 2 else "profile") == "profile"
    import spoc_lsp.lsp.host as host

    profiler = cProfile.Profile()
    analyses: list[dict[str, Any]] = []
    collections: list[dict[str, Any]] = []
    gc_started = [0.0]
    original = host.Host.analyze

    def analyze(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        profiled = profiling and len(analyses) >= SKIP
        if profiled:
            profiler.enable()
        try:
            return original(self, *args, **kwargs)
        finally:
            if profiled:
                profiler.disable()
            analyses.append(
                {"ms": round((time.perf_counter() - started) * 1000, 2), "profiled": profiled}
            )

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            duration = (time.perf_counter() - gc_started[0]) * 1000
            collections.append(
                {
                    "generation": info["generation"],
                    "ms": round(duration, 2),
                    "after_analysis": len(analyses),
                }
            )

    def dump() -> None:
        if profiling:
            profiler.dump_stats(str(prefix.with_suffix(".prof")))
        prefix.with_suffix(".json").write_text(
            json.dumps({"analyses": analyses, "collections": collections})
        )

    host.Host.analyze = analyze  # type: ignore[method-assign]
    gc.callbacks.append(on_gc)
    atexit.register(dump)
    sys.argv = ["spoc_lsp"]
    runpy.run_module("spoc_lsp", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
