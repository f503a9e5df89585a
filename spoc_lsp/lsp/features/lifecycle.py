"""Start-up and workspace changes: settings (initialization options, pulled configuration,
pushed changes), workspace folders, and the first check of every project found in them."""

from __future__ import annotations

import asyncio
import contextlib
import traceback

from lsprotocol import types

from spoc_lsp.lsp.features import diagnostics, file_events
from spoc_lsp.lsp.language_server import (
    SpocLanguageServer,
    ask_client,
    document_path,
    guarded,
)
from spoc_lsp.lsp.settings import read_settings


def register(server: SpocLanguageServer) -> None:
    server.feature(types.INITIALIZE)(guarded(on_initialize))
    server.feature(types.INITIALIZED)(guarded(on_initialized))
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(guarded(on_configuration))
    server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(guarded(on_folders))


def apply_settings(ls: SpocLanguageServer, raw: object) -> None:
    settings, problems = read_settings(raw)
    for problem in problems:
        ls.log(f"spoc-lsp: {problem}", types.MessageType.Warning)
    if not settings.trusted and settings.runtime_check != "off":
        ls.log("spoc-lsp: runtime checks are off in an untrusted workspace", types.MessageType.Info)
    rebuilt = ls.host.update_settings(settings)
    if rebuilt or settings.runtime_check == "off" or not settings.trusted:
        ls.probe_results.clear()  # results of another interpreter, or of a check now off
    if rebuilt:
        ls.log("spoc-lsp: interpreter or paths changed; rebuilding the search path")


def on_initialize(ls: SpocLanguageServer, params: types.InitializeParams) -> None:
    apply_settings(ls, params.initialization_options)
    folders = [folder.uri for folder in params.workspace_folders or []]
    if not folders and params.root_uri:
        folders = [params.root_uri]
    ls.folders = [path for path in (document_path(uri) for uri in folders) if path is not None]
    ls.host.folders = ls.folders  # the same list: folder events update both


async def on_initialized(ls: SpocLanguageServer, params: types.InitializedParams) -> None:
    workspace = ls.client_capabilities.workspace
    if workspace is not None and workspace.configuration:
        await _pull_configuration(ls)
    await file_events.watch(ls)
    await check_workspace(ls)


async def _pull_configuration(ls: SpocLanguageServer) -> None:
    try:
        values = await ask_client(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="spoc")])
            )
        )
    except Exception as error:
        ls.log(f"spoc-lsp: could not read the client's configuration: {error}")
        return
    if values and values[0] is not None:
        apply_settings(ls, values[0])


async def check_workspace(ls: SpocLanguageServer) -> None:
    """Analyse every project found in the workspace folders, with progress for the user."""
    roots = await ls.analyses.in_worker(ls.host.discover, ls.folders)
    if not roots:
        return
    token = "spoc-lsp-indexing"
    progress = False
    window = ls.client_capabilities.window
    if window is not None and window.work_done_progress:
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(
                token, types.WorkDoneProgressBegin(title="SPOC: checking plugins", percentage=0)
            )
            progress = True
        except Exception:
            progress = False
    for index, root in enumerate(roots, start=1):
        try:
            project = await ls.project(root)
            await asyncio.shield(ls.analyses.ensure(project, ls.overlays()).result)
            diagnostics.publish(ls, project)
        except Exception:
            ls.log(
                f"spoc-lsp: checking {root} failed:\n{traceback.format_exc()}",
                types.MessageType.Error,
            )
        if progress:
            ls.work_done_progress.report(
                token,
                types.WorkDoneProgressReport(
                    message=f"{index}/{len(roots)} projects", percentage=index * 100 // len(roots)
                ),
            )
    if progress:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="done"))


async def on_configuration(
    ls: SpocLanguageServer, params: types.DidChangeConfigurationParams
) -> None:
    roots = list(ls.host.projects)  # a new interpreter drops the projects; check them again
    workspace = ls.client_capabilities.workspace
    if workspace is not None and workspace.configuration:
        await _pull_configuration(ls)
    elif params.settings is not None:
        apply_settings(ls, params.settings)
    diagnostics.recheck(ls, roots)
    await _refresh_inlay_hints(ls)


async def _refresh_inlay_hints(ls: SpocLanguageServer) -> None:
    workspace = ls.client_capabilities.workspace
    inlay = workspace.inlay_hint if workspace is not None else None
    if inlay is not None and inlay.refresh_support:
        with contextlib.suppress(Exception):
            await ask_client(ls.workspace_inlay_hint_refresh_async(None), timeout=None)


async def on_folders(ls: SpocLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    for folder in params.event.added:
        path = document_path(folder.uri)
        if path is not None and path not in ls.folders:
            ls.folders.append(path)
    for folder in params.event.removed:
        path = document_path(folder.uri)
        if path in ls.folders:
            ls.folders.remove(path)
    await check_workspace(ls)
