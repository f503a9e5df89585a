"""Run every benchmark and report: ``make bench`` (``python -m bench.run``).

Steps, per workspace (synthetic 1k and 10k modules, and the real environment):

1. ``spoc-lsp check`` (first run with the page cache of the workspace and the tool evicted,
   then repeats: each a fresh process, which is "cold" for spoc-lsp's in-memory caches);
2. the language server over stdio (``bench/driver.py``): start, completion, hover, definition,
   edit -> diagnostics, peak RSS;
3. the same URIs imported for real (no bytecode cache, then warm), and basedpyright on them;
4. agreement of each tool with the real import, and spoc-lsp against the planted problems.

Then a cProfile of ``check`` on the largest workspaces, the scaling from 1k to 10k, and the
targets. Prints a Markdown report, writes ``bench/results/latest.json`` (summary),
``bench/results/latest.md`` and ``bench/results/details-<workspace>.json`` (verdicts, errors).

``--quick`` makes a smaller run (1k only, a 600-URI real environment, 50 edits and requests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import json
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import compare, generate, realenv
from bench.driver import run_driver, server_passes
from bench.measure import REPO, RESULTS, load_average, machine, run_timed

T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[bench {time.perf_counter() - T0:7.1f}s] {message}", file=sys.stderr, flush=True)


def step(errors: list[str], name: str, action: Callable[[], Any]) -> Any:
    """Run one measurement; a failure is recorded and the rest goes on."""
    log(f"{name} ...")
    started = time.perf_counter()
    try:
        result = action()
    except Exception as error:
        errors.append(f"{name}: {type(error).__name__}: {error}")
        log(f"{name} FAILED: {type(error).__name__}: {error}")
        traceback.print_exc(file=sys.stderr)
        return None
    log(f"{name} done in {time.perf_counter() - started:.1f}s")
    return result


def spoc_lsp_health() -> dict[str, Any]:
    """Does the analysis run at all (``check`` on the bundled example must not crash)?"""
    run = run_timed([compare.SPOC_LSP, "check", REPO / "examples" / "shop"], timeout=120)
    crashed = run.returncode not in (0, 1) or "Traceback (most recent call last)" in run.stderr
    return {
        "check_examples_shop_exit": run.returncode,
        "ok": not crashed,
        "tail": (run.stdout + run.stderr)[-600:],
    }


def bench_workspace(
    name: str,
    root: Path,
    python: Path,
    truth: dict[str, Any],
    args: argparse.Namespace,
    errors: list[str],
    health: bool,
) -> tuple[dict[str, Any], dict[str, Any]]:
    uris = compare.unique_uris(truth)
    summary: dict[str, Any] = {
        "root": str(root),
        "python": str(python),
        "modules": truth["modules"],
        "uris": truth["uris"],
        "unique_uris": len(uris),
        "planted_problems": len(truth.get("broken", [])),
    }
    details: dict[str, Any] = {}
    # The persistent cache of this workspace's runs: emptied for the cold first check, warm
    # for the repeats and for the server (what a second start of an editor finds).
    cache = generate.WORKSPACES / "_cache" / name
    if health and not args.no_check:
        check = step(
            errors,
            f"{name}: spoc-lsp check",
            lambda: compare.spoc_check(root, python, uris, repeats=args.repeats, cache=cache),
        )
        if check:
            details["spoc_verdicts"] = check.pop("verdicts", {})
            details["spoc_diagnostics"] = check.pop("diagnostics", [])
            summary["check"] = check
            if truth.get("broken"):
                summary["truth"] = compare.truth_accuracy(root, truth, details["spoc_diagnostics"])
    if health and not args.no_lsp:
        lsp = step(
            errors,
            f"{name}: language server",
            lambda: run_driver(
                root,
                truth,
                python=python,
                edits=args.edits,
                requests=args.requests,
                log_name=f"server-{name}",
                env_extra={"SPOC_LSP_CACHE_DIR": str(cache)},
            ),
        )
        if lsp:
            summary["lsp"] = lsp
    if not args.no_imports:
        imports = step(
            errors, f"{name}: real imports", lambda: compare.real_imports(root, python, uris)
        )
        if imports:
            details["import_verdicts"] = imports.pop("verdicts")
            details["import_errors"] = imports.pop("errors")
            summary["imports"] = imports
            summary["imports"]["resolving"] = sum(details["import_verdicts"].values())
    if not args.no_pyright:
        pyright = step(
            errors,
            f"{name}: basedpyright",
            lambda: compare.basedpyright(root, python, uris, name),
        )
        if pyright:
            details["pyright_verdicts"] = pyright.pop("verdicts", {})
            summary["basedpyright"] = pyright
    reference = compare.valid_only(details.get("import_verdicts", {}))
    if reference:
        summary["agreement"] = {}
        for tool, key in (("spoc-lsp", "spoc_verdicts"), ("basedpyright", "pyright_verdicts")):
            if details.get(key):
                summary["agreement"][tool] = compare.agreement(reference, details[key])
    check_s = summary.get("check", {}).get("first_run_s")
    if check_s:
        ratios: dict[str, float] = {}
        if "basedpyright" in summary:
            ratios["basedpyright_vs_check"] = round(summary["basedpyright"]["seconds"] / check_s, 2)
        if "imports" in summary:
            ratios["import_no_bytecode_vs_check"] = round(
                summary["imports"]["no_bytecode_s"] / check_s, 2
            )
            if "warm_bytecode_s" in summary["imports"]:
                ratios["import_warm_bytecode_vs_check"] = round(
                    summary["imports"]["warm_bytecode_s"] / check_s, 2
                )
        summary["ratios"] = ratios
    return summary, details


# ----------------------------------------------------------------------------- verdicts
def _get(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


SCALED = (
    ("check_first_run", ("check", "first_run_s")),
    ("check_repeat", ("check", "repeat_median_s")),
    ("check_cpu_first", ("check", "first_run_cpu_s")),
    ("check_cpu_best", ("check", "repeat_min_cpu_s")),
    ("start_to_diagnostics", ("lsp", "start_to_diagnostics_ms")),
    ("edit_p50", ("lsp", "edit_to_diagnostics", "p50")),
    ("server_peak_rss", ("lsp", "peak_rss_mb")),
    ("basedpyright", ("basedpyright", "seconds")),
    ("import_no_bytecode", ("imports", "no_bytecode_s")),
)


def _scaling(
    small_name: str, small: dict[str, Any], large_name: str, large: dict[str, Any]
) -> dict[str, Any]:
    factor = large["modules"] / small["modules"]
    scaling: dict[str, Any] = {
        "from": small_name,
        "to": large_name,
        "size_factor": round(factor, 2),
    }
    for label, path in SCALED:
        a, b = _get(small, *path), _get(large, *path)
        if a and b:
            scaling[label] = round(b / a, 2)
    return scaling


def evaluate(results: dict[str, Any]) -> dict[str, Any]:
    """Scaling between consecutive synthetic workspaces (1k -> 10k -> 50k), and issue 16's
    targets on synth-10k (the largest one when there is no 10k)."""
    ws = results["workspaces"]
    synth = sorted((n for n in ws if n.startswith("synth-")), key=lambda n: ws[n]["modules"])
    out: dict[str, Any] = {}
    steps = [_scaling(a, ws[a], b, ws[b]) for a, b in itertools.pairwise(synth)]
    if steps:
        out["scaling_steps"] = steps
    if not synth:
        return out
    on = "synth-10k" if "synth-10k" in ws else synth[-1]
    big = ws[on]
    targets: list[dict[str, Any]] = []

    def target(name: str, value: Any, limit: float, higher_is_better: bool = False) -> None:
        if value is None:
            targets.append({"target": name, "value": None, "limit": limit, "met": None})
            return
        met = value >= limit if higher_is_better else value <= limit
        margin = value / limit if limit else None
        targets.append(
            {
                "target": name,
                "value": value,
                "limit": limit,
                "met": met,
                "ratio_to_limit": round(margin, 2) if margin else None,
            }
        )

    completion = _get(big, "lsp", "completion") or {}
    p99s = [c.get("p99") for c in completion.values() if c.get("p99") is not None]
    target("completion p99 (ms, worst depth)", max(p99s) if p99s else None, 10.0)
    target("hover p99 (ms)", _get(big, "lsp", "hover", "p99"), 10.0)
    target("edit -> diagnostics p99 (ms)", _get(big, "lsp", "edit_to_diagnostics", "p99"), 30.0)
    target("check cold, first run (s)", _get(big, "check", "first_run_s"), 2.0)
    target("check warm, repeat median (s)", _get(big, "check", "repeat_median_s"), 0.5)
    target("server peak RSS (MB)", _get(big, "lsp", "peak_rss_mb"), 150.0)
    spoc_agree = _get(big, "agreement", "spoc-lsp", "agreement")
    pyright_agree = _get(big, "agreement", "basedpyright", "agreement")
    target("agreement with real import (spoc-lsp)", spoc_agree, pyright_agree or 1.0, True)
    for step_ in steps:
        grow = [step_.get(k) for k in ("check_cpu_best", "check_cpu_first", "edit_p50")]
        grown = [g for g in grow if g is not None]
        target(
            f"cost growth {step_['from']} -> {step_['to']} (x, worst of check CPU/edit)",
            max(grown) if grown else None,
            step_["size_factor"],
        )
    out["targets_on"] = on
    out["targets"] = targets
    return out


# ----------------------------------------------------------------------------- report
def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render(results: dict[str, Any]) -> str:
    ws = results["workspaces"]
    names = list(ws)
    lines = [
        "| metric | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]

    def row(label: str, fn: Callable[[dict[str, Any]], Any]) -> None:
        cells = []
        for name in names:
            try:
                cells.append(fn(ws[name]))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    def pair(data: dict[str, Any] | None, digits: int = 1) -> str:
        if not data or data.get("n", 0) == 0:
            return "—"
        return f"{_fmt(data.get('p50'), digits)} / {_fmt(data.get('p99'), digits)}"

    row("modules / listed URIs", lambda w: f"{w['modules']:,} / {w['uris']:,}")
    row(
        "**check** cold: page cache evicted, empty persistent cache (s)",
        lambda w: _fmt(w["check"]["first_run_s"], 2),
    )
    row(
        "check warm (persistent cache), repeat median (s)",
        lambda w: _fmt(w["check"]["repeat_median_s"], 2),
    )
    row(
        "check CPU time, first / best repeat (s)",
        lambda w: (
            f"{_fmt(w['check']['first_run_cpu_s'], 2)} / {_fmt(w['check']['repeat_min_cpu_s'], 2)}"
        ),
    )
    row("check peak RSS (MB)", lambda w: _fmt(w["check"]["peak_rss_mb"]))
    row(
        "**server** start → first diagnostics, warm persistent cache (ms)",
        lambda w: _fmt(w["lsp"]["start_to_diagnostics_ms"], 0),
    )
    row("didOpen → first diagnostics (ms)", lambda w: _fmt(w["lsp"]["open_to_diagnostics_ms"], 0))
    row("edit → diagnostics p50 / p99 (ms)", lambda w: pair(w["lsp"]["edit_to_diagnostics"]))
    for depth in range(4):
        row(
            f"completion depth {depth} p50 / p99 (ms)",
            functools.partial(lambda d, w: pair(w["lsp"]["completion"][d]), str(depth)),
        )
    row(
        "completion items (mean, depth 0/1/2/3)",
        lambda w: " / ".join(
            _fmt(w["lsp"]["completion"][str(d)]["mean_items"], 0) for d in range(4)
        ),
    )
    row(
        "first request after start: completion d0/d1/d2/d3, hover (ms)",
        lambda w: " / ".join(
            [_fmt(w["lsp"]["completion"][str(d)]["first_ms"], 0) for d in range(4)]
            + [_fmt(w["lsp"]["hover"]["first_ms"], 0)]
        ),
    )
    row("hover p50 / p99 (ms)", lambda w: pair(w["lsp"]["hover"]))
    row("definition p50 / p99 (ms)", lambda w: pair(w["lsp"]["definition"]))
    row("server peak RSS, VmHWM (MB)", lambda w: _fmt(w["lsp"]["peak_rss_mb"]))
    row("**real import**, no bytecode cache (s)", lambda w: _fmt(w["imports"]["no_bytecode_s"], 2))
    row("real import, warm bytecode cache (s)", lambda w: _fmt(w["imports"]["warm_bytecode_s"], 2))
    row(
        "real import CPU time, no bytecode / warm (s)",
        lambda w: (
            f"{_fmt(w['imports']['no_bytecode_cpu_s'], 2)} / "
            f"{_fmt(w['imports']['warm_bytecode_cpu_s'], 2)}"
        ),
    )
    row("**basedpyright** (s)", lambda w: _fmt(w["basedpyright"]["seconds"], 2))
    row(
        "basedpyright CPU time (s, Node uses several threads)",
        lambda w: _fmt(w["basedpyright"]["cpu_s"], 2),
    )
    row(
        "basedpyright time / check time",
        lambda w: _fmt(w["ratios"]["basedpyright_vs_check"], 1) + "×",
    )
    row(
        "import (no bytecode) / check",
        lambda w: _fmt(w["ratios"]["import_no_bytecode_vs_check"], 1) + "×",
    )
    row(
        "import (warm bytecode) / check",
        lambda w: _fmt(w["ratios"]["import_warm_bytecode_vs_check"], 1) + "×",
    )
    row(
        "URIs compared (valid, unique) / resolving on import",
        lambda w: f"{w['agreement']['spoc-lsp']['n']:,} / {w['imports']['resolving']:,}",
    )
    for tool in ("spoc-lsp", "basedpyright"):
        row(
            f"agreement with real import: {tool}",
            functools.partial(
                lambda t, w: (
                    f"{w['agreement'][t]['agreement'] * 100:.1f}% "
                    f"({w['agreement'][t]['says_fails_but_imports']} false alarms, "
                    f"{w['agreement'][t]['says_resolves_but_import_fails']} missed)"
                ),
                tool,
            ),
        )
    row(
        "planted problems found by check",
        lambda w: (
            f"{w['truth']['found']}/{w['truth']['planted']}, "
            f"{w['truth']['false_positives']} spurious"
        ),
    )
    out = ["## Results", "", *lines, ""]
    evaluation = results.get("evaluation", {})
    if evaluation.get("targets"):
        out += [
            f"## Targets (on {evaluation['targets_on']})",
            "",
            "| target | value | limit | met |",
            "|---|---:|---:|---|",
        ]
        for t in evaluation["targets"]:
            cells = [t["target"], _fmt(t["value"], 3), _fmt(t["limit"], 3), _fmt(t["met"])]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    for s in evaluation.get("scaling_steps", []):
        out += [f"## Scaling {s['from']} → {s['to']} (size ×{s['size_factor']})", ""]
        out += [f"- {k}: ×{v}" for k, v in s.items() if k not in {"from", "to", "size_factor"}]
        out.append("")
    for name, prof in results.get("profiles", {}).items():
        if not prof or "by_self" not in prof:
            continue
        out += [
            f"## Profile of `check` on {name} (cProfile, {prof['wall_s']} s wall)",
            "",
            "| function | calls | self (s) | cumulative (s) |",
            "|---|---:|---:|---:|",
        ]
        for entry in prof["by_self"][:12]:
            cells = [f"`{entry['function']}`", entry["calls"], entry["self_s"]]
            out.append("| " + " | ".join(map(str, [*cells, entry["cumulative_s"]])) + " |")
        out.append("")
    for name, share in (results.get("gc_share") or {}).items():
        if not share:
            continue
        out += [
            f"## Garbage collection in `check` on {name} (in-process, best of 2)",
            "",
            "| collector | analysis (s) | in GC (s) | collections (gen 0/1/2) |",
            "|---|---:|---:|---|",
        ]
        for mode, data in share.items():
            counts = "/".join(str(data["collections"][g]) for g in ("0", "1", "2"))
            out.append(f"| {mode} | {data['analysis_s']} | {data['gc_s']} | {counts} |")
        out.append("")
    for name, passes in (results.get("server_profile") or {}).items():
        if not passes:
            continue
        gen2 = passes["gen2_collections"]
        edit = passes["edit_analysis"]
        out += [
            f"## Server, per edit, on {name}",
            "",
            f"- analysis per edit (unprofiled, inside the server): p50 {_fmt(edit.get('p50'))} ms,"
            f" p99 {_fmt(edit.get('p99'))} ms"
            f" (start-up analysis {passes['startup_analysis_ms']} ms)",
            f"- full (generation 2) collections: {gen2['startup_count']} during start-up"
            f" ({gen2['startup_ms']} ms), {gen2['edits_count']} during the edits"
            f" (mean {gen2['edits_mean_ms']} ms, max {gen2['edits_max_ms']} ms)",
            "",
            "| function (cProfile of the edit analyses) | calls | self (s) | cumulative (s) |",
            "|---|---:|---:|---:|",
        ]
        for entry in passes["profile"]["by_cumulative"][:15]:
            cells = [f"`{entry['function']}`", entry["calls"], entry["self_s"]]
            out.append("| " + " | ".join(map(str, [*cells, entry["cumulative_s"]])) + " |")
        out.append("")
    out += [
        f"Load average (1/5/15 min) at start {results.get('load_average_at_start')},"
        f" at end {results.get('load_average_at_end')}.",
        "",
    ]
    if results.get("errors"):
        out += ["## Errors", "", *[f"- {e}" for e in results["errors"]], ""]
    return "\n".join(out)


# ----------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the spoc-lsp benchmarks.")
    parser.add_argument("--quick", action="store_true", help="a smaller run (a few minutes)")
    parser.add_argument("--sizes", default=None, help="comma-separated: 1k,10k,50k")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--real-uris", type=int, default=None)
    parser.add_argument("--edits", type=int, default=None)
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None, help="repeat runs of check")
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--no-lsp", action="store_true")
    parser.add_argument("--no-imports", action="store_true")
    parser.add_argument("--no-pyright", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)
    quick = args.quick
    args.sizes = (args.sizes or ("1k" if quick else "1k,10k,50k")).split(",")
    args.real_uris = args.real_uris or (600 if quick else 3000)
    args.edits = args.edits if args.edits is not None else (50 if quick else 200)
    args.requests = args.requests if args.requests is not None else (50 if quick else 200)
    args.repeats = args.repeats if args.repeats is not None else (3 if quick else 5)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_at_start": load_average(),
        "command": "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv),
        "settings": dict(vars(args)),
        "workspaces": {},
        "errors": errors,
    }
    targets: list[tuple[str, Path, Path, dict[str, Any]]] = []
    for size in args.sizes:
        root = step(
            errors,
            f"generate synth-{size}",
            functools.partial(generate.generate, size, args.seed),
        )
        if root:
            truth = json.loads(generate.truth_path(size).read_text())
            targets.append((f"synth-{size}", root, root / ".venv" / "bin" / "python", truth))
    if not args.no_real:
        real = step(errors, "real environment", lambda: realenv.generate(args.real_uris, args.seed))
        if real:
            truth = json.loads(realenv.TRUTH.read_text())
            results["real_versions"] = truth.get("versions", {})
            targets.append(("realenv", real[0], real[1], truth))
    health = step(errors, "spoc-lsp health", spoc_lsp_health) or {"ok": False}
    results["spoc_lsp_health"] = health
    if not health["ok"]:
        errors.append("spoc-lsp check crashes on examples/shop: spoc-lsp measurements skipped")
    if not args.no_pyright:
        step(errors, "basedpyright install", compare.ensure_basedpyright)
    for name, root, python, truth in targets:
        summary, details = bench_workspace(name, root, python, truth, args, errors, health["ok"])
        results["workspaces"][name] = summary
        (RESULTS / f"details-{name}.json").write_text(json.dumps(details, indent=1))
    if health["ok"] and not args.no_profile:
        results["startup"] = step(errors, "startup costs", compare.startup_costs)
        profiles: dict[str, Any] = {}
        synthetic = [t[0] for t in targets if t[0].startswith("synth-")]
        for name, root, python, _truth in targets:
            if name in synthetic[:-1] and name != "synth-10k":  # the targets' and the largest
                continue
            profiles[name] = step(
                errors,
                f"{name}: profile",
                functools.partial(
                    compare.profile_check, root, python, RESULTS / f"profile-{name}.txt"
                ),
            )
        results["profiles"] = profiles
        if synthetic:
            name, root, python, _truth = next(t for t in targets if t[0] == synthetic[-1])
            results["gc_share"] = {
                name: step(
                    errors,
                    f"{name}: GC share of check",
                    functools.partial(compare.gc_share, root, python),
                )
            }
        results["server_profile"] = {}
        for name, root, python, truth in targets:
            if name in synthetic[:-1] and name != "synth-10k":  # 10k: the targets' workspace
                continue
            results["server_profile"][name] = step(
                errors,
                f"{name}: server edit passes (timing, cProfile)",
                functools.partial(
                    server_passes,
                    root,
                    truth,
                    python=python,
                    edits=min(args.edits, 100),
                    prefix=RESULTS / f"server-profile-{name}",
                    env_extra={"SPOC_LSP_CACHE_DIR": str(generate.WORKSPACES / "_cache" / name)},
                ),
            )
    results["load_average_at_end"] = load_average()
    results["evaluation"] = evaluate(results)
    results["finished_after_s"] = round(time.perf_counter() - T0, 1)
    report = render(results)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=1))
    (RESULTS / "latest.md").write_text(report + "\n")
    print(report)
    log(f"wrote {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
