"""Untrusted checkouts (#15): an interpreter shipped inside a workspace is read, never run.

Each checkout carries a virtual environment whose interpreters (``python``, ``python3``,
``pythonX.Y``) are marker scripts: they record that they ran, then ``exec`` the real interpreter
under their own name, so they behave as the venv's python would (the explicit ``--python`` test
proves it). The checkouts differ in how the venv is laid out or lies about itself: ``.venv`` and
``venv``; ``pyvenv.cfg`` whose ``home`` points into the workspace (there are marker scripts
too); a garbage or empty ``pyvenv.cfg``; ``.venv`` a symlink to a venv elsewhere in the
workspace; a ``pyvenv.cfg`` naming another version than its base. Workspace config that could
name an interpreter (``[tool.spoc-lsp]``, ``.vscode/settings.json``) names the marker too.

For each: ``check``, ``plugins`` and ``env`` (real subprocesses) and every language-server
feature (the real server over stdio, one server per checkout) leave no marker; a package
installed only in the venv's site-packages resolves, and a typo into it is SPOC002.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.support import initialize
from tests.reliability.support import (
    answers_within,
    failures,
    open_text,
    wait_until,
    write_files,
)

REAL_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
SHELL = Path("/bin/bash")

pytestmark = pytest.mark.skipif(
    os.name == "nt" or not SHELL.exists(), reason="marker interpreters are bash scripts"
)

TOML = """\
[spoc.plugins]
hooks = ["onlyvenv.hook", "onlyvenv.hok", "json.dumps", "app.plugins.start"]
"""
SETTINGS = 'PLUGINS = {"extra": ["onlyvenv.tools.helper", "app.plugins.start"]}\n'
PLUGIN = 'def start():\n    """Start the app."""\n'


def marker_script(markers: Path, real: Path) -> str:
    """An interpreter that records each start, then runs the real one under its own name."""
    return f'#!/bin/bash\necho "$0 $*" >> "{markers}/ran-$$"\nexec -a "$0" "{real}" "$@"\n'


def marker_module(markers: Path, name: str) -> str:
    return f"open({str(markers)!r} + '/imported-{name}', 'w').close()\n"


@dataclass(frozen=True)
class Checkout:
    kind: str
    root: Path
    venv: Path  # the venv as the project names it (.venv or venv; maybe a symlink)
    markers: Path
    site: Path  # the venv's site-packages holding onlyvenv

    def ran(self) -> list[str]:
        return sorted(
            f"{marker.name}: {marker.read_text().strip()}" for marker in self.markers.iterdir()
        )

    @property
    def named_site(self) -> Path:
        """The site-packages as reached through the venv's name (a symlink may lead there)."""
        return self.venv / self.site.relative_to(self.site.parents[2])

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


KINDS = (
    "dot-venv",
    "venv",
    "home-inside-workspace",
    "garbage-pyvenv-cfg",
    "empty-pyvenv-cfg",
    "symlinked-venv",
    "other-version-than-base",
)


def _make_venv(target: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(target)],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _arm(bin_dir: Path, markers: Path, names: tuple[str, ...]) -> None:
    """Replace each interpreter in ``bin_dir`` by a marker script."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = bin_dir / name
        if path.exists() or path.is_symlink():
            path.unlink()
        path.write_text(marker_script(markers, REAL_PYTHON))
        path.chmod(0o755)


def build_checkout(base: Path, kind: str) -> Checkout:
    """A hostile checkout of ``kind`` under ``base`` (resolved, as the server's paths are)."""
    base = base.resolve()
    markers = base / "markers"
    markers.mkdir()
    root = base / "checkout"
    names = ("python", "python3", f"python{VERSION}")
    venv_dir = root / ("venv" if kind == "venv" else ".venv")
    real_dir = root / "envs" / "real" if kind == "symlinked-venv" else venv_dir
    _make_venv(real_dir)
    if kind == "symlinked-venv":
        venv_dir.symlink_to(real_dir, target_is_directory=True)
    _arm(real_dir / "bin", markers, names)
    version = VERSION
    config = real_dir / "pyvenv.cfg"
    if kind == "home-inside-workspace":
        tools = root / "tools" / "bin"
        _arm(tools, markers, names)
        config.write_text(f"home = {tools}\nversion = {sys.version.split()[0]}\n")
    elif kind == "garbage-pyvenv-cfg":
        config.write_bytes(b"\xff\xfe\x00garbage\nhome\n= = =\n\x00\x01" * 20)
    elif kind == "empty-pyvenv-cfg":
        config.write_text("")
    elif kind == "other-version-than-base":
        major, minor = sys.version_info[:2]
        version = f"{major}.{minor + 1}"
        text = config.read_text().replace(f"version = {sys.version.split()[0]}", "")
        config.write_text(f"{text}\nversion = {version}.0\n")
        (real_dir / "lib" / f"python{VERSION}").rename(real_dir / "lib" / f"python{version}")
    site = real_dir / "lib" / f"python{version}" / "site-packages"
    write_files(
        site,
        {
            "onlyvenv/__init__.py": marker_module(markers, "onlyvenv")
            + 'def hook():\n    """The hook."""\n',
            "onlyvenv/tools.py": marker_module(markers, "tools") + "def helper():\n    pass\n",
            "zz_marker.pth": f"import os; open({str(markers)!r} + '/pth', 'w').close()\n",
        },
    )
    write_files(
        root,
        {
            "config/spoc.toml": TOML,
            "config/settings.py": marker_module(markers, "settings") + SETTINGS,
            "apps/app/__init__.py": marker_module(markers, "app"),
            "apps/app/plugins.py": marker_module(markers, "plugins") + PLUGIN,
            # Workspace config naming the marker: none of it may make spoc-lsp run it.
            "pyproject.toml": '[tool.spoc-lsp]\npython = ".venv/bin/python"\n'
            'interpreter = ".venv/bin/python"\n',
            ".vscode/settings.json": json.dumps({"spoc.python": ".venv/bin/python"}),
            "python3": marker_script(markers, REAL_PYTHON),
        },
    )
    (root / "python3").chmod(0o755)
    return Checkout(kind, root, venv_dir, markers, site)


def clean_environment(tmp: Path) -> dict[str, str]:
    """This process' environment without an activated venv, with a private cache."""
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment["SPOC_LSP_CACHE_DIR"] = str(tmp / "cache")
    environment.pop("PYTHONPATH", None)
    return environment


def spoc_lsp(
    checkout: Checkout, *args: str, environment: Mapping[str, str]
) -> tuple[int, Any, str]:
    """Run ``spoc-lsp ARGS`` in the checkout: exit status, JSON output, stderr."""
    completed = subprocess.run(
        [sys.executable, "-m", "spoc_lsp", *args],
        capture_output=True,
        timeout=120,
        env=dict(environment),
        cwd=checkout.root,
        check=False,
        text=True,
    )
    try:
        document = json.loads(completed.stdout)
    except ValueError:
        document = None
    return completed.returncode, document, completed.stderr


@pytest.fixture(params=KINDS)
def checkout(request: pytest.FixtureRequest, tmp_path: Path) -> Checkout:
    return build_checkout(tmp_path, str(request.param))


def _only_the_typo(diagnostics: list[dict[str, Any]]) -> None:
    found = [(d["code"], d["uri"]) for d in diagnostics if d["severity"] == "error"]
    assert found == [("SPOC002", "onlyvenv.hok")], diagnostics
    (typo,) = (d for d in diagnostics if d["uri"] == "onlyvenv.hok")
    assert "did you mean 'hook'" in typo["message"], typo


# Where the facts only an interpreter knows come from, by kind.
BINARY_SOURCE = {
    "dot-venv": "probed from the base interpreter",
    "venv": "probed from the base interpreter",
    "symlinked-venv": "probed from the base interpreter",
    "home-inside-workspace": "probed from the interpreter running spoc-lsp",
    "garbage-pyvenv-cfg": "probed from the interpreter running spoc-lsp",
    "empty-pyvenv-cfg": "probed from the interpreter running spoc-lsp",
    "other-version-than-base": "assumed",
}


def test_the_command_line_reads_the_checkouts_venv_and_runs_none_of_it(
    checkout: Checkout, tmp_path: Path
) -> None:
    environment = clean_environment(tmp_path)
    status, document, stderr = spoc_lsp(
        checkout, "check", ".", "--format", "json", environment=environment
    )
    assert status == 1, stderr
    _only_the_typo(document["diagnostics"])
    assert document["python"] == str(checkout.python)

    status, document, stderr = spoc_lsp(
        checkout, "plugins", ".", "--format", "json", environment=environment
    )
    assert status == 0, stderr
    resolved = {
        row["uri"]: row["resolved"] for rows in document["plugins"].values() for row in rows
    }
    assert resolved["onlyvenv.hook"] is True and resolved["onlyvenv.tools.helper"] is True
    assert resolved["onlyvenv.hok"] is False and resolved["json.dumps"] is True

    status, document, stderr = spoc_lsp(
        checkout, "env", ".", "--format", "json", environment=environment
    )
    assert status == 0, stderr
    interpreter = document["interpreter"]
    assert interpreter["executed"] is False, interpreter
    assert interpreter["chosen_by"].endswith("in the project root"), interpreter
    sources = {row["fact"]: row["source"] for row in interpreter["facts"]}
    binary = next(source for fact, source in sources.items() if fact.startswith("standard"))
    assert binary.startswith(BINARY_SOURCE[checkout.kind]), sources
    assert str(checkout.named_site) in sources["site-packages"], sources
    if checkout.kind == "home-inside-workspace":
        assert any("inside the workspace" in note for note in interpreter["notes"])
    if BINARY_SOURCE[checkout.kind] != "probed from the base interpreter":
        # Said once, clearly: in the report and on stderr of each command.
        assert interpreter["notes"], interpreter
        assert stderr.count("spoc-lsp: note:") == 1, stderr
    else:
        assert not interpreter["notes"] and "note:" not in stderr
    assert checkout.ran() == [], checkout.ran()


def test_an_explicit_python_still_runs_it(tmp_path: Path) -> None:
    """``--python .venv/bin/python`` is the user's choice: it runs (the marker says so), and,
    being a faithful venv interpreter, it finds the venv's package."""
    checkout = build_checkout(tmp_path, "dot-venv")
    environment = clean_environment(tmp_path)
    status, document, stderr = spoc_lsp(
        checkout,
        "check",
        ".",
        "--python",
        ".venv/bin/python",
        "--format",
        "json",
        environment=environment,
    )
    assert status == 1, stderr
    _only_the_typo(document["diagnostics"])
    ran = checkout.ran()
    assert ran and all(".venv/bin/python " in line and " -I -S -c " in line for line in ran), ran
    status, document, _ = spoc_lsp(
        checkout,
        "env",
        ".",
        "--python",
        ".venv/bin/python",
        "--format",
        "json",
        environment=environment,
    )
    assert document["interpreter"]["executed"] is True
    assert document["interpreter"]["chosen_by"] == "--python"


def test_a_bare_command_name_is_looked_up_on_path_not_in_the_checkout(tmp_path: Path) -> None:
    """VS Code sends ``python3`` in an untrusted workspace; a checkout's own ``python3`` file
    at the project root must not be what runs."""
    checkout = build_checkout(tmp_path, "dot-venv")
    trusted_bin = tmp_path / "trusted-bin"
    trusted_bin.mkdir()
    (trusted_bin / "python3").symlink_to(REAL_PYTHON)
    environment = clean_environment(tmp_path) | {"PATH": f"{trusted_bin}{os.pathsep}/usr/bin:/bin"}
    status, document, stderr = spoc_lsp(
        checkout, "env", ".", "--python", "python3", "--format", "json", environment=environment
    )
    assert status == 0, stderr
    assert document["interpreter"]["executable"] == str(trusted_bin / "python3")
    assert checkout.ran() == [], checkout.ran()


# --- the language server ----------------------------------------------------------------------


async def _start_server(environment: Mapping[str, str]) -> LanguageClient:
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "spoc_lsp", "--stdio"],
        server_env=dict(environment),
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    for method in (types.WORKSPACE_CODE_LENS_REFRESH, types.WORKSPACE_INLAY_HINT_REFRESH):
        client.feature(method)(lambda params: None)
    return client


@contextlib.asynccontextmanager
async def _server(environment: Mapping[str, str]) -> AsyncIterator[LanguageClient]:
    client = await _start_server(environment)
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.shutdown_session(), 10)
        await client.stop()


def _doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def _at(text: str, needle: str, offset: int = 0) -> types.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


async def _ask(awaitable: Any, what: str) -> Any:
    try:
        return await answers_within(awaitable, 20, what)
    except JsonRpcException:
        return None


async def _exercise_every_feature(client: LanguageClient, checkout: Checkout) -> None:
    root = checkout.root
    toml_path, settings_path = root / "config/spoc.toml", root / "config/settings.py"
    toml, settings = toml_path.read_text(), settings_path.read_text()
    toml_uri = open_text(client, toml_path, toml)
    settings_uri = open_text(client, settings_path, settings)

    def codes() -> list[tuple[str, str]]:
        return [(str(d.code), d.message) for d in client.diagnostics.get(toml_uri, [])]

    await wait_until(client, lambda: any(code == "SPOC002" for code, _ in codes()), 30)
    assert [code for code, _ in codes() if code != "SPOC004"] == ["SPOC002"], codes()
    assert "'hok'" in codes()[0][1] and "did you mean 'hook'" in codes()[0][1], codes()
    await wait_until(client, lambda: settings_uri in client.diagnostics, 30)
    assert not [d for d in client.diagnostics[settings_uri] if d.severity == 1]

    completion = await _ask(
        client.text_document_completion_async(
            types.CompletionParams(
                text_document=_doc(toml_uri), position=_at(toml, '"onlyvenv.hook"', 10)
            )
        ),
        "completion",
    )
    items = completion.items if isinstance(completion, types.CompletionList) else completion
    assert {"hook", "tools"} <= {item.label for item in items or []}

    hover = await _ask(
        client.text_document_hover_async(
            types.HoverParams(
                text_document=_doc(toml_uri), position=_at(toml, '"onlyvenv.hook"', 11)
            )
        ),
        "hover",
    )
    assert hover is not None and "The hook." in str(hover.contents), hover

    definition = await _ask(
        client.text_document_definition_async(
            types.DefinitionParams(
                text_document=_doc(toml_uri), position=_at(toml, '"onlyvenv.hook"', 11)
            )
        ),
        "definition",
    )
    targets = definition if isinstance(definition, list) else [definition]
    uris = [str(getattr(t, "uri", getattr(t, "target_uri", ""))) for t in targets]
    assert any(str(checkout.named_site) in uri for uri in uris), definition

    everything = types.Range(start=types.Position(0, 0), end=types.Position(20, 0))
    actions = await _ask(
        client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=_doc(toml_uri),
                range=everything,
                context=types.CodeActionContext(diagnostics=list(client.diagnostics[toml_uri])),
            )
        ),
        "codeAction",
    )
    assert any("hook" in action.title for action in actions or []), actions

    for uri, text in ((toml_uri, toml), (settings_uri, settings)):
        where = _at(text, "plugins.start", 9)
        await _ask(
            client.text_document_references_async(
                types.ReferenceParams(
                    text_document=_doc(uri),
                    position=where,
                    context=types.ReferenceContext(include_declaration=True),
                )
            ),
            "references",
        )
        await _ask(
            client.text_document_prepare_rename_async(
                types.PrepareRenameParams(text_document=_doc(uri), position=where)
            ),
            "prepareRename",
        )
        await _ask(
            client.text_document_rename_async(
                types.RenameParams(text_document=_doc(uri), position=where, new_name="begin")
            ),
            "rename",
        )
        await _ask(
            client.text_document_inlay_hint_async(
                types.InlayHintParams(text_document=_doc(uri), range=everything)
            ),
            "inlayHint",
        )
    plugin_uri = (root / "apps/app/plugins.py").as_uri()
    await _ask(
        client.text_document_code_lens_async(types.CodeLensParams(text_document=_doc(plugin_uri))),
        "codeLens",
    )
    plan = await _ask(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="spoc.showPlugins", arguments=[toml_uri])
        ),
        "showPlugins",
    )
    assert "onlyvenv.hook" in plan["text"], plan
    report = await _ask(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="spoc.showEnvironment", arguments=[toml_uri])
        ),
        "showEnvironment",
    )
    (project,) = report["projects"]
    assert project["interpreter"]["executed"] is False, project["interpreter"]
    assert "read, never run" in report["text"]
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(toml_uri)))


@pytest.mark.parametrize("kind", KINDS)
async def test_every_server_feature_reads_the_checkouts_venv_and_runs_none_of_it(
    kind: str, tmp_path: Path
) -> None:
    checkout = build_checkout(tmp_path, kind)
    async with _server(clean_environment(tmp_path)) as client:
        await initialize(client, checkout.root)
        await _exercise_every_feature(client, checkout)
        await asyncio.sleep(0.3)
        assert not failures(client), failures(client)
        told = [m.message for m in client.log_messages if "is read, never run" in m.message]
    # What reading could not learn is said once in the server log; nothing when the base
    # interpreter answered.
    degraded = BINARY_SOURCE[kind] != "probed from the base interpreter"
    assert len(told) == (1 if degraded else 0), told
    assert checkout.ran() == [], checkout.ran()


async def test_an_untrusted_client_naming_a_bare_python_runs_nothing_of_the_checkout(
    tmp_path: Path,
) -> None:
    """What VS Code sends for an untrusted workspace: ``python3`` and ``trusted: false``."""
    checkout = build_checkout(tmp_path, "dot-venv")
    async with _server(clean_environment(tmp_path)) as client:
        await initialize(
            client,
            checkout.root,
            settings={"python": "python3", "trusted": False, "runtimeCheck": "onSave"},
        )
        toml_path = checkout.root / "config/spoc.toml"
        toml_uri = open_text(client, toml_path, toml_path.read_text())
        await wait_until(client, lambda: toml_uri in client.diagnostics, 30)
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(toml_uri)))
        await asyncio.sleep(0.5)
    assert checkout.ran() == [], checkout.ran()


# --- what is read agrees with what the interpreter would build ----------------------------------

PYENV = Path("/root/.pyenv/versions")
OTHER_PYTHONS = sorted(PYENV.glob("3.1[0-9].*/bin/python3")) if PYENV.is_dir() else []


@pytest.mark.parametrize("system_site", [False, True], ids=["isolated", "system-site"])
@pytest.mark.parametrize(
    "base",
    list(dict.fromkeys(path.resolve() for path in (REAL_PYTHON, *OTHER_PYTHONS))),
    ids=lambda path: Path(path).name,
)
def test_a_venv_read_from_its_files_has_the_sys_path_it_would_build(
    base: Path, system_site: bool, tmp_path: Path
) -> None:
    """Reading (pyvenv.cfg, layout, base probe) gives exactly the ``sys.path`` the venv's own
    interpreter builds when it starts with ``site`` (run here by the test, never by spoc-lsp)."""
    from spoc_lsp.index import choose_environment
    from spoc_lsp.index.environment_facts import inspect_interpreter

    root = tmp_path.resolve() / "project"
    command = [str(base), "-m", "venv", "--without-pip", str(root / ".venv")]
    if system_site:
        command.insert(3, "--system-site-packages")
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    environment = clean_environment(tmp_path)
    choice = choose_environment(root, None, environment)
    assert not choice.may_run
    info = inspect_interpreter(choice, root, environment, cwd=root)
    assert not info.executed and not info.notes, info.notes
    real = subprocess.run(
        [str(root / ".venv/bin/python"), "-c", "import sys, json; print(json.dumps(sys.path[1:]))"],
        capture_output=True,
        check=True,
        timeout=60,
        env=environment,
        cwd=root,
        text=True,
    )
    assert [str(entry.path) for entry in info.sys_path] == json.loads(real.stdout)


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "trusted"])
async def test_a_python_setting_inside_the_workspace_runs_only_when_trusted(
    trusted: bool, tmp_path: Path
) -> None:
    """``spoc.python = ".venv/bin/python"`` is the user's choice in a trusted workspace (it
    runs); when the client says the workspace is untrusted, it is read like a found venv."""
    checkout = build_checkout(tmp_path, "dot-venv")
    async with _server(clean_environment(tmp_path)) as client:
        await initialize(
            client, checkout.root, settings={"python": ".venv/bin/python", "trusted": trusted}
        )
        toml_path = checkout.root / "config/spoc.toml"
        toml_uri = open_text(client, toml_path, toml_path.read_text())
        await wait_until(client, lambda: toml_uri in client.diagnostics, 30)
        found = [(str(d.code), d.message) for d in client.diagnostics[toml_uri]]
        assert [code for code, _ in found] == ["SPOC002"] and "'hok'" in found[0][1], found
        report = await _ask(
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="spoc.showEnvironment", arguments=[toml_uri])
            ),
            "showEnvironment",
        )
        assert report["projects"][0]["interpreter"]["executed"] is trusted
    ran = checkout.ran()
    if trusted:
        assert ran and all(" -I -S -c " in line for line in ran), ran
    else:
        assert ran == [], ran


def test_what_counts_as_inside_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Symlinks are resolved both ways; the checkout holding the project counts, unless it is
    the home directory; a bare command name never comes from the project root."""
    from spoc_lsp.index import choose_environment
    from spoc_lsp.index.environment_facts import untrusted_directories
    from spoc_lsp.index.interpreter import inside_any

    base = tmp_path.resolve()
    repo, outside = base / "repo", base / "outside"
    (repo / ".git").mkdir(parents=True)
    (repo / "project").mkdir()
    outside.mkdir()
    (repo / "project" / "out").symlink_to(outside)
    (outside / "in").symlink_to(repo / "project")
    untrusted = untrusted_directories(repo / "project")
    assert repo in untrusted
    assert inside_any(repo / "tools" / "python3", untrusted)  # the checkout, not the project
    assert inside_any(repo / "project" / "out" / "python", untrusted)  # as written
    assert inside_any(outside / "in" / "python", untrusted)  # resolved
    assert not inside_any(outside / "python", untrusted)
    home = base / "home"
    (home / ".git").mkdir(parents=True)
    (home / "src" / "project").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    # A home directory kept under git (dotfiles) is not one checkout.
    assert untrusted_directories(home / "src" / "project") == (home / "src" / "project",)
    (repo / "project" / "python3").write_text("")
    choice = choose_environment(repo / "project", "python3", {"PATH": str(outside)})
    assert choice.executable == Path("python3") and choice.may_run  # missing, not the file
