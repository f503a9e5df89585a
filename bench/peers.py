"""``spoc-lsp check`` (no cache, cold cache, warm cache) against ty and pyrefly, in one run.

``python -m bench.peers [--sizes 10k] [--no-real]``: for each workspace, the same URIs are given
to ty and pyrefly (both from PyPI, in ``bench/workspaces/_tools/peers``) as a file of
``from a.b import c`` lines (``import a`` for a one-segment URI), with the project's roots as
extra search paths and the workspace's interpreter; each tool is run once, a fresh process, one
after the other, and the ratios are printed as Markdown and written to
``bench/results/peers.json``. Only wall and CPU time are compared (the verdicts of the two type
checkers are not read here).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import compare, generate, realenv
from bench.measure import RESULTS, TOOLS, clean_env, load_average, run_timed

PEERS = TOOLS / "peers"


def ensure_peers() -> Path:
    """A tool virtualenv with ty and pyrefly from PyPI."""
    if not (PEERS / "bin" / "ty").exists() or not (PEERS / "bin" / "pyrefly").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEERS)], check=True)
        subprocess.run(
            [str(PEERS / "bin" / "python"), "-m", "pip", "install", "--quiet", "ty", "pyrefly"],
            check=True,
        )
    return PEERS / "bin"


def import_file(directory: Path, uris: Sequence[str]) -> Path:
    lines = []
    for uri in uris:
        module, _, attribute = uri.rpartition(".")
        lines.append(f"from {module} import {attribute}" if module else f"import {uri}")
    path = directory / "check.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _timed(cmd: Sequence[str | Path], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    run = run_timed(cmd, cwd=cwd, env=env, timeout=900)
    return {
        "seconds": round(run.wall, 3),
        "cpu_s": round(run.cpu, 3),
        "peak_rss_mb": round(run.max_rss_kb / 1024, 1),
        "exit_code": run.returncode,
        "stdout_sha": hash(run.stdout),
    }


def compare_workspace(name: str, root: Path, python: Path, uris: list[str]) -> dict[str, Any]:
    tools = ensure_peers()
    out: dict[str, Any] = {"workspace": name, "uris": len(uris), "load_before": load_average()}
    check: list[str | Path] = [compare.SPOC_LSP, "check", root, "--python", python]
    check += ["--format", "json"]
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as scratch:
        env = {**clean_env(), "SPOC_LSP_CACHE_DIR": cache}
        out["check_no_cache"] = _timed([*check, "--no-cache"], root, env)
        out["check_cold_cache"] = _timed(check, root, env)
        out["check_warm_cache"] = _timed(check, root, env)
        shas = {
            out[k]["stdout_sha"] for k in ("check_no_cache", "check_cold_cache", "check_warm_cache")
        }
        out["check_outputs_identical"] = len(shas) == 1
        project = Path(scratch)
        source = import_file(project, uris)
        extra = [str(p) for p in (root / "apps", root) if p.is_dir()]
        ty: list[str | Path] = [tools / "ty", "check", "--python", python, "--no-progress"]
        for path in extra:
            ty += ["--extra-search-path", path]
        out["ty"] = _timed([*ty, source], project, clean_env())
        pyrefly: list[str | Path] = [
            tools / "pyrefly",
            "check",
            "--python-interpreter-path",
            python,
        ]
        for path in extra:
            pyrefly += ["--search-path", path]
        out["pyrefly"] = _timed([*pyrefly, source], project, clean_env())
    for key in ("check_no_cache", "check_cold_cache", "check_warm_cache", "ty", "pyrefly"):
        out[key].pop("stdout_sha", None)
    for peer in ("ty", "pyrefly"):
        base = out[peer]["seconds"]
        for key in ("check_no_cache", "check_cold_cache", "check_warm_cache"):
            out[f"{key}_over_{peer}"] = round(out[key]["seconds"] / base, 2) if base else None
    versions = {}
    for tool in ("ty", "pyrefly"):
        done = subprocess.run([tools / tool, "--version"], capture_output=True, text=True)
        versions[tool] = done.stdout.strip()
    out["versions"] = versions
    out["load_after"] = load_average()
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,50k")
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--real-uris", type=int, default=5000)
    args = parser.parse_args(argv)
    results = []
    for size in [s for s in args.sizes.split(",") if s]:
        root = generate.WORKSPACES / f"synth-{size}"
        truth = json.loads((generate.WORKSPACES / f"synth-{size}.truth.json").read_text())
        python = Path(shutil.which("python3") or sys.executable)
        venv_python = root / ".venv" / "bin" / "python"
        python = venv_python if venv_python.exists() else python
        results.append(compare_workspace(f"synth-{size}", root, python, compare.unique_uris(truth)))
    if not args.no_real:
        root, python = realenv.generate(args.real_uris)
        truth = json.loads(realenv.TRUTH.read_text())
        results.append(compare_workspace("realenv", root, python, compare.unique_uris(truth)))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "peers.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
