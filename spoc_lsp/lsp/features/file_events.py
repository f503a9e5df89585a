"""Files changing on disk: the watchers the server asks the client for, and what a reported
change re-checks (only projects whose answers read a changed file, and new projects)."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from spoc_lsp.lsp.features.diagnostics import schedule
from spoc_lsp.lsp.language_server import SpocLanguageServer, document_path, guarded

WATCHED_GLOBS = ("**/*.py", "**/*.pyi", "**/spoc.toml", "**/*.pth", "**/pyproject.toml")


def register(server: SpocLanguageServer) -> None:
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(guarded(on_watched_files))


async def register_watchers(ls: SpocLanguageServer) -> None:
    """Ask the client to tell us about module, stub, .pth and config files changing on disk."""
    registration = types.Registration(
        id="spoc-lsp-watchers",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
        ),
    )
    try:
        await asyncio.wait_for(
            ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            ),
            timeout=5,
        )
    except Exception as error:
        ls.log(
            f"spoc-lsp: the client did not accept file watchers ({error}); "
            "changes on disk are seen when a config file is edited or saved"
        )


def on_watched_files(ls: SpocLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    paths = [path for path in (document_path(change.uri) for change in params.changes) if path]
    for project in ls.host.files_changed(paths):
        schedule(ls, project.root)
    roots = ls.host.discover([path.parent for path in paths if path.name == "spoc.toml"], limit=20)
    for root in roots:
        if root not in ls.host.projects:
            ls.host.project(root)
            schedule(ls, root)
