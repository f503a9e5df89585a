"""No code execution: project modules, the settings module, ``sitecustomize``, ``.pth`` lines and
packages of the project's environment all leave a marker file when they run; every feature of
the server is exercised and no marker appears. The opt-in runtime probe does run them, in a
subprocess, bounded in time and output, without blocking the server, and never when the
workspace is untrusted."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp.support import initialize
from tests.reliability.support import (
    alive,
    answers_within,
    children_of,
    failures,
    hover_at,
    open_text,
    record,
    rss_kib,
    send_changes,
    server_pid,
    serving,
    settle,
    wait_until,
    write_files,
)


def leaves_marker(markers: Path, name: str) -> str:
    """Python that creates ``<markers>/<name>-<pid>-<parent pid>`` when it runs."""
    return (
        "import os as _os\n"
        f"open({str(markers)!r} + '/{name}-%d-%d' % (_os.getpid(), _os.getppid()), 'w').close()\n"
    )


def pth_marker(markers: Path, name: str) -> str:
    """A ``.pth`` import line that leaves a marker like :func:`leaves_marker`'s."""
    target = f"{markers}/{name}-"
    return f"import os; open({target!r} + '%d-%d' % (os.getpid(), os.getppid()), 'w').close()\n"


@dataclass(frozen=True)
class Marked:
    """A project and its own virtual environment, every piece of code in them marked."""

    root: Path
    venv: Path
    python: Path
    markers: Path

    def ran(self) -> list[tuple[str, int, int]]:
        """(name, pid, parent pid) of each marker left so far."""
        found = []
        for marker in sorted(self.markers.iterdir()):
            name, pid, parent = marker.name.rsplit("-", 2)
            found.append((name, int(pid), int(parent)))
        return found

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()


TOML = """\
[spoc.plugins]
hooks = ["shopapp.plugins.startup", "envpkg.sub.thing", "shopapp.plugins.missing"]
middleware = ["shopapp.plugins.Thing", "envpkg.hook", "editable_demo.core.run"]
"""


def make_marked(
    tmp_path: Path, extra: Mapping[str, str] | None = None, plugins: str = ""
) -> Marked:
    base = tmp_path.resolve()
    markers = base / "markers"
    markers.mkdir()
    root = base / "proj"
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = venv / "lib" / version / "site-packages"
    editable = base / "editable_src"

    def mark(name: str, body: str = "") -> str:
        return leaves_marker(markers, name) + body

    write_files(
        site,
        {
            "zz_marker.pth": pth_marker(markers, "pth"),
            "sitecustomize.py": mark("sitecustomize"),
            "envpkg/__init__.py": mark("envpkg", "def hook():\n    pass\n"),
            "envpkg/sub.py": mark("envpkg_sub", "thing = 1\n"),
            "__editable__.demo-1.0.pth": "import __editable___demo_1_0_finder; "
            "__editable___demo_1_0_finder.install()\n",
            "__editable___demo_1_0_finder.py": mark(
                "editable_finder",
                f"MAPPING = {{'editable_demo': {str(editable / 'editable_demo')!r}}}\n"
                "NAMESPACES = {}\n"
                "def install():\n    pass\n",
            ),
        },
    )
    write_files(
        editable,
        {
            "editable_demo/__init__.py": mark("editable_demo"),
            "editable_demo/core.py": mark("editable_core", "def run():\n    pass\n"),
        },
    )
    write_files(
        root,
        {
            "config/spoc.toml": TOML,
            "config/settings.py": mark(
                "settings",
                'PLUGINS = {\n    "hooks": ["shopapp.plugins.startup", "shopapp.sub.thing"],\n'
                f'    "extra": ["envpkg.sub.thing"{plugins}],\n}}\n',
            ),
            "apps/shopapp/__init__.py": mark("shopapp"),
            "apps/shopapp/plugins.py": mark(
                "plugins",
                'def startup():\n    """Start."""\n\n\nclass Thing:\n    pass\n',
            ),
            "apps/shopapp/sub/__init__.py": mark("shopapp_sub", "thing = 2\n"),
            "setup.py": mark("setup"),
            "conftest.py": mark("conftest"),
            "pyproject.toml": '[tool.spoc-lsp]\nseverity = { SPOC004 = "warning" }\n',
            **(extra or {}),
        },
    )
    return Marked(root, venv, python, markers)


def _doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def _position(text: str, needle: str, offset: int = 1) -> types.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


async def _request(awaitable: Any, what: str) -> Any:
    """A request that must be answered (a refusal is an answer too) within 10 s."""
    try:
        return await answers_within(awaitable, 10, what)
    except JsonRpcException:
        return None


async def test_every_feature_runs_no_project_or_environment_code(
    lsp_client: LanguageClient, tmp_path: Path
) -> None:
    marked = make_marked(tmp_path)
    root = marked.root
    await initialize(lsp_client, root, settings={"python": str(marked.python)})
    toml_uri, settings_uri = marked.uri("config/spoc.toml"), marked.uri("config/settings.py")
    plugins_path = root / "apps/shopapp/plugins.py"
    plugins_uri = plugins_path.as_uri()
    texts = {
        toml_uri: (root / "config/spoc.toml").read_text(),
        settings_uri: (root / "config/settings.py").read_text(),
        plugins_uri: plugins_path.read_text(),
    }
    for uri, text in texts.items():
        open_text(lsp_client, Path(uri.removeprefix("file://")), text)
    await wait_until(
        lsp_client,
        lambda: "SPOC002" in {str(d.code) for d in lsp_client.diagnostics.get(toml_uri, [])},
        15,
    )
    # The environment was really searched: its modules resolve (SPOC002 is only 'missing').
    codes = [(str(d.code), d.message) for d in lsp_client.diagnostics[toml_uri]]
    assert codes == [
        ("SPOC002", "module 'shopapp.plugins' has no attribute or submodule 'missing'")
    ], codes

    # Edits, saves (runtime check off), in both config files.
    texts[toml_uri] = texts[toml_uri].replace("missing", "startup2")
    send_changes(
        lsp_client,
        toml_uri,
        2,
        [types.TextDocumentContentChangeWholeDocument(text=texts[toml_uri])],
    )
    for uri in (toml_uri, settings_uri):
        lsp_client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(uri)))

    # Completion at each depth, in both files, and resolving items.
    for uri, needle in (
        (toml_uri, '"shopapp.plugins.startup"'),
        (toml_uri, '"envpkg.sub.thing"'),
        (toml_uri, '"editable_demo.core.run"'),
        (settings_uri, '"shopapp.sub.thing"'),
        (settings_uri, '"envpkg.sub.thing"'),
    ):
        uri_text = needle.strip('"')
        for depth in range(len(uri_text.split(".")) + 1):
            offset = 1 + len(".".join(uri_text.split(".")[:depth])) + (1 if depth else 0)
            offset = min(offset, len(needle) - 1)
            result = await _request(
                lsp_client.text_document_completion_async(
                    types.CompletionParams(
                        text_document=_doc(uri),
                        position=_position(texts[uri], needle, offset),
                    )
                ),
                "completion",
            )
            items = result.items if isinstance(result, types.CompletionList) else result or []
            for item in items[:5]:
                await _request(lsp_client.completion_item_resolve_async(item), "resolve")
    top = await _request(
        lsp_client.text_document_completion_async(
            types.CompletionParams(
                text_document=_doc(toml_uri), position=_position(texts[toml_uri], '"envpkg', 1)
            )
        ),
        "completion",
    )
    labels = {item.label for item in (top.items if top else [])}
    assert {"envpkg", "shopapp"} <= labels, sorted(labels)[:20]

    # Hover, definition, references, rename at every URI segment of both config files.
    for uri in (toml_uri, settings_uri):
        text = texts[uri]
        for needle in ("shopapp", "plugins.", "startup", "envpkg", "sub.", "thing", "Thing"):
            if needle not in text:
                continue
            where = _position(text, needle)
            await hover_at(lsp_client, uri, where.line, where.character)
            await _request(
                lsp_client.text_document_definition_async(
                    types.DefinitionParams(text_document=_doc(uri), position=where)
                ),
                "definition",
            )
            await _request(
                lsp_client.text_document_references_async(
                    types.ReferenceParams(
                        text_document=_doc(uri),
                        position=where,
                        context=types.ReferenceContext(include_declaration=True),
                    )
                ),
                "references",
            )
            await _request(
                lsp_client.text_document_prepare_rename_async(
                    types.PrepareRenameParams(text_document=_doc(uri), position=where)
                ),
                "prepareRename",
            )
            await _request(
                lsp_client.text_document_rename_async(
                    types.RenameParams(text_document=_doc(uri), position=where, new_name="renamed")
                ),
                "rename",
            )
    # From the plugin's own module: lenses, references, rename.
    await _request(
        lsp_client.text_document_code_lens_async(
            types.CodeLensParams(text_document=_doc(plugins_uri))
        ),
        "codeLens",
    )
    for needle in ("startup", "Thing"):
        where = _position(texts[plugins_uri], needle)
        await _request(
            lsp_client.text_document_references_async(
                types.ReferenceParams(
                    text_document=_doc(plugins_uri),
                    position=where,
                    context=types.ReferenceContext(include_declaration=True),
                )
            ),
            "references",
        )
        await _request(
            lsp_client.text_document_prepare_rename_async(
                types.PrepareRenameParams(text_document=_doc(plugins_uri), position=where)
            ),
            "prepareRename",
        )
        await _request(
            lsp_client.text_document_rename_async(
                types.RenameParams(
                    text_document=_doc(plugins_uri), position=where, new_name="renamed"
                )
            ),
            "rename",
        )
    # Inlay hints and code actions.
    everything = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=50, character=0)
    )
    for uri in (toml_uri, settings_uri):
        await _request(
            lsp_client.text_document_inlay_hint_async(
                types.InlayHintParams(text_document=_doc(uri), range=everything)
            ),
            "inlayHint",
        )
        await _request(
            lsp_client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=_doc(uri),
                    range=everything,
                    context=types.CodeActionContext(
                        diagnostics=list(lsp_client.diagnostics.get(uri, []))
                    ),
                )
            ),
            "codeAction",
        )
    # Commands.
    for command in ("spoc.showPlugins", "spoc.showEnvironment"):
        for arguments in ([], [toml_uri]):
            await _request(
                lsp_client.workspace_execute_command_async(
                    types.ExecuteCommandParams(command=command, arguments=arguments)
                ),
                command,
            )
    # File events: module, .pth, config and pyproject changes; a module move.
    site = next(marked.venv.glob("lib/python*/site-packages"))
    new_module = root / "apps/shopapp/fresh.py"
    new_module.write_text(leaves_marker(marked.markers, "fresh") + "x = 1\n")
    new_pth = site / "added.pth"
    new_pth.write_text(pth_marker(marked.markers, "added_pth"))
    lsp_client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=new_module.as_uri(), type=types.FileChangeType.Created),
                types.FileEvent(uri=new_pth.as_uri(), type=types.FileChangeType.Created),
                types.FileEvent(uri=plugins_uri, type=types.FileChangeType.Changed),
                types.FileEvent(uri=toml_uri, type=types.FileChangeType.Changed),
                types.FileEvent(
                    uri=(root / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed
                ),
                types.FileEvent(
                    uri=(root / "apps/shopapp/gone.py").as_uri(),
                    type=types.FileChangeType.Deleted,
                ),
            ]
        )
    )
    await _request(
        lsp_client.workspace_will_rename_files_async(
            types.RenameFilesParams(
                files=[
                    types.FileRename(
                        old_uri=plugins_uri, new_uri=(root / "apps/shopapp/renamed.py").as_uri()
                    )
                ]
            )
        ),
        "willRenameFiles",
    )
    lsp_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"spoc": {"python": str(marked.python)}})
    )
    lsp_client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=marked.venv.as_uri(), name="venv")], removed=[]
            )
        )
    )
    for uri in texts:
        lsp_client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=_doc(uri))
        )
    # The server settles on the files on disk again, and nothing ran.
    await wait_until(
        lsp_client,
        lambda: "SPOC002" in {str(d.code) for d in lsp_client.diagnostics.get(toml_uri, [])},
        15,
    )
    await hover_at(lsp_client, toml_uri, 1, 12)
    await asyncio.sleep(0.5)
    assert marked.ran() == [], marked.ran()
    assert not failures(lsp_client), failures(lsp_client)


async def _save_and_wait_for(
    client: LanguageClient, uri: str, wanted: str, timeout: float
) -> list[types.Diagnostic]:
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(uri)))
    return await _wait_for_message(client, uri, wanted, timeout)


async def _wait_for_message(
    client: LanguageClient, uri: str, wanted: str, timeout: float
) -> list[types.Diagnostic]:
    """Wait for a runtime-check diagnostic (SPOC008) whose message holds ``wanted``."""
    await wait_until(
        client,
        lambda: any(
            d.code == "SPOC008" and wanted in d.message for d in client.diagnostics.get(uri, [])
        ),
        timeout,
        lambda: str([d.message for d in client.diagnostics.get(uri, [])]),
    )
    return list(client.diagnostics[uri])


async def test_the_runtime_probe_runs_code_only_in_a_subprocess(
    lsp_client: LanguageClient, tmp_path: Path
) -> None:
    marked = make_marked(
        tmp_path,
        {
            "apps/shopapp/raising.py": (
                "import os\nraise RuntimeError(os.environ.get('NO_SUCH', 'DATABASE_URL unset'))\n"
            )
        },
        plugins=', "shopapp.raising"',
    )
    await initialize(
        lsp_client, marked.root, settings={"python": str(marked.python), "runtimeCheck": "onSave"}
    )
    pid = server_pid(lsp_client)
    uri = marked.uri("config/settings.py")
    open_text(
        lsp_client,
        marked.root / "config/settings.py",
        (marked.root / "config/settings.py").read_text(),
    )
    await wait_until(lsp_client, lambda: uri in lsp_client.diagnostics, 15)
    assert marked.ran() == []
    await _save_and_wait_for(lsp_client, uri, "DATABASE_URL", 30)
    ran = marked.ran()
    names = {name for name, _, _ in ran}
    # The environment's start-up code and the plugins ran, in the probe's interpreter...
    assert {"pth", "sitecustomize", "shopapp", "plugins", "envpkg", "envpkg_sub"} <= names, ran
    # ... in processes the server started, never in the server itself.
    assert all(process != pid and parent == pid for _, process, parent in ran), (pid, ran)
    # The settings module is data to the probe: it is never imported.
    assert "settings" not in names
    assert not failures(lsp_client)


async def test_a_hanging_probe_is_killed_and_never_blocks_the_server(
    lsp_client: LanguageClient, tmp_path: Path
) -> None:
    marked = make_marked(
        tmp_path,
        {
            "apps/shopapp/hang.py": (
                "import os, subprocess, sys, time\n"
                "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
                + leaves_marker(tmp_path.resolve() / "markers", "grandchild").replace(
                    "_os.getpid()", "child.pid"
                )
                + leaves_marker(tmp_path.resolve() / "markers", "hang")
                + "time.sleep(120)\n"
            ),
        },
        plugins=', "shopapp.hang"',
    )
    await initialize(
        lsp_client, marked.root, settings={"python": str(marked.python), "runtimeCheck": "onSave"}
    )
    uri = marked.uri("config/settings.py")
    toml_uri = marked.uri("config/spoc.toml")
    await wait_until(lsp_client, lambda: uri in lsp_client.diagnostics, 15)
    lsp_client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(uri)))
    await wait_until(lsp_client, lambda: "hang" in {n for n, _, _ in marked.ran()}, 15)
    # While the plugin hangs, requests are answered: all of them before the probe gives up on
    # it (its deadline is 10 s), so none waited for the probe. An order, not a stopwatch.
    hanging = next(process for name, process, _ in marked.ran() if name == "hang")
    slowest = 0.0
    for _ in range(8):
        started = time.monotonic()
        await hover_at(lsp_client, toml_uri, 1, 12)
        slowest = max(slowest, time.monotonic() - started)
        await asyncio.sleep(0.25)
    assert alive(hanging)
    assert not any("did not finish" in d.message for d in lsp_client.diagnostics.get(uri, []))
    started = time.monotonic()
    diagnostics = await _wait_for_message(lsp_client, uri, "did not finish", 30)
    timeout_message = next(d.message for d in diagnostics if "did not finish" in d.message)
    ran = {name: process for name, process, _ in marked.ran()}
    await wait_until(lsp_client, lambda: not alive(ran["hang"]) and not alive(ran["grandchild"]), 5)
    record(
        "probe_hang",
        hover_seconds_max=round(slowest, 3),
        message=timeout_message,
        killed_after_seconds=round(time.monotonic() - started, 1),
    )
    assert not failures(lsp_client)


async def test_a_probe_that_crashes_or_floods_output_is_contained(
    lsp_client: LanguageClient, tmp_path: Path
) -> None:
    marked = make_marked(
        tmp_path,
        {
            "apps/shopapp/crash.py": "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n",
            "apps/shopapp/loud.py": (
                "import os, sys\n"
                "chunk = 'x' * 1_000_000 + '\\n'\n"
                "for _ in range(30):\n"
                "    sys.stdout.write(chunk)\n"
                "    sys.stderr.write(chunk)\n"
                "sys.stdout.flush()\n"
                "raise RuntimeError('y' * 5_000_000)\n"
            ),
            "apps/shopapp/noisy.py": (
                "import os\n"
                'line = b\'{"event": "junk", "pad": "\' + b\'z\' * 60_000 + b\'"}\\n\'\n'
                "for fd in range(3, 30):\n"
                "    for _ in range(40):\n"
                "        try:\n"
                "            os.write(fd, line)\n"
                "        except OSError:\n"
                "            break\n"
            ),
        },
        plugins=', "shopapp.crash", "shopapp.plugins.Thing", "shopapp.loud", "shopapp.noisy"',
    )
    await initialize(
        lsp_client, marked.root, settings={"python": str(marked.python), "runtimeCheck": "onSave"}
    )
    pid = server_pid(lsp_client)
    uri = marked.uri("config/settings.py")
    await wait_until(lsp_client, lambda: uri in lsp_client.diagnostics, 15)
    before = rss_kib(pid)
    diagnostics = await _save_and_wait_for(lsp_client, uri, "SIGSEGV", 60)
    await _wait_for_message(lsp_client, uri, "loud", 30)
    diagnostics = list(lsp_client.diagnostics[uri])
    after = rss_kib(pid)
    messages = {d.message for d in diagnostics if d.code == "SPOC008"}
    crash = next(m for m in messages if "crash" in m)
    loud = next(m for m in messages if "loud" in m)
    noisy = [m for m in messages if "noisy" in m]
    record(
        "probe_crash_and_flood",
        crash_message=crash,
        loud_message_chars=len(loud),
        noisy_message=noisy[0][:200] if noisy else None,
        rss_growth_kib=after - before,
    )
    assert "SIGSEGV" in crash
    assert len(loud) <= 2100
    # The plugins after the crash were still probed, by a fresh agent process.
    agents = {process for name, process, _ in marked.ran() if name == "shopapp"}
    assert len(agents) >= 2 and pid not in agents, agents
    assert after - before < 50_000, (before, after)
    await hover_at(lsp_client, marked.uri("config/spoc.toml"), 1, 12, seconds=2)
    assert not failures(lsp_client)


async def test_an_untrusted_workspace_is_never_probed(
    lsp_client: LanguageClient, tmp_path: Path
) -> None:
    marked = make_marked(tmp_path)
    await initialize(
        lsp_client,
        marked.root,
        settings={"python": str(marked.python), "runtimeCheck": "onSave", "trusted": False},
    )
    uri = marked.uri("config/settings.py")
    await wait_until(lsp_client, lambda: uri in lsp_client.diagnostics, 15)
    lsp_client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(uri)))
    await wait_until(
        lsp_client,
        lambda: any("refused" in m.message for m in lsp_client.log_messages),
        10,
    )
    await asyncio.sleep(1.0)
    assert marked.ran() == []
    assert not any(d.code == "SPOC008" for d in lsp_client.diagnostics.get(uri, []))
    assert any("not trusted" in m.message for m in lsp_client.log_messages)


async def test_a_save_storm_does_not_pile_up_probes(
    lsp_client: LanguageClient, tmp_path: Path
) -> None:
    """Saving 20 times while a plugin takes 3 s to import: the probes in flight stay few."""
    marked = make_marked(
        tmp_path,
        {"apps/shopapp/slow.py": "import time\ntime.sleep(3)\nvalue = 1\n"},
        plugins=', "shopapp.slow"',
    )
    await initialize(
        lsp_client,
        marked.root,
        settings={"python": str(marked.python), "runtimeCheck": "onSave"},
    )
    pid = server_pid(lsp_client)
    uri = marked.uri("config/settings.py")
    await wait_until(lsp_client, lambda: uri in lsp_client.diagnostics, 15)
    most = 0
    for _ in range(20):
        lsp_client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(uri)))
        await asyncio.sleep(0.1)
        most = max(most, len(_agents(pid)))
    deadline = time.monotonic() + 30
    while _agents(pid) and time.monotonic() < deadline:
        most = max(most, len(_agents(pid)))
        await asyncio.sleep(0.1)
    record("probe_save_storm", saves=20, most_agents_at_once=most)
    assert not _agents(pid)
    assert most <= 2, f"{most} probe processes ran at once"


def _agents(server: int) -> list[int]:
    """The runtime-check agents the server is running now."""
    found = []
    for child in children_of(server):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "agent.py" in command and alive(child):
            found.append(child)
    return found


async def test_probes_die_with_the_server(tmp_path: Path) -> None:
    """A probe still running when the editor closes must not outlive the server."""
    marked = make_marked(
        tmp_path,
        {
            "apps/shopapp/hang.py": leaves_marker(tmp_path.resolve() / "markers", "hang")
            + "import time\ntime.sleep(120)\n"
        },
        plugins=', "shopapp.hang"',
    )
    async with serving() as client:
        await initialize(
            client, marked.root, settings={"python": str(marked.python), "runtimeCheck": "onSave"}
        )
        uri = marked.uri("config/settings.py")
        await wait_until(client, lambda: uri in client.diagnostics, 15)
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(uri)))
        await wait_until(client, lambda: "hang" in {n for n, _, _ in marked.ran()}, 15)
        hang = next(process for name, process, _ in marked.ran() if name == "hang")
        assert alive(hang)
    # The server has been shut down and has exited.
    deadline = time.monotonic() + 5
    while alive(hang) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    survived = alive(hang)
    if survived:
        os.kill(hang, signal.SIGKILL)  # clean up the orphan this test made
    assert not survived, f"the probe process {hang} outlived the server"


async def test_runtime_results_never_point_at_the_wrong_text_after_an_edit(
    lsp_client: LanguageClient, tmp_path: Path
) -> None:
    """SPOC008 comes from the last save; after edits it must still sit on its URI (or go)."""
    marked = make_marked(
        tmp_path,
        {"apps/shopapp/raising.py": "import os\nraise RuntimeError(os.environ.get('X', 'boom'))\n"},
        plugins=', "shopapp.raising"',
    )
    await initialize(
        lsp_client, marked.root, settings={"python": str(marked.python), "runtimeCheck": "onSave"}
    )
    path = marked.root / "config/settings.py"
    uri = path.as_uri()
    text = path.read_text()
    open_text(lsp_client, path, text)
    await wait_until(lsp_client, lambda: uri in lsp_client.diagnostics, 15)
    await _save_and_wait_for(lsp_client, uri, "boom", 30)
    # Insert two lines at the top (unsaved): every entry moves down by two.
    text = "# one\n# two\n" + text
    send_changes(
        lsp_client,
        uri,
        2,
        [
            types.TextDocumentContentChangePartial(
                range=types.Range(
                    start=types.Position(line=0, character=0),
                    end=types.Position(line=0, character=0),
                ),
                text="# one\n# two\n",
            )
        ],
    )
    await settle(lsp_client)
    lines = text.splitlines()
    runtime = [d for d in lsp_client.diagnostics[uri] if d.code == "SPOC008"]
    assert runtime, "the last save's results were dropped by an unsaved edit"
    for diagnostic in runtime:
        start, end = diagnostic.range.start, diagnostic.range.end
        covered = lines[start.line][start.character : end.character]
        assert covered == "shopapp.raising", (covered, diagnostic.range)


async def test_a_vanished_client_takes_server_and_probe_down(tmp_path: Path) -> None:
    """The editor dies (its end of stdin closes, no shutdown): the server exits, and the probe
    it was running does not survive it."""
    marked = make_marked(
        tmp_path,
        {
            "apps/shopapp/hang.py": leaves_marker(tmp_path.resolve() / "markers", "hang")
            + "import time\ntime.sleep(120)\n"
        },
        plugins=', "shopapp.hang"',
    )
    async with serving() as client:
        await initialize(
            client, marked.root, settings={"python": str(marked.python), "runtimeCheck": "onSave"}
        )
        server = server_pid(client)
        uri = marked.uri("config/settings.py")
        await wait_until(client, lambda: uri in client.diagnostics, 15)
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(uri)))
        await wait_until(client, lambda: "hang" in {n for n, _, _ in marked.ran()}, 15)
        hang = next(process for name, process, _ in marked.ran() if name == "hang")
        started = time.monotonic()
        process = client._server
        assert process is not None and process.stdin is not None
        process.stdin.close()
        while (alive(server) or alive(hang)) and time.monotonic() - started < 20:
            await asyncio.sleep(0.1)
        took = time.monotonic() - started
        survivors = [pid for pid in (server, hang) if alive(pid)]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)  # clean up what this test made
    record("client_vanishes", seconds_until_server_and_probe_gone=round(took, 1))
    assert not survivors, f"still running {took:.0f} s after the client went: {survivors}"


async def test_a_killed_server_leaves_no_probe_behind(tmp_path: Path) -> None:
    """The server is killed outright (OOM killer, kill -9): the probe process it started, and
    what the plugin started, go too instead of hanging on forever."""
    markers = tmp_path.resolve() / "markers"
    marked = make_marked(
        tmp_path,
        {
            "apps/shopapp/hang.py": (
                "import subprocess, sys, time\n"
                "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
                + leaves_marker(markers, "grandchild").replace("_os.getpid()", "child.pid")
                + leaves_marker(markers, "hang")
                + "time.sleep(120)\n"
            )
        },
        plugins=', "shopapp.hang"',
    )
    async with serving() as client:
        await initialize(
            client, marked.root, settings={"python": str(marked.python), "runtimeCheck": "onSave"}
        )
        uri = marked.uri("config/settings.py")
        await wait_until(client, lambda: uri in client.diagnostics, 15)
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(uri)))
        await wait_until(client, lambda: "hang" in {n for n, _, _ in marked.ran()}, 15)
        ran = {name: process for name, process, _ in marked.ran()}
        os.kill(server_pid(client), signal.SIGKILL)
        started = time.monotonic()
        while (alive(ran["hang"]) or alive(ran["grandchild"])) and time.monotonic() - started < 5:
            await asyncio.sleep(0.1)
        survivors = [pid for pid in (ran["hang"], ran["grandchild"]) if alive(pid)]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)  # clean up what this test made
    record("server_killed", seconds_until_probe_gone=round(time.monotonic() - started, 1))
    assert not survivors, f"probe processes {survivors} outlived the killed server"
