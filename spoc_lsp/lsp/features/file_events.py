"""Files changing on disk: the watchers the server asks the client for, and what a reported
change re-checks (only projects whose answers read a changed file, and new projects)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from spoc_lsp.lsp.features.diagnostics import schedule
from spoc_lsp.lsp.language_server import (
    SpocLanguageServer,
    ask_client,
    document_path,
    guarded,
)

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
        await ask_client(
            ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
        )
    except Exception as error:
        ls.log(
            f"spoc-lsp: the client did not accept file watchers ({error}); "
            "changes on disk are seen when a config file is edited or saved"
        )


async def on_watched_files(
    ls: SpocLanguageServer, params: types.DidChangeWatchedFilesParams
) -> None:
    paths = [path for path in (document_path(change.uri) for change in params.changes) if path]
    await files_changed(ls, paths)


async def files_changed(ls: SpocLanguageServer, paths: list[Path]) -> None:
    """Re-check the projects whose answers read one of ``paths``, and new projects. The
    resolvers forget what they read in the worker (that takes the projects' locks)."""
    for project in await ls.analyses.in_worker(ls.host.files_changed, paths):
        ls.analyses.stale(project.root)
        schedule(ls, project.root)
    folders = [path.parent for path in paths if path.name == "spoc.toml"]
    for root in await ls.analyses.in_worker(ls.host.discover, folders, 20):
        if root not in ls.host.projects:
            schedule(ls, root)  # the analysis creates the project
