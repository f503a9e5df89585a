"""Drive the real language server over stdio and time what an editor user waits for.

``python -m bench.driver WORKSPACE --truth TRUTH.json [--python EXE] [--edits N] [--requests N]``

Measured, in this order, on one server process (``python -m spoc_lsp``):

- start: process spawn -> first ``publishDiagnostics`` for the open ``config/spoc.toml`` that
  carries its errors (and, separately, ``didOpen`` -> that publication);
- completion inside plugin strings at dot depth 0, 1, 2 and 3 (cursor right after the opening
  quote, or right after the 1st/2nd/3rd dot of a listed URI), ``--requests`` each;
- hover and go-to-definition on the last segment of listed URIs, ``--requests`` each;
- edit -> diagnostics: ``--edits`` edits of the open buffer, each changing one URI, alternately
  breaking one (a typo in its last segment) and restoring it, timed from writing ``didChange``
  to receiving the ``publishDiagnostics`` whose content reflects that edit;
- peak RSS of the server process (``VmHWM`` from ``/proc/<pid>/status``) at the end.

Requests are sent one at a time, each after the previous answer: latency, not throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.lsp_client import LspClient, Publication, path_of
from bench.measure import REPO, RESULTS, clean_env, proc_status, summary_ms

SERVER = [str(REPO / ".venv" / "bin" / "python"), "-m", "spoc_lsp"]
ERROR_CODES = {"SPOC001", "SPOC002", "SPOC003", "SPOC007"}
CAPABILITIES: dict[str, Any] = {
    "general": {"positionEncodings": ["utf-16"]},
    "window": {"workDoneProgress": True},
    "workspace": {
        "configuration": True,
        "workspaceFolders": True,
        "didChangeConfiguration": {"dynamicRegistration": True},
        "didChangeWatchedFiles": {"dynamicRegistration": True},
    },
    "textDocument": {
        "synchronization": {"didSave": True, "dynamicRegistration": False},
        "completion": {
            "contextSupport": True,
            # As VS Code and Neovim declare it (LSP 3.17).
            "completionList": {"itemDefaults": ["editRange", "insertTextFormat", "data"]},
            "completionItem": {
                "snippetSupport": True,
                "documentationFormat": ["markdown", "plaintext"],
                "resolveSupport": {"properties": ["documentation", "detail"]},
            },
        },
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "definition": {"linkSupport": True},
        "publishDiagnostics": {
            "relatedInformation": True,
            "versionSupport": True,
            "codeDescriptionSupport": True,
            "dataSupport": True,
        },
        "inlayHint": {},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}},
    },
}


@dataclass(frozen=True)
class Site:
    """A listed URI in the open ``spoc.toml``: 1-based line, 0-based column of its text."""

    uri: str
    line: int
    column: int
    edit_typo: str | None


def _sites(truth: dict[str, Any]) -> list[Site]:
    return [
        Site(e["uri"], e["line"], e["column"], e.get("edit_typo"))
        for e in truth["entries"]
        if e["file"] == "config/spoc.toml"
        and e["resolves"]
        and e["category"] not in {"duplicate", "invalid"}
    ]


def _codes_on(diagnostics: list[Any], line: int) -> frozenset[str]:
    return frozenset(str(d.get("code")) for d in diagnostics if d["range"]["start"]["line"] == line)


def _expect(line: int, *, broken: bool) -> Callable[[list[Any]], bool]:
    """Does a publication show ``line`` broken (SPOC001/002 on it) or clean (nothing on it)?"""

    def predicate(diagnostics: list[Any]) -> bool:
        codes = _codes_on(diagnostics, line)
        return bool(codes & {"SPOC001", "SPOC002"}) if broken else not codes

    return predicate


def _has_errors(diagnostics: list[Any]) -> bool:
    return any(str(d.get("code")) in ERROR_CODES for d in diagnostics)


def _sync_kind(capabilities: dict[str, Any]) -> int:
    sync = capabilities.get("textDocumentSync", 0)
    if isinstance(sync, dict):
        return int(sync.get("change", 0))
    return int(sync)


def _count_items(result: Any) -> int:
    if result is None:
        return 0
    if isinstance(result, dict):
        return len(result.get("items", []))
    return len(result)


async def _timed_requests(
    client: LspClient, method: str, params: list[dict[str, Any]]
) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    sizes: list[int] = []
    for item in params:
        result, latency = await client.request(method, item)
        latencies.append(latency)
        completion = method == "textDocument/completion"
        sizes.append(_count_items(result) if completion else int(bool(result)))
    return latencies, sizes


async def drive(
    root: Path,
    truth: dict[str, Any],
    *,
    python: Path,
    edits: int = 200,
    requests: int = 200,
    seed: int = 1,
    log_name: str = "server",
    server: Sequence[str] = SERVER,
    env_extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run the whole scenario on one fresh server; returns the measurements."""
    toml = root / "config" / "spoc.toml"
    toml_uri = toml.as_uri()
    toml_path = path_of(toml_uri)
    text = toml.read_text(encoding="utf-8")
    lines = text.split("\n")
    settings = {"python": str(python)}
    rng = random.Random(seed)
    client = await LspClient.start(
        server,
        cwd=root,
        env=clean_env(env_extra),
        settings=settings,
        stderr_path=RESULTS / f"{log_name}.stderr.log",
    )
    out: dict[str, Any] = {"server_pid": client.pid}
    try:
        result, init_latency = await client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "clientInfo": {"name": "spoc-bench", "version": "1"},
                "rootUri": root.as_uri(),
                "rootPath": str(root),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "capabilities": CAPABILITIES,
                "initializationOptions": {"spoc": settings},
            },
        )
        sync = _sync_kind(result["capabilities"])
        out["initialize_ms"] = round(init_latency * 1000, 2)
        out["sync_kind"] = sync
        await client.notify("initialized", {})
        expect_errors = any(
            e["file"] == "config/spoc.toml" and set(e["codes"]) & ERROR_CODES
            for e in truth["entries"]
        )
        first_any = client.wait_for_diagnostics(toml_path, lambda d: True)
        first_full = client.wait_for_diagnostics(
            toml_path, _has_errors if expect_errors else (lambda d: True)
        )
        opened = await client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": toml_uri, "languageId": "toml", "version": 1, "text": text}},
        )
        any_pub = await asyncio.wait_for(first_any, 300)
        full_pub = await asyncio.wait_for(first_full, 300)
        out["start_to_first_publish_ms"] = round((any_pub.time - client.started_at) * 1000, 1)
        out["start_to_diagnostics_ms"] = round((full_pub.time - client.started_at) * 1000, 1)
        out["open_to_diagnostics_ms"] = round((full_pub.time - opened) * 1000, 1)
        out["initial_diagnostics"] = len(full_pub.diagnostics)
        await asyncio.sleep(0.5)
        baseline = client.latest.get(toml_path, [])
        sites = _sites(truth)
        document = {"uri": toml_uri}

        # ---- completion at each dot depth
        completion: dict[str, Any] = {}
        for depth in range(4):
            candidates = [s for s in sites if s.uri.count(".") >= depth]
            rng.shuffle(candidates)
            params = []
            for index in range(requests if candidates else 0):
                site = candidates[index % len(candidates)]
                parts = site.uri.split(".")
                offset = len(".".join(parts[:depth])) + 1 if depth else 0
                params.append(
                    {
                        "textDocument": document,
                        "position": {"line": site.line - 1, "character": site.column + offset},
                        "context": {"triggerKind": 2, "triggerCharacter": "."}
                        if depth
                        else {"triggerKind": 1},
                    }
                )
            latencies, sizes = await _timed_requests(client, "textDocument/completion", params)
            completion[str(depth)] = {
                **summary_ms(latencies),
                "first_ms": round(latencies[0] * 1000, 3) if latencies else None,
                "mean_items": round(sum(sizes) / len(sizes), 1) if sizes else 0,
                "empty": sum(1 for s in sizes if s == 0),
                "all_ms": [round(v * 1000, 2) for v in latencies],
            }
        out["completion"] = completion

        # ---- hover and definition on the last segment
        shuffled = list(sites)
        rng.shuffle(shuffled)
        for key in ("hover", "definition"):
            method = f"textDocument/{key}"
            params = []
            for index in range(requests if shuffled else 0):
                site = shuffled[index % len(shuffled)]
                last = site.uri.rpartition(".")[2]
                character = site.column + len(site.uri) - (len(last) + 1) // 2
                position = {"line": site.line - 1, "character": character}
                params.append({"textDocument": document, "position": position})
            latencies, answered = await _timed_requests(client, method, params)
            out[key] = {
                **summary_ms(latencies),
                "first_ms": round(latencies[0] * 1000, 3) if latencies else None,
                "answered": sum(answered),
            }

        # ---- edit -> diagnostics
        editable = [s for s in sites if s.edit_typo and not _codes_on(baseline, s.line - 1)]
        rng.shuffle(editable)
        edit_latencies: list[float] = []
        edit_kinds: list[str] = []
        silent_sites = 0
        version = 1
        publications_before = len(client.publications)

        async def edit(site: Site, breaking: bool, wait: float) -> float | None:
            """Apply one edit; the latency to the publication that shows it, or None."""
            nonlocal version
            old, new = (site.uri, site.edit_typo) if breaking else (site.edit_typo, site.uri)
            assert old is not None and new is not None
            line = site.line - 1
            current = lines[line]
            start = site.column
            assert current[start : start + len(old)] == old, (current, old)
            lines[line] = current[:start] + new + current[start + len(old) :]
            version += 1
            change: dict[str, Any] = {"text": "\n".join(lines)}
            if sync == 2:
                change = {
                    "range": {
                        "start": {"line": line, "character": start},
                        "end": {"line": line, "character": start + len(old)},
                    },
                    "text": new,
                }
            waiter = client.wait_for_diagnostics(toml_path, _expect(line, broken=breaking))
            sent = await client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": toml_uri, "version": version},
                    "contentChanges": [change],
                },
            )
            try:
                publication: Publication = await asyncio.wait_for(waiter, wait)
            except asyncio.TimeoutError:
                waiter.cancel()
                return None
            return publication.time - sent

        queue = list(editable)
        turn = 0
        while len(edit_latencies) < edits and queue:
            site = queue[turn % len(queue)]
            broken = await edit(site, True, 10.0)
            if broken is None:
                # A typo the server cannot see (e.g. into a module with ``__getattr__``): put
                # the URI back without timing it (nothing is published when nothing changes),
                # and leave the site out from now on.
                await edit(site, False, 0.5)
                queue.remove(site)
                silent_sites += 1
                continue
            edit_latencies.append(broken)
            edit_kinds.append("break")
            if len(edit_latencies) < edits:
                restored = await edit(site, False, 30.0)
                if restored is not None:
                    edit_latencies.append(restored)
                    edit_kinds.append("restore")
            turn += 1
        out["edit_to_diagnostics"] = {
            **summary_ms(edit_latencies),
            "sites_without_visible_typo": silent_sites,
            "publications": len(client.publications) - publications_before,
            "all_ms": [round(v * 1000, 1) for v in edit_latencies],
            "kinds": "".join(k[0] for k in edit_kinds),
        }
        await asyncio.sleep(0.2)
        memory = proc_status(client.pid)
        out["peak_rss_mb"] = round(memory.get("VmHWM", 0) / 1024, 1)
        out["rss_end_mb"] = round(memory.get("VmRSS", 0) / 1024, 1)
        out["server_requests"] = dict(client.server_requests)
    finally:
        out["exit_code"] = await client.shutdown()
    return out


def run_driver(
    root: Path,
    truth: dict[str, Any],
    *,
    python: Path,
    edits: int,
    requests: int,
    log_name: str,
    env_extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    result = asyncio.run(
        drive(
            root,
            truth,
            python=python,
            edits=edits,
            requests=requests,
            log_name=log_name,
            env_extra=env_extra,
        )
    )
    result["scenario_seconds"] = round(time.perf_counter() - started, 1)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time the language server on one workspace.")
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--python", type=Path)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    root = args.workspace.resolve()
    python = args.python or root / ".venv" / "bin" / "python"
    truth = json.loads(args.truth.read_text())
    result = run_driver(
        root, truth, python=python, edits=args.edits, requests=args.requests, log_name="driver"
    )
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()


def server_passes(
    root: Path,
    truth: dict[str, Any],
    *,
    python: Path,
    edits: int,
    prefix: Path,
    env_extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Two extra passes over the edits, on servers run by ``bench/server_profile.py``: one timing
    each analysis and each garbage collection (unprofiled), one under cProfile."""
    from bench.compare import top_functions

    wrapper = [SERVER[0], str(Path(__file__).with_name("server_profile.py"))]
    out: dict[str, Any] = {}
    timing_prefix = prefix.with_name(prefix.name + "-timing")
    asyncio.run(
        drive(
            root,
            truth,
            python=python,
            edits=edits,
            requests=1,
            log_name=timing_prefix.name,
            server=[*wrapper, str(timing_prefix), "timing"],
            env_extra=env_extra,
        )
    )
    timing = json.loads(timing_prefix.with_suffix(".json").read_text())
    analyses = [a["ms"] for a in timing["analyses"]]
    first = analyses[0] if analyses else None
    edit_analyses = [a / 1000 for a in analyses[1:]]
    full = [c for c in timing["collections"] if c["generation"] == 2]
    during_edits = [c for c in full if c["after_analysis"] >= 1]
    out["startup_analysis_ms"] = first
    out["edit_analysis"] = summary_ms(edit_analyses)
    out["gen2_collections"] = {
        "startup_count": len(full) - len(during_edits),
        "startup_ms": round(sum(c["ms"] for c in full if c["after_analysis"] < 1), 1),
        "edits_count": len(during_edits),
        "edits_max_ms": max((c["ms"] for c in during_edits), default=0),
        "edits_mean_ms": round(sum(c["ms"] for c in during_edits) / len(during_edits), 1)
        if during_edits
        else 0,
    }
    asyncio.run(
        drive(
            root,
            truth,
            python=python,
            edits=edits,
            requests=1,
            log_name=prefix.name,
            server=[*wrapper, str(prefix), "profile"],
            env_extra=env_extra,
        )
    )
    out["profile"] = top_functions(prefix.with_suffix(".prof"), prefix.with_suffix(".txt"))
    return out
