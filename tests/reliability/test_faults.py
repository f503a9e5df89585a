"""Faults: the interpreter disappears or is rebuilt under the server, files flicker while it
reads them, the client asks about documents and positions that do not exist, sends malformed
messages and cancels requests. The server recovers by itself: later requests are answered
correctly and nothing but the expected warnings is logged."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp.support import initialize
from tests.reliability.project import SETTINGS, TOML, MakeProject, shop
from tests.reliability.support import (
    Oracle,
    answers_within,
    converge,
    failures,
    hover_at,
    open_text,
    record,
    send_changes,
    server_pid,
    wait_until,
    write_files,
)


def make_venv(path: Path, python: str = sys.executable) -> Path:
    """A virtual environment at ``path`` holding the package ``envpkg``; its interpreter."""
    subprocess.run([python, "-m", "venv", "--without-pip", str(path)], check=True)
    site = next(path.glob("lib/python*/site-packages"))
    write_files(site, {"envpkg/__init__.py": "def hook():\n    pass\n"})
    return path / "bin" / "python"


def other_python() -> str | None:
    """An interpreter of another minor version than this one, if the machine has one."""
    for minor in (12, 13, 11, 10):
        if minor == sys.version_info.minor:
            continue
        candidates = [
            str(p) for p in Path("/root/.pyenv/versions").glob(f"3.{minor}.*/bin/python3")
        ]
        found = shutil.which(f"python3.{minor}")
        if found and "shims" not in found:
            candidates.append(found)
        for candidate in candidates:
            ran = subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False)
            if ran.returncode == 0:
                return candidate
    return None


ENV_TOML = TOML.replace('"shopapp.db.Backend"]', '"shopapp.db.Backend", "envpkg.hook"]')


def _messages(client: LanguageClient, uri: str) -> list[str]:
    return [f"{d.code} {d.message}" for d in client.diagnostics.get(uri, [])]


def _created(venv: Path) -> types.DidChangeWatchedFilesParams:
    """The events an editor watching the venv sends after it was recreated."""
    return types.DidChangeWatchedFilesParams(
        changes=[
            types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Created)
            for path in sorted(venv.rglob("*"))
            if path.is_file() and not path.is_symlink()
        ]
    )


async def _interpreter_vanishes(
    client: LanguageClient, root: Path, venv: Path, rebuild_with: str, recovery: float = 15
) -> None:
    python = make_venv(venv)
    settings = {"python": str(python), "runtimeCheck": "onSave"}
    await initialize(client, root, settings=settings)
    toml_path = root / "config/spoc.toml"
    uri = open_text(client, toml_path, ENV_TOML)
    await converge(client, Oracle(root, python), {toml_path: ENV_TOML})
    assert not any("envpkg" in m for m in _messages(client, uri))

    # The venv is deleted under the running server, and the editor says so.
    gone = [path for path in venv.rglob("*") if path.is_file()]
    shutil.rmtree(venv)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Deleted)
                for path in gone
            ]
        )
    )
    await wait_until(
        client,
        lambda: any("SPOC001" in m and "envpkg" in m for m in _messages(client, uri)),
        15,
        lambda: str(_messages(client, uri)),
    )
    # A save asks for a runtime check with the vanished interpreter: a message, not a crash.
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_until(
        client,
        lambda: any("SPOC008" in m and "does not exist" in m for m in _messages(client, uri)),
        15,
        lambda: str(_messages(client, uri)),
    )
    assert await hover_at(client, uri, 5, 10) is not None
    # The runtime check is turned off: its results go.
    client.set_configuration({"spoc": {"python": str(python)}})
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"spoc": {"python": str(python)}})
    )
    await wait_until(
        client,
        lambda: not any("SPOC008" in m for m in _messages(client, uri)),
        15,
        lambda: str(_messages(client, uri)),
    )

    # The venv is rebuilt at the same place; the editor reports the new files.
    make_venv(venv, rebuild_with)
    client.workspace_did_change_watched_files(_created(venv))
    await wait_until(
        client,
        lambda: not any("SPOC001" in m and "envpkg" in m for m in _messages(client, uri)),
        recovery,
        lambda: str(_messages(client, uri)),
    )
    await converge(client, Oracle(root, python), {toml_path: ENV_TOML})
    assert not failures(client), failures(client)


async def test_the_interpreter_disappears_and_is_rebuilt(
    lsp_client: LanguageClient, make_project: MakeProject, tmp_path: Path
) -> None:
    root = shop(make_project, toml=ENV_TOML)
    await _interpreter_vanishes(lsp_client, root, tmp_path.resolve() / "venv", sys.executable)


async def test_the_interpreter_is_rebuilt_with_another_python_version(
    lsp_client: LanguageClient, make_project: MakeProject, tmp_path: Path
) -> None:
    other = other_python()
    if other is None:
        pytest.skip("no interpreter of another minor version on this machine")
    root = shop(make_project, toml=ENV_TOML)
    await _interpreter_vanishes(lsp_client, root, tmp_path.resolve() / "venv", other, 4)


async def test_a_bad_interpreter_setting_falls_back_and_recovers(
    lsp_client: LanguageClient, make_project: MakeProject, tmp_path: Path
) -> None:
    root = shop(make_project, toml=ENV_TOML)
    python = make_venv(tmp_path.resolve() / "venv")
    await initialize(lsp_client, root, settings={"python": str(python)})
    toml_path = root / "config/spoc.toml"
    uri = open_text(lsp_client, toml_path, ENV_TOML)
    await converge(lsp_client, Oracle(root, python), {toml_path: ENV_TOML})
    for bad in (str(tmp_path / "missing/bin/python"), str(toml_path), "/dev/null", "python9.9"):
        lsp_client.set_configuration({"spoc": {"python": bad}})
        lsp_client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"spoc": {"python": bad}})
        )
        assert await hover_at(lsp_client, uri, 5, 10) is not None

        def warned(named: str = bad) -> bool:
            return any(named in message.message for message in lsp_client.log_messages)

        await wait_until(lsp_client, warned, 10)
    lsp_client.set_configuration({"spoc": {"python": str(python)}})
    lsp_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"spoc": {"python": str(python)}})
    )
    await converge(lsp_client, Oracle(root, python), {toml_path: ENV_TOML})
    assert not failures(lsp_client), failures(lsp_client)


@pytest.fixture
def flicker() -> Iterator[tuple[threading.Event, list[int]]]:
    stop = threading.Event()
    flips: list[int] = [0]
    yield stop, flips
    stop.set()


async def test_files_flickering_while_the_server_reads_them(
    lsp_client: LanguageClient,
    make_project: MakeProject,
    flicker: tuple[threading.Event, list[int]],
) -> None:
    """A thread creates and deletes modules and packages as fast as it can while the client
    edits, completes and hovers; then the files settle and so must the diagnostics."""
    toml = TOML.replace('"shopapp.db.Backend"]', '"shopapp.flick.f", "shopapp.flickpkg.sub.g"]')
    root = shop(make_project, toml=toml)
    await initialize(lsp_client, root)
    toml_path = root / "config/spoc.toml"
    uri = open_text(lsp_client, toml_path, toml)
    stop, flips = flicker
    module = root / "apps/shopapp/flick.py"
    package = root / "apps/shopapp/flickpkg"

    def flip() -> None:
        while not stop.is_set():
            module.write_text("def f():\n    pass\n")
            (package / "sub").mkdir(parents=True, exist_ok=True)
            (package / "__init__.py").write_text("")
            (package / "sub" / "__init__.py").write_text("def g():\n    pass\n")
            module.unlink()
            shutil.rmtree(package, ignore_errors=True)
            flips[0] += 1

    thread = threading.Thread(target=flip, daemon=True)
    thread.start()
    events = [
        types.FileEvent(uri=module.as_uri(), type=types.FileChangeType.Changed),
        types.FileEvent(
            uri=(package / "sub/__init__.py").as_uri(), type=types.FileChangeType.Changed
        ),
        types.FileEvent(uri=package.as_uri(), type=types.FileChangeType.Deleted),
    ]
    text = toml
    deadline = time.monotonic() + 3
    version = 1
    while time.monotonic() < deadline:
        version += 1
        text += " "  # a new version each round: the server re-analyses
        send_changes(
            lsp_client, uri, version, [types.TextDocumentContentChangeWholeDocument(text=text)]
        )
        lsp_client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(changes=events)
        )
        line = text.splitlines().index(next(row for row in text.splitlines() if "flick" in row))
        column = text.splitlines()[line].index("flick") + 2
        await answers_within(
            lsp_client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=line, character=column),
                )
            ),
            5,
            "completion",
        )
        await hover_at(lsp_client, uri, line, column, seconds=5)
        await asyncio.sleep(0.02)
    stop.set()
    thread.join(5)
    # Settled: the module exists, the package does not.
    module.write_text("def f():\n    pass\n")
    shutil.rmtree(package, ignore_errors=True)
    lsp_client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=events))
    await converge(lsp_client, Oracle(root), {toml_path: text})
    record("flicker", flips=flips[0], edits=version - 1)
    assert not failures(lsp_client), failures(lsp_client)


UNKNOWN_URIS = [
    "config/nothing.toml",  # in the project, not a config file, not on disk
    "/nonexistent/dir/config/spoc.toml",  # nowhere
    "untitled:Untitled-1",  # not a file
    "config",  # a directory
    "config/spoc.toml/inside",  # below a file
    "%00weird%ZZ.toml",  # bad escapes, a NUL byte
    "loop/config/spoc.toml",  # through a symlink loop (made by the test)
]
POSITIONS = [(0, 0), (2, 10**6), (10**6, 0), (2**31 - 1, 2**31 - 1)]


def _uri(root: Path, value: str) -> str:
    if ":" in value.split("/")[0]:
        return value
    if value.startswith("/"):
        return "file://" + value
    return "file://" + str(root) + "/" + value


def _requests(client: LanguageClient, uri: str, line: int, character: int) -> list[Any]:
    document = types.TextDocumentIdentifier(uri=uri)
    position = types.Position(line=line, character=character)
    everything = types.Range(start=position, end=position)
    return [
        client.text_document_hover_async(
            types.HoverParams(text_document=document, position=position)
        ),
        client.text_document_completion_async(
            types.CompletionParams(text_document=document, position=position)
        ),
        client.text_document_definition_async(
            types.DefinitionParams(text_document=document, position=position)
        ),
        client.text_document_references_async(
            types.ReferenceParams(
                text_document=document,
                position=position,
                context=types.ReferenceContext(include_declaration=True),
            )
        ),
        client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=document, position=position)
        ),
        client.text_document_rename_async(
            types.RenameParams(text_document=document, position=position, new_name="x")
        ),
        client.text_document_code_lens_async(types.CodeLensParams(text_document=document)),
        client.text_document_inlay_hint_async(
            types.InlayHintParams(text_document=document, range=everything)
        ),
        client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=document,
                range=everything,
                context=types.CodeActionContext(diagnostics=[]),
            )
        ),
    ]


async def _answered(request: Any) -> str:
    try:
        await answers_within(request, 10)
    except JsonRpcException as error:
        return f"error {error}"
    return "result"


async def test_unknown_documents_and_out_of_range_positions(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    (root / "loop").symlink_to("loop")
    await initialize(lsp_client, root)
    toml_path = root / "config/spoc.toml"
    uri = open_text(lsp_client, toml_path, TOML)
    settings_uri = open_text(lsp_client, root / "config/settings.py", SETTINGS)
    await converge(
        lsp_client, Oracle(root), {toml_path: TOML, root / "config/settings.py": SETTINGS}
    )
    answers: dict[str, int] = {}
    targets = [_uri(root, value) for value in UNKNOWN_URIS] + [uri, settings_uri]
    for target in targets:
        for line, character in POSITIONS:
            for request in _requests(lsp_client, target, line, character):
                outcome = await _answered(request)
                answers[outcome.split(" ")[0]] = answers.get(outcome.split(" ")[0], 0) + 1
    # Edits with ranges past the end, and a change for a document never opened.
    send_changes(
        lsp_client,
        uri,
        2,
        [
            types.TextDocumentContentChangePartial(
                range=types.Range(
                    start=types.Position(line=10**6, character=0),
                    end=types.Position(line=10**6, character=5),
                ),
                text="\n# appended past the end\n",
            )
        ],
    )
    send_changes(
        lsp_client,
        _uri(root, "config/never_opened.toml"),
        7,
        [types.TextDocumentContentChangeWholeDocument(text="x")],
    )
    lsp_client.text_document_did_close(
        types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=_uri(root, "config/never_opened.toml"))
        )
    )
    # Commands with arguments that are not what they expect.
    nested: Any = "x"
    for _ in range(200):
        nested = [nested]
    for command in ("spoc.showPlugins", "spoc.showEnvironment", "spoc.noSuchCommand"):
        for arguments in (["a\x00b"], [_uri(root, "%00")], [nested], [{"x": 1}, 5, None], []):
            outcome = await _answered(
                lsp_client.workspace_execute_command_async(
                    types.ExecuteCommandParams(command=command, arguments=arguments)
                )
            )
            answers[outcome.split(" ")[0]] = answers.get(outcome.split(" ")[0], 0) + 1
    record("unknown_documents", requests=sum(answers.values()), outcomes=answers)
    # Still right about the real file.
    result = await hover_at(lsp_client, uri, 5, 10)
    assert result is not None
    assert not failures(lsp_client), failures(lsp_client)


async def test_malformed_messages_are_survived(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    root = shop(make_project)
    await initialize(lsp_client, root)
    toml_path = root / "config/spoc.toml"
    uri = open_text(lsp_client, toml_path, TOML)
    await converge(lsp_client, Oracle(root), {toml_path: TOML})
    writer = lsp_client.protocol.writer
    assert writer is not None

    def raw(body: bytes) -> None:
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    raw(b"{not json")
    raw(json.dumps({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": 5}).encode())
    raw(
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": "raw-1",
                "method": "textDocument/hover",
                "params": {"textDocument": 5, "position": "here"},
            }
        ).encode()
    )
    raw(json.dumps({"jsonrpc": "2.0", "id": "raw-2", "method": "spoc/noSuchMethod"}).encode())
    raw(json.dumps({"jsonrpc": "2.0", "method": "$/noSuchNotification", "params": {}}).encode())
    raw(json.dumps([1, 2, 3]).encode())
    raw('{"jsonrpc": "2.0", "method": "x", "params": "\udcff"}'.encode(errors="surrogateescape"))
    with pytest.raises(JsonRpcException):
        await answers_within(lsp_client.protocol.send_request_async("spoc/unknown", None), 5)
    result = await hover_at(lsp_client, uri, 5, 10)
    assert result is not None
    assert not failures(lsp_client), failures(lsp_client)


async def test_cancelled_requests_leave_the_server_answering(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    files = {f"apps/bulk/m{i}.py": f"def f{i}():\n    pass\n" for i in range(2000)}
    files["apps/bulk/__init__.py"] = ""
    root = shop(make_project)
    write_files(root, files)
    await initialize(lsp_client, root)
    toml_path = root / "config/spoc.toml"
    uri = open_text(lsp_client, toml_path, TOML)
    await converge(lsp_client, Oracle(root), {toml_path: TOML})
    protocol = lsp_client.protocol
    line = TOML.splitlines().index('hooks = ["shopapp.hooks.startup", "shopapp.db.Backend"]')
    started = time.monotonic()
    outcomes: dict[str, int] = {}
    for round_number in range(20):
        params: list[tuple[str, Any]] = [
            (
                types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=line, character=10),
                ),
            ),
            (
                types.TEXT_DOCUMENT_REFERENCES,
                types.ReferenceParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=line, character=20),
                    context=types.ReferenceContext(include_declaration=True),
                ),
            ),
            (
                types.WORKSPACE_EXECUTE_COMMAND,
                types.ExecuteCommandParams(command="spoc.showEnvironment", arguments=[]),
            ),
        ]
        for index, (method, param) in enumerate(params):
            msg_id = f"cancel-{round_number}-{index}"
            future = protocol.send_request_async(method, param, msg_id=msg_id)
            protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
            outcome = await _answered(future)
            outcomes[outcome.split(" ")[0]] = outcomes.get(outcome.split(" ")[0], 0) + 1
        protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=f"never-sent-{round_number}"))
    record(
        "cancellation", requests=60, outcomes=outcomes, seconds=round(time.monotonic() - started, 1)
    )
    result = await hover_at(lsp_client, uri, 5, 10)
    assert result is not None
    assert server_pid(lsp_client) > 0
    assert not failures(lsp_client), failures(lsp_client)
