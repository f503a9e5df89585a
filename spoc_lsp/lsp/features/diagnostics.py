"""Diagnostics: documents opened, edited, saved and closed; files changed on disk; debounced
analysis in the worker; publication of what changed; the opt-in runtime check on save.

Other features call :func:`schedule` (a buffer changed), :func:`disk_changed` (files changed
on disk) and :func:`recheck` (settings changed).
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from spoc_lsp.analysis.analyze import ProjectAnalysis, present
from spoc_lsp.lsp import convert
from spoc_lsp.lsp.analyses import project_texts
from spoc_lsp.lsp.host import Project, interface_files
from spoc_lsp.lsp.language_server import (
    SpocLanguageServer,
    ask_client,
    document_path,
    guarded,
)

if TYPE_CHECKING:
    from spoc_lsp.analysis.model import Diagnostic

DEBOUNCE_SECONDS = 0.02


def register(server: SpocLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(guarded(on_open))
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(guarded(on_change))
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(guarded(on_save))
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(guarded(on_close))


# --- scheduling and publication ---------------------------------------------------------------


def schedule(ls: SpocLanguageServer, root: Path, delay: float = DEBOUNCE_SECONDS) -> None:
    """(Re)start the analysis of a project; one still waiting out its delay is dropped.

    Debounced on the trailing edge only while the project is busy (an analysis waiting or in
    flight): the first change after a quiet spell is analysed at once, so a lone keystroke
    costs the analysis, not the analysis plus the delay; changes arriving during a run are
    coalesced into one run after it. Past the delay a run is never cancelled: requests may be
    waiting for its analysis, and it may be asking the client to refresh (a cancelled request
    to the client would leave its answer nowhere to go); if it is no longer the newest it
    publishes nothing."""
    previous = ls.pending.pop(root, None)
    if previous is not None:
        previous.cancel()
    elif not ls.analyses.in_flight(root):
        delay = 0
    ls.pending[root] = asyncio.ensure_future(_run_analysis(ls, root, delay))


async def _run_analysis(ls: SpocLanguageServer, root: Path, delay: float) -> None:
    try:
        await asyncio.sleep(delay)
        if ls.pending.get(root) is asyncio.current_task():
            ls.pending.pop(root)  # past the debounce: no longer cancellable
        project = await ls.project(root)
        run = ls.analyses.ensure(project, ls.overlays())  # a request may have started it
        await asyncio.shield(run.result)
        if not ls.analyses.is_newest(project, run):
            return  # a newer edit arrived meanwhile; its analysis publishes
        if project_texts(project, ls.overlays()) != run.texts:
            # The analysis found files to read that are open (interface and plugin classes
            # read for the first time): read their buffers, not the disk.
            schedule(ls, root, 0)
        if publish(ls, project):
            await refresh_code_lenses(ls)
    except asyncio.CancelledError:
        raise
    except Exception:
        ls.log(
            f"spoc-lsp: analysis of {root} failed:\n{traceback.format_exc()}",
            types.MessageType.Error,
        )
    finally:
        if ls.pending.get(root) is asyncio.current_task():
            ls.pending.pop(root, None)


async def refresh_code_lenses(ls: SpocLanguageServer) -> None:
    """Lenses in Python files show plugin positions: ask the client to re-read them."""
    workspace = ls.client_capabilities.workspace
    lens = workspace.code_lens if workspace is not None else None
    if lens is not None and lens.refresh_support:
        with contextlib.suppress(Exception):
            await ask_client(ls.workspace_code_lens_refresh_async(None))


def publish(ls: SpocLanguageServer, project: Project) -> bool:
    """Publish diagnostics for each config file whose diagnostics changed (True if any)."""
    analysis = project.analysis
    if analysis is None:
        return False
    changed = False
    analysis, runtime = runtime_verdict(ls, project, analysis)
    # The config files, and the modules of split settings that contribute (base.py).
    documents = (*analysis.snapshot.documents(), *analysis.modules.values())
    converters = {doc.path: convert.TextConverter(doc.text, ls.encoding) for doc in documents}
    shown = present(analysis, runtime, ls.host.settings.severity)
    _add_fix_files(converters, shown, analysis.snapshot.overlays, ls.encoding)
    served = ls.modules_served.get(project.root, set())
    for gone in served - set(analysis.modules):  # no longer imported: nothing to show there
        if ls.published.pop(gone, None):
            changed = True
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=gone.as_uri(), diagnostics=[])
            )
    ls.modules_served[project.root] = set(analysis.modules)
    for document in documents:
        items = shown.get(document.path, [])
        converter = converters[document.path]
        lsp_items = ls.converted.convert(document.path, items, converter, converters)
        if ls.published.get(document.path) == lsp_items:
            continue
        ls.published[document.path] = lsp_items
        changed = True
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.path.as_uri(),
                diagnostics=lsp_items,
                version=ls.version_of(document.path),
            )
        )
    return changed


def runtime_verdict(
    ls: SpocLanguageServer, project: Project, analysis: ProjectAnalysis
) -> tuple[ProjectAnalysis, dict[Path, list[Diagnostic]]]:
    """The analysis with the last runtime check's verdict made final: the static verdicts it
    overruled removed, and SPOC008 placed on the entries (by URI, so they follow the edits
    made since the save, and go with their entry). A URI that imported although the static
    check called it an error is logged once, so it can be reported."""
    from spoc_lsp.runtime.diagnostics import runtime_verdict as final

    results = ls.probe_results.get(project.root)
    if not results:
        return analysis, {}
    verdict = final(analysis, results)
    for disagreement in verdict.disagreements:
        if disagreement.uri not in project.disagreements:
            project.disagreements.add(disagreement.uri)
            ls.log(f"spoc-lsp: {disagreement.describe()}", types.MessageType.Warning)
    return verdict.analysis, verdict.diagnostics


async def disk_changed(ls: SpocLanguageServer, paths: list[Path]) -> None:
    """Re-check the projects whose answers read one of ``paths``, and new projects. The
    resolvers forget what they read in the worker (that takes the projects' locks)."""
    if ls.disk_poller is not None:
        ls.disk_poller.forget()
    for project in await ls.analyses.in_worker(ls.host.files_changed, paths):
        ls.analyses.stale(project.root)
        schedule(ls, project.root)
    folders = [path.parent for path in paths if path.name == "spoc.toml"]
    for root in await ls.analyses.in_worker(ls.host.discover, folders, 20):
        if root not in ls.host.projects:
            schedule(ls, root)  # the analysis creates the project


def recheck(ls: SpocLanguageServer, roots: Iterable[Path]) -> None:
    """Analyse these projects again and publish everything (settings changed)."""
    ls.published.clear()
    for root in roots:
        ls.analyses.stale(root)
        schedule(ls, root, 0)


async def run_runtime_check(ls: SpocLanguageServer, project: Project) -> None:
    """Import every plugin in a subprocess of the project's interpreter (opt-in)."""
    from spoc_lsp.runtime.diagnostics import probe_targets
    from spoc_lsp.runtime.runner import probe_uris_async

    analysis = project.analysis
    if analysis is None:
        return
    results = await probe_uris_async(
        project.python,
        project.root,
        probe_targets(analysis),
        extra_paths=ls.host.settings.extra_paths,
    )
    ls.probe_results[project.root] = results
    publish(ls, project)


# --- document events --------------------------------------------------------------------------


def _document_event(ls: SpocLanguageServer, uri: str) -> Path | None:
    root = ls.config_root(uri)
    if root is not None:
        schedule(ls, root)
    else:
        _recheck_interfaces(ls, uri)
    return root


def _recheck_interfaces(ls: SpocLanguageServer, uri: str) -> None:
    """A Python buffer that an interface verdict read (an interface or a plugin class) was
    opened, edited or closed: its projects are analysed again with it."""
    path = document_path(uri)
    if path is None or path.suffix not in (".py", ".pyi"):
        return
    for project in list(ls.host.projects.values()):
        if path in interface_files(project.analysis):
            schedule(ls, project.root)


def on_open(ls: SpocLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    _document_event(ls, params.text_document.uri)


def on_change(ls: SpocLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    _document_event(ls, params.text_document.uri)


def on_close(ls: SpocLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    # The file's text on disk is the truth again.
    _document_event(ls, params.text_document.uri)


async def on_save(ls: SpocLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    path = document_path(params.text_document.uri)
    if (
        path is not None
        and path.suffix in (".py", ".pyi")
        and ls.config_root(path.as_uri()) is None
    ):
        # A saved module may be what an answer read: revalidate as a file event would.
        await disk_changed(ls, [path])
        return
    root = _document_event(ls, params.text_document.uri)
    settings = ls.host.settings
    if root is None or settings.runtime_check != "onSave":
        return
    if not settings.trusted:
        ls.log(
            "spoc-lsp: runtime check refused: the workspace is not trusted",
            types.MessageType.Warning,
        )
        return
    # The latest save wins: a probe still in flight is cancelled (its agent is killed), so
    # saving in a loop never piles up processes nor lets older results land last.
    previous = ls.probing.pop(root, None)
    if previous is not None:
        previous.cancel()
    task = asyncio.current_task()
    if task is not None:
        ls.probing[root] = task
    try:
        project = await ls.project(root)
        await ls.analysis(project)  # of the saved texts: the probe imports what they list
        await run_runtime_check(ls, project)
    finally:
        if ls.probing.get(root) is task:
            ls.probing.pop(root, None)


def _add_fix_files(
    converters: dict[Path, convert.TextConverter],
    shown: Mapping[Path, list[Diagnostic]],
    overlays: Mapping[Path, str],
    encoding: str,
) -> None:
    """Converters for the other files quick fixes edit (SPOC011's stubs go into a plugin's
    module): open buffers first, else the file on disk."""
    for items in shown.values():
        for item in items:
            for fix in item.fixes:
                for edit in fix.edits:
                    if edit.file in converters:
                        continue
                    text = overlays.get(edit.file)
                    if text is None:
                        try:
                            text = edit.file.read_text(encoding="utf-8")
                        except (OSError, UnicodeDecodeError):
                            continue
                    converters[edit.file] = convert.TextConverter(text, encoding)
