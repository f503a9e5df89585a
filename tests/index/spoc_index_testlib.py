"""Helpers for the index tests: build file trees, and run REAL imports in a subprocess.

The subprocess is the only place project code runs: it puts the search roots in front of
``sys.path`` and calls ``spoc.importer.Importer().load_from_uri`` for each URI, each in a
forked child (isolated) or all in one process (fast, for large batches).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from spoc_lsp.index.model import Resolution, Status

SPOC_SOURCE = Path(__file__).resolve().parents[2] / "spoc"

# Runs in the target interpreter. argv: request file, result file.
_RUNNER = r"""
import json, os, sys
request = json.load(open(sys.argv[1]))
sys.path[:0] = request["roots"]
sys.path.append(request["spoc_dir"])
from spoc.importer import Importer

def attempt(uri):
    try:
        value = Importer().load_from_uri(uri)
    except BaseException as error:
        cause = error.__cause__ or error.__context__
        return {"ok": False, "error": f"{type(error).__name__}: {error}",
                "cause": type(cause).__name__ if cause is not None else None}
    return {"ok": True, "type": type(value).__name__}

results = {}
for uri in request["uris"]:
    if not request["isolate"]:
        results[uri] = attempt(uri)
        continue
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            import signal
            signal.alarm(20)
            payload = json.dumps(attempt(uri)).encode()
        except BaseException as error:
            payload = json.dumps({"ok": False, "error": repr(error)}).encode()
        os.write(write, payload)
        os._exit(0)
    os.close(write)
    chunks = []
    while True:
        chunk = os.read(read, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    try:
        results[uri] = json.loads(b"".join(chunks) or b"null") or {"ok": False, "error": "died"}
    except ValueError:
        results[uri] = {"ok": False, "error": "unreadable result"}
with open(sys.argv[2], "w") as handle:
    json.dump(results, handle)
"""


@dataclass(frozen=True)
class RealOutcome:
    ok: bool
    detail: str


def write_tree(base: Path, files: Mapping[str, str | bytes]) -> None:
    """Create ``files`` (relative path -> content) under ``base``."""
    for relative, content in files.items():
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def spoc_runtime_copy(directory: Path) -> Path:
    """A directory holding only a copy of the ``spoc`` package (for the runner's sys.path)."""
    target = directory / "spoc"
    if not target.exists():
        shutil.copytree(SPOC_SOURCE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return directory


def clean_environ() -> dict[str, str]:
    """The current environment without variables that change an interpreter's path."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
    }


def real_imports(
    python: Path,
    roots: Iterable[Path],
    uris: Iterable[str],
    spoc_dir: Path,
    *,
    isolate: bool = True,
    timeout: float = 600,
) -> dict[str, RealOutcome]:
    """Import each URI for real in ``python``; the only place project code runs."""
    wanted = list(dict.fromkeys(uris))
    with tempfile.TemporaryDirectory() as scratch:
        request = Path(scratch) / "request.json"
        result = Path(scratch) / "result.json"
        request.write_text(
            json.dumps(
                {
                    "roots": [str(root) for root in roots],
                    "uris": wanted,
                    "spoc_dir": str(spoc_dir),
                    "isolate": isolate,
                }
            )
        )
        workdir = Path(scratch) / "cwd"
        workdir.mkdir()
        subprocess.run(
            [str(python), "-c", _RUNNER, str(request), str(result)],
            cwd=workdir,
            env=clean_environ(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=True,
        )
        raw = json.loads(result.read_text())
    return {
        uri: RealOutcome(bool(raw[uri]["ok"]), raw[uri].get("error") or raw[uri].get("type", ""))
        for uri in wanted
    }


def predicted_ok(resolution: Resolution) -> bool | None:
    """What the static answer predicts for a real import (``None``: no prediction)."""
    if resolution.status is Status.UNRESOLVED or resolution.import_problems:
        return False
    if resolution.status is Status.RESOLVED:
        return True
    return None


def current_python() -> Path:
    return Path(sys.executable)
