"""``spoc-lsp check`` against the real thing (importing) and against basedpyright, on the same URIs.

Verdicts are per unique, syntactically valid URI: "resolves" or "does not resolve".

- real import (the reference): ``spoc.importer.Importer(root).setup_path()`` then
  ``load_from_uri`` for each URI in a subprocess of the workspace's interpreter
  (``bench/import_check.py``), first with no bytecode cache (every ``__pycache__`` under the
  workspace, its virtualenv included, deleted; ``-B``), then once to write the cache, then with
  the warm cache;
- spoc-lsp: ``spoc-lsp check --format json``; a URI with SPOC001/002/003/007 does not resolve;
- basedpyright: ``basedpyright --outputjson`` on a file of ``from a.b import c`` lines
  (``import a`` for a one-segment URI; ``from`` imports, like the runtime, fall back from an
  attribute to a submodule), with ``--pythonpath`` the workspace's interpreter and the project's
  roots as ``extraPaths``; a line with reportMissingImports, reportAttributeAccessIssue,
  reportMissingModuleSource or a rule-less error does not resolve.
"""

from __future__ import annotations

import itertools
import json
import pstats
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.measure import (
    REPO,
    TOOLS,
    clean_env,
    evict_page_cache,
    remove_bytecode,
    run_timed,
    spoc_runtime_copy,
    tool_files,
)
from spoc.uri import is_valid_uri

IMPORT_CHECK = Path(__file__).resolve().parent / "import_check.py"
SPOC_LSP = REPO / ".venv" / "bin" / "spoc-lsp"
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
FAILING_CODES = {"SPOC001", "SPOC002", "SPOC003", "SPOC007"}
PYRIGHT_FAILING_RULES = {
    "reportMissingImports",
    "reportAttributeAccessIssue",
    "reportMissingModuleSource",
}
BASEDPYRIGHT_ENV = TOOLS / "basedpyright"
_PASSES = itertools.count(1)


def unique_uris(truth: dict[str, Any]) -> list[str]:
    """The listed URIs, each once, in file-then-line order."""
    return list(dict.fromkeys(str(e["uri"]) for e in truth["entries"]))


# ----------------------------------------------------------------------------- real import
def _parse_import_results(path: Path) -> dict[int, tuple[bool, str]]:
    results: dict[int, tuple[bool, str]] = {}
    if not path.is_file():
        return results
    for line in path.read_text(encoding="utf-8").splitlines():
        index, verdict, *message = line.split("\t", 2)
        results[int(index)] = (verdict == "ok", message[0] if message else "")
    return results


def _import_pass(
    python: Path, root: Path, runtime: Path, uris_file: Path, count: int, *, bytecode: bool
) -> dict[str, Any]:
    out = uris_file.parent / f"pass-{next(_PASSES)}-{'bc' if bytecode else 'nobc'}.out"
    wall, cpu, rss, restarts, start = 0.0, 0.0, 0, 0, 0
    results: dict[int, tuple[bool, str]] = {}
    while start < count:
        flags = [] if bytecode else ["-B"]
        run = run_timed(
            [python, "-I", *flags, IMPORT_CHECK, runtime, root, uris_file, out, str(start)],
            cwd=root,
            env=clean_env(),
            timeout=1200,
        )
        wall += run.wall
        cpu += run.cpu
        rss = max(rss, run.max_rss_kb)
        results = _parse_import_results(out)
        done = max(results) + 1 if results else start
        if done >= count:
            break
        # The process died on URI ``done`` (crash or timeout): record it, go on after it.
        with out.open("a", encoding="utf-8") as sink:
            sink.write(f"{done}\tfail\tcrash: exit status {run.returncode}\n")
        start, restarts = done + 1, restarts + 1
    results = _parse_import_results(out)
    return {
        "seconds": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_mb": round(rss / 1024, 1),
        "restarts": restarts,
        "results": results,
    }


def real_imports(root: Path, python: Path, uris: list[str], *, warm: bool = True) -> dict[str, Any]:
    """Import every URI for real: no bytecode cache, then (``warm``) with a warm cache."""
    runtime = spoc_runtime_copy()
    with tempfile.TemporaryDirectory(prefix="spoc-bench-") as tmp:
        uris_file = Path(tmp) / "uris.txt"
        uris_file.write_text("\n".join(uris), encoding="utf-8")
        removed = remove_bytecode([root])
        cold = _import_pass(python, root, runtime, uris_file, len(uris), bytecode=False)
        out: dict[str, Any] = {
            "pycache_dirs_removed": removed,
            "no_bytecode_s": cold["seconds"],
            "no_bytecode_cpu_s": cold["cpu_s"],
            "peak_rss_mb": cold["peak_rss_mb"],
            "restarts": cold["restarts"],
        }
        if warm:
            priming = _import_pass(python, root, runtime, uris_file, len(uris), bytecode=True)
            warmed = _import_pass(python, root, runtime, uris_file, len(uris), bytecode=True)
            out["writing_bytecode_s"] = priming["seconds"]
            out["warm_bytecode_s"] = warmed["seconds"]
            out["warm_bytecode_cpu_s"] = warmed["cpu_s"]
            out["verdicts_stable"] = all(
                cold["results"].get(i, (None,))[0] == warmed["results"].get(i, (None,))[0]
                for i in range(len(uris))
            )
    results = cold["results"]
    out["verdicts"] = {uri: results.get(i, (False, "no result"))[0] for i, uri in enumerate(uris)}
    out["errors"] = {
        uri: results[i][1] for i, uri in enumerate(uris) if i in results and not results[i][0]
    }
    return out


# ----------------------------------------------------------------------------- spoc-lsp check
def _spoc_verdicts(report: dict[str, Any], uris: Iterable[str]) -> dict[str, bool]:
    failing = {
        str(d.get("uri"))
        for d in report.get("diagnostics", [])
        if str(d.get("code")) in FAILING_CODES and d.get("uri") is not None
    }
    return {uri: uri not in failing for uri in uris}


def spoc_check(
    root: Path, python: Path, uris: list[str], *, repeats: int, cache: Path
) -> dict[str, Any]:
    """``spoc-lsp check`` wall time: a cold first run (page cache evicted, persistent cache
    ``cache`` emptied), then repeats that find the persistent cache warm."""
    cmd: list[str | Path] = [SPOC_LSP, "check", root, "--python", python, "--format", "json"]
    shutil.rmtree(cache, ignore_errors=True)
    env = clean_env({"SPOC_LSP_CACHE_DIR": str(cache)})
    evicted = evict_page_cache([root, *tool_files()])
    first = run_timed(cmd, cwd=root, env=env, timeout=600)
    repeat_runs = [run_timed(cmd, cwd=root, env=env, timeout=600) for _ in range(repeats)]
    out: dict[str, Any] = {
        "files_evicted": evicted,
        "exit_code": first.returncode,
        "first_run_s": round(first.wall, 3),
        "first_run_cpu_s": round(first.cpu, 3),
        "repeat_runs_s": [round(r.wall, 3) for r in repeat_runs],
        "repeat_runs_cpu_s": [round(r.cpu, 3) for r in repeat_runs],
        "peak_rss_mb": round(
            max([first.max_rss_kb, *(r.max_rss_kb for r in repeat_runs)]) / 1024, 1
        ),
    }
    if repeat_runs:
        walls = sorted(r.wall for r in repeat_runs)
        out["repeat_median_s"] = round(walls[len(walls) // 2], 3)
        out["repeat_min_s"] = round(walls[0], 3)
        out["repeat_min_cpu_s"] = round(min(r.cpu for r in repeat_runs), 3)
    try:
        report = json.loads(first.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(
            f"no JSON from check: {(first.stderr or first.stdout)[-1500:]}"
        ) from None
    out["diagnostics"] = report.get("diagnostics", [])
    out["verdicts"] = _spoc_verdicts(report, uris)
    codes: dict[str, int] = {}
    for diagnostic in out["diagnostics"]:
        codes[str(diagnostic.get("code"))] = codes.get(str(diagnostic.get("code")), 0) + 1
    out["codes"] = dict(sorted(codes.items()))
    out["output_stable"] = all(r.stdout == first.stdout for r in repeat_runs)
    return out


def startup_costs() -> dict[str, float]:
    """What any fresh ``spoc-lsp check`` pays before reading a file (medians of 5, seconds)."""
    costs: dict[str, float] = {}
    for name, code in (("interpreter", "pass"), ("import spoc_lsp.cli", "import spoc_lsp.cli")):
        walls = sorted(run_timed([VENV_PYTHON, "-c", code]).wall for _ in range(5))
        costs[name] = round(walls[2], 3)
    return costs


def profile_check(root: Path, python: Path, out_file: Path, top: int = 25) -> dict[str, Any]:
    """Run the check under cProfile in a fresh process; the top functions by self time and
    by cumulative time."""
    prof = out_file.with_suffix(".prof")
    # --no-cache: the work a cold check does (a warm one reads stored answers instead).
    check_args: list[str | Path] = ["--python", python, "--format", "json", "--no-cache"]
    run = run_timed(
        [VENV_PYTHON, "-m", "cProfile", "-o", prof, "-m", "spoc_lsp", "check", root, *check_args],
        cwd=root,
        env=clean_env(),
        timeout=900,
    )
    if not prof.is_file():
        return {"error": run.stderr[-2000:]}
    return {"wall_s": round(run.wall, 3), **top_functions(prof, out_file, top)}


def top_functions(prof: Path, out_file: Path, top: int = 25) -> dict[str, Any]:
    """The top functions of a cProfile dump by self and by cumulative time; the full listing
    goes to ``out_file``."""
    stats = pstats.Stats(str(prof))
    total = stats.total_tt  # type: ignore[attr-defined]
    raw = stats.stats  # type: ignore[attr-defined]

    def label(key: tuple[str, int, str]) -> str:
        file, line, name = key
        short = file.replace(str(REPO) + "/", "")
        if "/site-packages/" in short:
            short = short.split("/site-packages/", 1)[1]
        elif "/lib/python3" in short:
            short = "stdlib/" + short.split("/lib/python3", 1)[1].split("/", 1)[-1]
        return f"{short}:{line}({name})"

    def rows(index: int) -> list[dict[str, Any]]:
        ordered = sorted(raw.items(), key=lambda kv: kv[1][index], reverse=True)[:top]
        return [
            {
                "function": label(key),
                "calls": value[1],
                "self_s": round(value[2], 4),
                "cumulative_s": round(value[3], 4),
            }
            for key, value in ordered
        ]

    with out_file.open("w", encoding="utf-8") as sink:
        for sort in ("tottime", "cumulative"):
            sink.write(f"==== sorted by {sort}\n")
            pstats.Stats(str(prof), stream=sink).sort_stats(sort).print_stats(40)
    return {
        "profiled_total_s": round(total, 3),
        "by_self": rows(2),
        "by_cumulative": rows(3),
        "text": str(out_file),
    }


# ----------------------------------------------------------------------------- basedpyright
def ensure_basedpyright() -> Path:
    """A tool virtualenv with basedpyright from PyPI (it ships its own Node.js)."""
    exe = BASEDPYRIGHT_ENV / "bin" / "basedpyright"
    if exe.exists():
        return exe
    subprocess.run([str(VENV_PYTHON), "-m", "venv", "--clear", str(BASEDPYRIGHT_ENV)], check=True)
    subprocess.run(
        [
            str(BASEDPYRIGHT_ENV / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "basedpyright",
        ],
        check=True,
    )
    return exe


def basedpyright(root: Path, python: Path, uris: list[str], name: str) -> dict[str, Any]:
    """Time basedpyright on an equivalent import file and read a verdict per URI."""
    exe = ensure_basedpyright()
    project = TOOLS / "pyright" / name
    project.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    line_uri: dict[int, str] = {}
    for uri in uris:
        module, _, attribute = uri.rpartition(".")
        line_uri[len(lines)] = uri
        lines.append(f"from {module} import {attribute}" if module else f"import {uri}")
    (project / "check.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    extra = [str(p) for p in (root / "apps", root) if p.is_dir()]
    config = {
        "include": ["check.py"],
        "extraPaths": extra,
        "typeCheckingMode": "standard",
        "reportMissingModuleSource": "warning",
    }
    (project / "pyrightconfig.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    run = run_timed(
        [exe, "--outputjson", "-p", project, "--pythonpath", python],
        cwd=project,
        env=clean_env(),
        timeout=900,
    )
    out: dict[str, Any] = {
        "version": version.stdout.strip().replace("\n", "; "),
        "seconds": round(run.wall, 3),
        "cpu_s": round(run.cpu, 3),
        "peak_rss_mb": round(run.max_rss_kb / 1024, 1),
        "exit_code": run.returncode,
    }
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        out["error"] = (run.stderr or run.stdout)[-2000:]
        return out
    failing: set[str] = set()
    rules: dict[str, int] = {}
    for diagnostic in report.get("generalDiagnostics", []):
        rule = diagnostic.get("rule")
        rules[str(rule)] = rules.get(str(rule), 0) + 1
        bad = rule in PYRIGHT_FAILING_RULES or (rule is None and diagnostic["severity"] == "error")
        listed = line_uri.get(diagnostic["range"]["start"]["line"])
        if bad and listed is not None:
            failing.add(listed)
    out["rules"] = dict(sorted(rules.items()))
    out["internal_time_s"] = report.get("summary", {}).get("timeInSec")
    out["verdicts"] = {uri: uri not in failing for uri in uris}
    return out


# ----------------------------------------------------------------------------- agreement
def agreement(reference: dict[str, bool], tool: dict[str, bool]) -> dict[str, Any]:
    """How often ``tool`` says what the real import says, and how it errs."""
    uris = [u for u in reference if u in tool]
    agree = [u for u in uris if reference[u] == tool[u]]
    false_fail = [u for u in uris if reference[u] and not tool[u]]
    false_ok = [u for u in uris if not reference[u] and tool[u]]
    return {
        "n": len(uris),
        "agree": len(agree),
        "agreement": round(len(agree) / len(uris), 4) if uris else None,
        "says_fails_but_imports": len(false_fail),
        "says_resolves_but_import_fails": len(false_ok),
        "examples_says_fails_but_imports": false_fail[:15],
        "examples_says_resolves_but_import_fails": false_ok[:15],
    }


def valid_only(verdicts: dict[str, bool]) -> dict[str, bool]:
    return {u: v for u, v in verdicts.items() if is_valid_uri(u)}


def truth_accuracy(root: Path, truth: dict[str, Any], diagnostics: list[Any]) -> dict[str, Any]:
    """spoc-lsp's diagnostics against the planted problems (file, line, accepted codes)."""
    found: dict[tuple[str, int], set[str]] = {}
    for d in diagnostics:
        file = Path(str(d.get("file", "")))
        path = file if file.is_absolute() else (root / file)
        try:
            relative = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            relative = str(file)
        found.setdefault((relative, int(d.get("line", 0))), set()).add(str(d.get("code")))
    planted = [e for e in truth["entries"] if e["codes"]]
    hit = [e for e in planted if set(e["codes"]) & found.get((e["file"], e["line"]), set())]
    missed = [e for e in planted if e not in hit]
    planted_lines = {(e["file"], e["line"]) for e in planted}
    listed_lines = {(e["file"], e["line"]) for e in truth["entries"]}
    spurious = [
        {"file": f, "line": line, "codes": sorted(codes)}
        for (f, line), codes in sorted(found.items())
        if (f, line) in listed_lines and (f, line) not in planted_lines
    ]
    by_category: dict[str, list[int]] = {}
    for e in planted:
        stats = by_category.setdefault(e["category"], [0, 0])
        stats[1] += 1
        stats[0] += e in hit
    return {
        "planted": len(planted),
        "found": len(hit),
        "recall": round(len(hit) / len(planted), 4) if planted else None,
        "by_category": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_category.items())},
        "missed": [
            {"uri": e["uri"], "line": e["line"], "file": e["file"], "want": e["codes"]}
            for e in missed[:20]
        ],
        "false_positives": len(spurious),
        "false_positive_examples": spurious[:20],
    }


_GC_PROBE = """
import contextlib, gc, io, json, sys, time
from spoc_lsp.cli import main
mode, root, python = sys.argv[1:4]
spent = {0: 0.0, 1: 0.0, 2: 0.0}
count = {0: 0, 1: 0, 2: 0}
started = [0.0]
def on_gc(phase, info):
    if phase == "start":
        started[0] = time.perf_counter()
    else:
        spent[info["generation"]] += time.perf_counter() - started[0]
        count[info["generation"]] += 1
gc.callbacks.append(on_gc)
if mode == "disabled":
    gc.disable()
elif mode == "threshold":
    gc.set_threshold(50_000, 20, 100)
t = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["check", root, "--python", python, "--format", "json"])
    except SystemExit:
        pass
total = time.perf_counter() - t
print(json.dumps({"analysis_s": round(total, 3), "gc_s": round(sum(spent.values()), 3),
                  "collections": count, "gen2_s": round(spent[2], 3)}))
"""


def gc_share(root: Path, python: Path, rounds: int = 2) -> dict[str, Any]:
    """How much of a check is garbage collection: the check in-process (after imports) with
    the default collector, with ``gc.set_threshold(50_000, 20, 100)``, and with it disabled;
    the best of ``rounds`` runs of each, interleaved."""
    out: dict[str, Any] = {}
    for _ in range(rounds):
        for mode in ("default", "threshold", "disabled"):
            run = run_timed(
                [VENV_PYTHON, "-c", _GC_PROBE, mode, root, python], cwd=root, timeout=600
            )
            try:
                result = json.loads(run.stdout.strip().splitlines()[-1])
            except (json.JSONDecodeError, IndexError):
                raise RuntimeError(f"gc probe failed: {run.stderr[-1500:]}") from None
            best = out.get(mode)
            if best is None or result["analysis_s"] < best["analysis_s"]:
                out[mode] = result
    return out
