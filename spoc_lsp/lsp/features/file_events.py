"""Files changing on disk: the watchers the server asks the client for, or, when it cannot
have them, the server's own polling of the files its answers read (``disk_watch``)."""

from __future__ import annotations

import asyncio
import contextlib

from lsprotocol import types

from spoc_lsp.lsp.disk_watch import POLL_SECONDS, DiskPoller
from spoc_lsp.lsp.features.diagnostics import disk_changed
from spoc_lsp.lsp.language_server import (
    SpocLanguageServer,
    ask_client,
    document_path,
    guarded,
)

WATCHED_GLOBS = (
    "**/*.py",
    "**/*.pyi",
    "**/spoc.toml",
    "**/*.pth",
    "**/pyproject.toml",
    "**/pyvenv.cfg",  # a venv rebuilt in place, perhaps with another Python
)


def register(server: SpocLanguageServer) -> None:
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(guarded(on_watched_files))


async def watch(ls: SpocLanguageServer) -> None:
    """Have the client watch the files (when it can register watchers), else poll them."""
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is not None and watched.dynamic_registration and await register_watchers(ls):
        return
    ls.log("spoc-lsp: the client does not watch files; checking the files answers read instead")
    ls.disk_polling = asyncio.ensure_future(poll_disk(ls))


async def poll_disk(ls: SpocLanguageServer, seconds: float = POLL_SECONDS) -> None:
    """Every ``seconds``, a stat of each file the answers read; changes re-check like events."""
    poller = ls.disk_poller = DiskPoller()
    while True:
        await asyncio.sleep(seconds)
        with contextlib.suppress(Exception):  # a poll that fails is retried at the next one
            changed = await ls.analyses.in_worker(poller.poll, ls.host)
            if changed:
                await disk_changed(ls, changed)


async def register_watchers(ls: SpocLanguageServer) -> bool:
    """Ask the client to tell us about module, stub, .pth and config files changing on disk
    (True when it accepted)."""
    registration = types.Registration(
        id="spoc-lsp-watchers",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
        ),
    )
    try:
        await ask_client(
            ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
        )
    except Exception as error:
        ls.log(f"spoc-lsp: the client did not accept file watchers ({error})")
        return False
    return True


async def on_watched_files(
    ls: SpocLanguageServer, params: types.DidChangeWatchedFilesParams
) -> None:
    paths = [path for path in (document_path(change.uri) for change in params.changes) if path]
    await disk_changed(ls, paths)
