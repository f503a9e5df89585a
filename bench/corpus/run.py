"""The agreement corpus: the static resolver's verdict on thousands of URIs into popular
packages, compared with a real import of each.

    python -m bench.corpus.run [--verify N] [--jobs N] [--refresh]

Builds ``bench/workspaces/corpus-venv`` from ``requirements.txt`` (once), generates the URIs
(``generate.py``), imports each for real (``truth.py``; cached in
``bench/workspaces/corpus-truth.tsv`` while the requirements and the URI list stay the same),
resolves each statically with the venv as the project's interpreter, and prints agreement,
false errors and misses by class. ``bench/results/corpus.json`` gets every disagreement.

Scoring: a URI that imports is agreed on when the resolver says resolved or unverifiable;
flagging it (SPOC001/002/003, or any SPOC007 fact) is a **false error**. A URI that fails is
agreed on when the resolver flags it; resolved or unverifiable is a **miss** (unverifiable
counts as a miss too). Timeouts of the real import are left out and counted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.corpus.generate import CorpusUri, corpus

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORKSPACES = REPO / "bench" / "workspaces"
VENV = WORKSPACES / "corpus-venv"
PYTHON = VENV / "bin" / "python"
PROJECT = WORKSPACES / "corpus-project"
TRUTH = WORKSPACES / "corpus-truth.tsv"
RESULTS = REPO / "bench" / "results" / "corpus.json"
REQUIREMENTS = HERE / "requirements.txt"
JSON = ("--format", "json")


@dataclass(frozen=True)
class Outcome:
    item: CorpusUri
    real: str  # ok / fail / timeout
    error: str
    static: str  # resolved / unverifiable / flagged
    codes: tuple[str, ...]
    detail: str


def ensure_venv() -> None:
    stamp = VENV / ".requirements-sha"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == digest:
        return
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True
    )
    stamp.write_text(digest)


def site_packages() -> Path:
    found = sorted((VENV / "lib").glob("python3*/site-packages"))
    if not found:
        raise SystemExit(f"no site-packages under {VENV}")
    return found[0]


def real_verdicts(uris: list[str], jobs: int, refresh: bool) -> dict[str, tuple[str, str]]:
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + "\n".join(uris).encode()).hexdigest()
    stamp = TRUTH.with_suffix(".key")
    if refresh or not (TRUTH.is_file() and stamp.is_file() and stamp.read_text() == key):
        PROJECT.mkdir(parents=True, exist_ok=True)
        listing = WORKSPACES / "corpus-uris.txt"
        listing.write_text("\n".join(uris) + "\n", encoding="utf-8")
        TRUTH.unlink(missing_ok=True)
        started = time.monotonic()
        subprocess.run(
            [
                str(PYTHON),
                "-I",
                "-B",
                str(HERE / "truth.py"),
                "tree",
                str(REPO),
                str(PROJECT),
                str(listing),
                str(TRUTH),
                str(jobs),
            ],
            check=True,
            timeout=7200,
        )
        print(f"real imports: {len(uris)} URIs in {time.monotonic() - started:.0f} s (fork tree)")
        stamp.write_text(key)
    verdicts: dict[str, tuple[str, str]] = {}
    for line in TRUTH.read_text(encoding="utf-8").splitlines():
        uri, verdict, *message = line.split("\t")
        verdicts[uri] = (verdict, message[0] if message else "")
    return verdicts


def fresh_verdict(uri: str) -> tuple[str, str]:
    """One new interpreter for one URI: the reference the fork tree must equal."""
    done = subprocess.run(
        [str(PYTHON), "-I", "-B", str(HERE / "truth.py"), "single", str(REPO), str(PROJECT), uri],
        capture_output=True,
        text=True,
        timeout=120,
    )
    _uri, verdict, *message = done.stdout.strip().split("\t")
    return verdict, message[0] if message else ""


def static_verdicts(uris: list[str]) -> dict[str, tuple[str, tuple[str, ...], str]]:
    from spoc_lsp.index.model import Status
    from spoc_lsp.index.resolver import open_resolver

    PROJECT.mkdir(parents=True, exist_ok=True)
    resolver = open_resolver(PROJECT, PYTHON)
    found: dict[str, tuple[str, tuple[str, ...], str]] = {}
    for uri in uris:
        resolution = resolver.resolve(uri)
        codes: list[str] = []
        if resolution.status is Status.UNRESOLVED:
            codes.append(resolution.failure.code if resolution.failure else "SPOC003")
        if resolution.import_problems:
            codes.append("SPOC007")
        if codes:
            detail = (
                resolution.failure.message
                if resolution.failure
                else "; ".join(p.message for p in resolution.import_problems)
            )
            found[uri] = ("flagged", tuple(codes), detail)
        elif resolution.status is Status.UNVERIFIABLE:
            found[uri] = ("unverifiable", (), resolution.reason or "")
        else:
            found[uri] = ("resolved", (), "")
    return found


def check_verdicts(uris: list[str]) -> tuple[dict[str, list[tuple[str, str]]], float]:
    """``spoc-lsp check --format json`` on a project listing every URI: (code, severity) of
    each URI's diagnostics, and the seconds it took."""
    project = WORKSPACES / "corpus-check-project"
    (project / "config").mkdir(parents=True, exist_ok=True)
    listed = ",\n".join(f'    "{uri}"' for uri in uris)
    (project / "config" / "spoc.toml").write_text(f"[spoc.plugins]\ncorpus = [\n{listed}\n]\n")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "spoc_lsp", "check", str(project), "--python", str(PYTHON), *JSON],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    elapsed = time.monotonic() - started
    report = json.loads(done.stdout)
    found: dict[str, list[tuple[str, str]]] = {uri: [] for uri in uris}
    for diagnostic in report["diagnostics"]:
        if diagnostic.get("uri") in found:
            found[diagnostic["uri"]].append((diagnostic["code"], diagnostic["severity"]))
    return found, elapsed


def score(outcomes: list[Outcome]) -> dict[str, object]:
    counted = [o for o in outcomes if o.real != "timeout"]
    false_errors = [o for o in counted if o.real == "ok" and o.static == "flagged"]
    misses = [o for o in counted if o.real == "fail" and o.static != "flagged"]
    agreed = len(counted) - len(false_errors) - len(misses)
    by_class: dict[str, dict[str, int]] = {}
    for o in counted:
        row = by_class.setdefault(
            o.item.kind,
            {"uris": 0, "imports": 0, "false_errors": 0, "misses": 0, "unverifiable": 0},
        )
        row["uris"] += 1
        row["imports"] += o.real == "ok"
        row["false_errors"] += o.real == "ok" and o.static == "flagged"
        row["misses"] += o.real == "fail" and o.static != "flagged"
        row["unverifiable"] += o.static == "unverifiable"
    return {
        "uris": len(outcomes),
        "timeouts": len(outcomes) - len(counted),
        "counted": len(counted),
        "imports": sum(o.real == "ok" for o in counted),
        "agreement": agreed / len(counted) if counted else 1.0,
        "false_errors": len(false_errors),
        "misses": len(misses),
        "misses_unverifiable": sum(o.static == "unverifiable" for o in misses),
        "misses_resolved": sum(o.static == "resolved" for o in misses),
        "by_class": by_class,
        "by_package": dict(Counter(o.item.package for o in counted)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus.run")
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument(
        "--verify", type=int, default=0, help="re-check N URIs, one interpreter each"
    )
    parser.add_argument("--refresh", action="store_true", help="import everything again")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--check", action="store_true", help="also run `spoc-lsp check` on them")
    options = parser.parse_args(argv)
    ensure_venv()
    items = corpus(site_packages(), seed=options.seed)
    uris = [item.uri for item in items]
    print(f"corpus: {len(uris)} URIs from {len({i.package for i in items})} packages")
    real = real_verdicts(uris, options.jobs, options.refresh)
    started = time.monotonic()
    static = static_verdicts(uris)
    print(f"static resolver: {len(uris)} URIs in {time.monotonic() - started:.1f} s")
    outcomes = []
    for item in items:
        verdict, error = real.get(item.uri, ("timeout", "no result"))
        answer, codes, detail = static[item.uri]
        outcomes.append(Outcome(item, verdict, error, answer, codes, detail))
    summary = score(outcomes)
    if options.verify:
        sample = random.Random(options.seed).sample(uris, min(options.verify, len(uris)))
        started = time.monotonic()
        differ = [u for u in sample if fresh_verdict(u)[0] != real.get(u, ("timeout", ""))[0]]
        elapsed = time.monotonic() - started
        summary["verify"] = {"checked": len(sample), "differ": differ, "seconds": elapsed}
        print(
            f"verify: {len(sample)} URIs in one new interpreter each, {elapsed:.0f} s "
            f"({elapsed / max(len(sample), 1) * 1000:.0f} ms per URI); differ from the fork tree: "
            f"{len(differ)} {differ[:5]}"
        )
    if options.check:
        checked, seconds = check_verdicts(uris)
        differ = []
        for o in outcomes:
            if o.real == "timeout":
                continue
            shown = [c for c in checked[o.item.uri] if c[0] != "SPOC010"]
            errors = [c for c in shown if c[1] == "error"]
            if (o.real == "ok" and errors) or (
                o.real == "fail" and o.static == "flagged" and not shown
            ):
                differ.append(o.item.uri)
            if (o.real == "ok") == (o.static == "flagged") and o.item.uri not in differ:
                continue
        spoc010 = sum(any(c[0] == "SPOC010" for c in v) for v in checked.values())
        summary["check"] = {"seconds": seconds, "differ_from_resolver": differ, "spoc010": spoc010}
        print(
            f"check: {len(uris)} URIs in {seconds:.0f} s; SPOC010 on {spoc010}; a URI that "
            f"imports shown as an error, or a flagged one not shown: {len(differ)} {differ[:5]}"
        )
    _print(summary)
    disagreements = [
        {
            "uri": o.item.uri,
            "class": o.item.kind,
            "real": o.real,
            "error": o.error,
            "static": o.static,
            "codes": o.codes,
            "detail": o.detail,
        }
        for o in outcomes
        if o.real != "timeout" and (o.real == "ok") == (o.static == "flagged")
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"summary": summary, "disagreements": disagreements}, indent=1))
    print(f"details: {RESULTS.relative_to(REPO)}")
    return 0


def _print(summary: dict[str, object]) -> None:
    agreement = summary["agreement"]
    assert isinstance(agreement, float)
    print(
        f"URIs {summary['uris']} (counted {summary['counted']}, import fine {summary['imports']},"
        f" timeouts {summary['timeouts']})"
    )
    print(
        f"agreement {agreement * 100:.2f}%  "
        f"false errors {summary['false_errors']}"
        f"  misses {summary['misses']} (unverifiable {summary['misses_unverifiable']}, "
        f"resolved {summary['misses_resolved']})"
    )
    rows = summary["by_class"]
    assert isinstance(rows, dict)
    print(f"{'class':20} {'URIs':>6} {'import':>6} {'false err':>9} {'misses':>6} {'unverif':>7}")
    for kind, row in sorted(rows.items()):
        print(
            f"{kind:20} {row['uris']:6} {row['imports']:6} {row['false_errors']:9} "
            f"{row['misses']:6} {row['unverifiable']:7}"
        )


if __name__ == "__main__":
    sys.exit(main())
