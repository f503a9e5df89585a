"""The runtime verdict is final (#14 item 7, CONTRACT §2), end to end through ``spoc-lsp check``.

The static resolver cannot see a module that ``sitecustomize`` puts into ``sys.modules`` at
startup, so it reports ``ghost.hook`` as SPOC001 although it imports. With ``--runtime`` that
false error goes (the disagreement is logged once, naming the URI), a URI that fails shows one
SPOC008 with the real exception and no static error beside it, and the exit status follows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from spoc_lsp.analysis.model import Diagnostic
from spoc_lsp.runtime.diagnostics import OVERRULED, runtime_verdict
from spoc_lsp.runtime.results import ProbeResult

SITECUSTOMIZE = """\
import sys, types
ghost = types.ModuleType("ghost")
ghost.hook = lambda: None
sys.modules["ghost"] = ghost
"""


@pytest.fixture(scope="module")
def python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv whose ``sitecustomize`` creates the module ``ghost`` (invisible statically)."""
    venv = tmp_path_factory.mktemp("ghost-env") / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (site,) = venv.glob("lib/python*/site-packages")
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return venv / "bin" / "python"


def project(root: Path, hooks: list[str]) -> Path:
    files = {
        "config/spoc.toml": "[spoc.plugins]\nhooks = " + json.dumps(hooks) + "\n",
        "apps/pk/__init__.py": "",
        "apps/pk/b.py": 'import json\nbroken = json.loads("{bad")\n',
        "apps/pk/c.py": "x = 1\n",
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def check(root: Path, python: Path, *extra: str) -> tuple[int, list[dict[str, Any]], str]:
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment["SPOC_LSP_CACHE_DIR"] = str(root.parent / "cache")
    command = [sys.executable, "-m", "spoc_lsp", "check", str(root), "--python", str(python)]
    completed = subprocess.run(
        [*command, "--format", "json", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=root,
        check=False,
    )
    document = json.loads(completed.stdout)
    return completed.returncode, document["diagnostics"], completed.stderr


def by_uri(diagnostics: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for diagnostic in diagnostics:
        found.setdefault(diagnostic["uri"], []).append((diagnostic["code"], diagnostic["message"]))
    return found


def test_a_false_static_error_goes_and_the_exit_status_follows(
    tmp_path: Path, python: Path
) -> None:
    root = project(tmp_path / "only-false-errors", ["ghost.hook", "json.dumps"])
    status, static, _ = check(root, python)
    # The premise: statically, the module made at startup is not found.
    assert status == 1 and by_uri(static) == {
        "ghost.hook": [("SPOC001", "no module named 'ghost'")]
    }
    status, final, stderr = check(root, python, "--runtime")
    assert final == [] and status == 0, (final, stderr)
    lines = [line for line in stderr.splitlines() if "disagreement" in line]
    assert len(lines) == 1 and "'ghost.hook'" in lines[0] and "SPOC001" in lines[0], stderr


def test_a_failing_uri_shows_its_spoc008_alone(tmp_path: Path, python: Path) -> None:
    hooks = ["ghost.hook", "ghost.nope", "pk.c.missing", "pk.b.broken", "pk.c.x"]
    root = project(tmp_path / "mixed", hooks)
    status, static, _ = check(root, python)
    assert status == 1
    assert {uri: [code for code, _ in items] for uri, items in by_uri(static).items()} == {
        "ghost.hook": ["SPOC001"],
        "ghost.nope": ["SPOC001"],
        "pk.c.missing": ["SPOC002"],
    }
    status, final, stderr = check(root, python, "--runtime")
    assert status == 1
    assert by_uri(final) == {
        "ghost.nope": [
            (
                "SPOC008",
                "importing 'ghost.nope' raised AttributeError: "
                "module 'ghost' has no attribute or submodule 'nope'",
            )
        ],
        "pk.c.missing": [
            (
                "SPOC008",
                "importing 'pk.c.missing' raised AttributeError: "
                "module 'pk.c' has no attribute or submodule 'missing'",
            )
        ],
        "pk.b.broken": [
            (
                "SPOC008",
                "importing 'pk.b.broken' raised JSONDecodeError: Expecting property name "
                "enclosed in double quotes: line 1 column 2 (char 1)",
            )
        ],
    }, final
    # Only the URI that imported is a disagreement; the failures agree with the static check.
    assert [line for line in stderr.splitlines() if "disagreement" in line] == [
        line for line in stderr.splitlines() if "'ghost.hook'" in line
    ]
    assert stderr.count("disagreement") == 1, stderr


def test_the_verdict_keeps_what_the_runtime_did_not_decide(tmp_path: Path) -> None:
    """Unit level: only SPOC001/002/007/010 of URIs with a result are dropped; a duplicate's
    SPOC004, an unprobed URI's error and every other code stay."""
    from spoc_lsp.analysis.analyze import analyze
    from spoc_lsp.analysis.project import take_snapshot
    from spoc_lsp.index import open_resolver

    root = project(
        tmp_path / "unit", ["pk.c.missing", "pk.c.missing", "pk.c.gone", "pk.c.x", "a b"]
    )
    analysis = analyze(take_snapshot(root), open_resolver(root, Path(sys.executable)))
    before = [(d.uri, d.code) for d in analysis.all_diagnostics()]
    assert ("pk.c.missing", "SPOC002") in before and ("pk.c.gone", "SPOC002") in before
    assert ("pk.c.missing", "SPOC004") in before and ("a b", "SPOC003") in before
    results = {
        "pk.c.missing": ProbeResult("pk.c.missing", ok=True, kind="variable"),
        "pk.c.x": ProbeResult("pk.c.x", ok=False, error_type="ValueError", message="late"),
    }
    verdict = runtime_verdict(analysis, results)
    after = [(d.uri, d.code) for d in verdict.analysis.all_diagnostics()]
    assert after == [item for item in before if item != ("pk.c.missing", "SPOC002")]
    assert [d.uri for d in verdict.disagreements] == ["pk.c.missing"]
    spoc008: list[Diagnostic] = [d for items in verdict.diagnostics.values() for d in items]
    assert [(d.uri, d.code, d.message) for d in spoc008] == [
        ("pk.c.x", "SPOC008", "importing 'pk.c.x' raised ValueError: late")
    ]
    assert {"SPOC001", "SPOC002", "SPOC007", "SPOC010"} == OVERRULED


async def test_the_server_makes_the_runtime_verdict_final_on_save(
    tmp_path: Path, python: Path
) -> None:
    """Through the real server: after a save with ``runtimeCheck: "onSave"``, the false
    SPOC001 goes (logged once), and the failing URIs show their SPOC008 alone."""
    from lsprotocol import types
    from pytest_lsp import ClientServerConfig, LanguageClient

    from tests.lsp.support import initialize
    from tests.reliability.support import open_text, wait_until

    root = project(tmp_path.resolve() / "server", ["ghost.hook", "ghost.nope", "pk.c.missing"])
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment["SPOC_LSP_CACHE_DIR"] = str(tmp_path / "cache")
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "spoc_lsp"], server_env=environment
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    try:
        await initialize(client, root, settings={"python": str(python), "runtimeCheck": "onSave"})
        toml_path = root / "config/spoc.toml"
        uri = open_text(client, toml_path, toml_path.read_text())

        def codes() -> list[tuple[str, str]]:
            found = client.diagnostics.get(uri, [])
            return sorted((str(d.code), d.message.split(" raised ")[0]) for d in found)

        await wait_until(client, lambda: len(codes()) == 3, 30)
        assert [code for code, _ in codes()] == ["SPOC001", "SPOC001", "SPOC002"]
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri))
        )
        await wait_until(client, lambda: all(c == "SPOC008" for c, _ in codes()), 60)
        assert codes() == [
            ("SPOC008", "importing 'ghost.nope'"),
            ("SPOC008", "importing 'pk.c.missing'"),
        ]
        told = [m.message for m in client.log_messages if "disagreement" in m.message]
        assert len(told) == 1 and "'ghost.hook'" in told[0], told
    finally:
        await client.shutdown_session()
        await client.stop()
