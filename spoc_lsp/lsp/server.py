"""The language server: the only module that speaks LSP.

Each handler does three things: convert the request from protocol types, ask the analysis,
convert the answer back. State lives in :class:`~spoc_lsp.lsp.host.Host`; conversions live in
:mod:`spoc_lsp.lsp.convert`. A handler that fails logs the failure and answers "nothing":
the server never dies of an internal error.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

import spoc
from spoc_lsp.analysis.check import present
from spoc_lsp.analysis.completion import complete
from spoc_lsp.analysis.hover import describe_resolution, hover
from spoc_lsp.analysis.inlay import inlay_hints
from spoc_lsp.analysis.navigation import definition
from spoc_lsp.lsp import convert
from spoc_lsp.lsp.host import Host, Project
from spoc_lsp.lsp.pygls_fixes import Protocol, use_lsp_line_breaks
from spoc_lsp.lsp.settings import read_settings
from spoc_lsp.report import plan_json, plan_text

if TYPE_CHECKING:
    from spoc_lsp.analysis.model import Diagnostic
    from spoc_lsp.runtime.probe import ProbeResult

log = logging.getLogger(__name__)
use_lsp_line_breaks()  # pygls splits lines at \f, U+2028...; the LSP does not

DEBOUNCE_SECONDS = 0.02
WATCHED_GLOBS = ("**/*.py", "**/*.pyi", "**/spoc.toml", "**/*.pth", "**/pyproject.toml")
COMMAND_SHOW_PLUGINS = "spoc.showPlugins"
COMMAND_SHOW_ENVIRONMENT = "spoc.showEnvironment"

F = TypeVar("F", bound=Callable[..., Any])


class SpocLanguageServer(LanguageServer):
    """pygls server plus the host state and the scheduling of analyses."""

    def __init__(self) -> None:
        super().__init__("spoc-lsp", spoc.__version__, protocol_cls=Protocol)
        self.host = Host()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spoc-analysis")
        self.pending: dict[Path, asyncio.Task[None]] = {}
        self.published: dict[Path, list[types.Diagnostic]] = {}
        # The runtime check: the one in flight per project, and the last results per project.
        self.probing: dict[Path, asyncio.Task[Any]] = {}
        self.probe_results: dict[Path, Mapping[str, ProbeResult]] = {}
        self.folders: list[Path] = []

    # --- helpers ----------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        return convert.encoding_name(self.workspace.position_encoding)

    def log(self, message: str, level: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=level, message=message))
        except Exception:  # the transport may be gone while shutting down
            log.debug("could not send log message: %s", message)

    def overlays(self) -> dict[Path, str]:
        """Open buffers by file path: they win over the files on disk."""
        texts: dict[Path, str] = {}
        for uri, document in list(self.workspace.text_documents.items()):
            path = document_path(uri)
            if path is not None:
                texts[path] = document.source
        return texts

    def version_of(self, path: Path) -> int | None:
        document = self.workspace.text_documents.get(path.as_uri())
        return document.version if document is not None else None

    def project_for(self, uri: str) -> tuple[Project, Path] | None:
        path = document_path(uri)
        if path is None:
            return None
        found = self.host.config_document(path)
        if found is None:
            return None
        return self.project(found[0]), path

    def project(self, root: Path) -> Project:
        """The project at ``root``; problems met while creating it are logged once."""
        project = self.host.project(root)
        while project.notes:
            self.log(f"spoc-lsp: {project.notes.pop(0)}", types.MessageType.Warning)
        return project

    # --- diagnostics -------------------------------------------------------------------------

    def schedule(self, root: Path, delay: float = DEBOUNCE_SECONDS) -> None:
        """(Re)start the debounced analysis of a project; an older pending one is dropped."""
        previous = self.pending.pop(root, None)
        if previous is not None:
            previous.cancel()
        self.pending[root] = asyncio.ensure_future(self._run_analysis(root, delay))

    async def _run_analysis(self, root: Path, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            project = self.project(root)
            project.generation += 1
            generation = project.generation
            overlays = self.overlays()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self.executor, self.host.analyze, project, overlays)
            if generation != project.generation:
                return  # a newer edit arrived meanwhile; its analysis publishes
            if self.publish(project):
                await self.refresh_code_lenses()
        except asyncio.CancelledError:
            raise
        except Exception:
            self.log(
                f"spoc-lsp: analysis of {root} failed:\n{traceback.format_exc()}",
                types.MessageType.Error,
            )
        finally:
            if self.pending.get(root) is asyncio.current_task():
                self.pending.pop(root, None)

    async def refresh_code_lenses(self) -> None:
        """Lenses in Python files show plugin positions: ask the client to re-read them."""
        workspace = self.client_capabilities.workspace
        lens = workspace.code_lens if workspace is not None else None
        if lens is not None and lens.refresh_support:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.workspace_code_lens_refresh_async(None), timeout=5)

    def publish(self, project: Project) -> bool:
        """Publish diagnostics for each config file whose diagnostics changed (True if any)."""
        analysis = project.analysis
        if analysis is None:
            return False
        changed = False
        converters = {
            doc.path: convert.TextConverter(doc.text, self.encoding)
            for doc in analysis.snapshot.documents()
        }
        shown = present(analysis, self.runtime_diagnostics(project), self.host.settings.severity)
        for document in analysis.snapshot.documents():
            items = shown.get(document.path, [])
            converter = converters[document.path]
            lsp_items = [convert.diagnostic(item, converter, converters) for item in items]
            if self.published.get(document.path) == lsp_items:
                continue
            self.published[document.path] = lsp_items
            changed = True
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=document.path.as_uri(),
                    diagnostics=lsp_items,
                    version=self.version_of(document.path),
                )
            )
        return changed

    def runtime_diagnostics(self, project: Project) -> dict[Path, list[Diagnostic]]:
        """SPOC008 from the last runtime check, placed on the entries of the latest analysis
        (by URI), so they follow the edits made since the save, and go with their entry."""
        from spoc_lsp.runtime.diagnostics import runtime_diagnostics

        results = self.probe_results.get(project.root)
        if not results or project.analysis is None:
            return {}
        return runtime_diagnostics(project.analysis, results)

    def recheck(self, roots: Iterable[Path]) -> None:
        """Analyse these projects again and publish everything (settings changed)."""
        self.published.clear()
        for root in roots:
            self.schedule(root, 0)

    async def run_runtime_check(self, project: Project) -> None:
        """Import every plugin in a subprocess of the project's interpreter (opt-in)."""
        from spoc_lsp.runtime.diagnostics import probe_targets
        from spoc_lsp.runtime.probe import probe_uris_async

        analysis = project.analysis
        if analysis is None:
            return
        results = await probe_uris_async(
            project.python,
            project.root,
            probe_targets(analysis),
            extra_paths=self.host.settings.extra_paths,
        )
        self.probe_results[project.root] = results
        self.publish(project)


def document_path(uri: str) -> Path | None:
    """The file system path of a document URI (``None`` for non-file URIs)."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    if not path:
        return None
    try:
        return Path(path).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte (%00), a symlink loop: no file
        return None


server = SpocLanguageServer()


def guarded(function: F) -> F:
    """Log any exception a handler raises and answer ``None`` instead of failing."""
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def async_wrapper(ls: SpocLanguageServer, *args: Any) -> Any:
            try:
                return await function(ls, *args)
            except Exception:
                ls.log(
                    f"spoc-lsp: {function.__name__} failed:\n{traceback.format_exc()}",
                    types.MessageType.Error,
                )
                return None

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(function)
    def wrapper(ls: SpocLanguageServer, *args: Any) -> Any:
        try:
            return function(ls, *args)
        except Exception:
            ls.log(
                f"spoc-lsp: {function.__name__} failed:\n{traceback.format_exc()}",
                types.MessageType.Error,
            )
            return None

    return wrapper  # type: ignore[return-value]


def _apply_settings(ls: SpocLanguageServer, raw: object) -> None:
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


# --- lifecycle ------------------------------------------------------------------------------


@server.feature(types.INITIALIZE)
@guarded
def on_initialize(ls: SpocLanguageServer, params: types.InitializeParams) -> None:
    _apply_settings(ls, params.initialization_options)
    folders = [folder.uri for folder in params.workspace_folders or []]
    if not folders and params.root_uri:
        folders = [params.root_uri]
    ls.folders = [path for path in (document_path(uri) for uri in folders) if path is not None]


@server.feature(types.INITIALIZED)
@guarded
async def on_initialized(ls: SpocLanguageServer, params: types.InitializedParams) -> None:
    capabilities = ls.client_capabilities
    workspace = capabilities.workspace
    if workspace is not None and workspace.configuration:
        await _pull_configuration(ls)
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is not None and watched.dynamic_registration:
        await _register_watchers(ls)
    await _check_workspace(ls)


async def _register_watchers(ls: SpocLanguageServer) -> None:
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


async def _pull_configuration(ls: SpocLanguageServer) -> None:
    try:
        values = await asyncio.wait_for(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="spoc")])
            ),
            timeout=5,
        )
    except Exception as error:
        ls.log(f"spoc-lsp: could not read the client's configuration: {error}")
        return
    if values and values[0] is not None:
        _apply_settings(ls, values[0])


async def _check_workspace(ls: SpocLanguageServer) -> None:
    """Analyse every project found in the workspace folders, with progress for the user."""
    roots = ls.host.discover(ls.folders)
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
    loop = asyncio.get_running_loop()
    for index, root in enumerate(roots, start=1):
        try:
            project = await loop.run_in_executor(ls.executor, ls.project, root)
            await loop.run_in_executor(ls.executor, ls.host.analyze, project, ls.overlays())
            ls.publish(project)
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


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
@guarded
async def on_configuration(
    ls: SpocLanguageServer, params: types.DidChangeConfigurationParams
) -> None:
    roots = list(ls.host.projects)  # a new interpreter drops the projects; check them again
    workspace = ls.client_capabilities.workspace
    if workspace is not None and workspace.configuration:
        await _pull_configuration(ls)
    elif params.settings is not None:
        _apply_settings(ls, params.settings)
    ls.recheck(roots)
    await _refresh_inlay_hints(ls)


async def _refresh_inlay_hints(ls: SpocLanguageServer) -> None:
    workspace = ls.client_capabilities.workspace
    inlay = workspace.inlay_hint if workspace is not None else None
    if inlay is not None and inlay.refresh_support:
        with contextlib.suppress(Exception):
            await ls.workspace_inlay_hint_refresh_async(None)


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
@guarded
async def on_folders(ls: SpocLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    for folder in params.event.added:
        path = document_path(folder.uri)
        if path is not None and path not in ls.folders:
            ls.folders.append(path)
    for folder in params.event.removed:
        path = document_path(folder.uri)
        if path in ls.folders:
            ls.folders.remove(path)
    await _check_workspace(ls)


# --- documents ------------------------------------------------------------------------------


def _document_event(ls: SpocLanguageServer, uri: str) -> Project | None:
    found = ls.project_for(uri)
    if found is None:
        return None
    project, _ = found
    ls.schedule(project.root)
    return project


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@guarded
def on_open(ls: SpocLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    _document_event(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@guarded
def on_change(ls: SpocLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    _document_event(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
@guarded
async def on_save(ls: SpocLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    project = _document_event(ls, params.text_document.uri)
    settings = ls.host.settings
    if project is not None and settings.runtime_check == "onSave":
        if not settings.trusted:
            ls.log(
                "spoc-lsp: runtime check refused: the workspace is not trusted",
                types.MessageType.Warning,
            )
            return
        # The latest save wins: a probe still in flight is cancelled (its agent is killed), so
        # saving in a loop never piles up processes nor lets older results land last.
        previous = ls.probing.pop(project.root, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.current_task()
        if task is not None:
            ls.probing[project.root] = task
        try:
            pending = ls.pending.get(project.root)
            if pending is not None:
                await asyncio.gather(pending, return_exceptions=True)
            await ls.run_runtime_check(project)
        finally:
            if ls.probing.get(project.root) is task:
                ls.probing.pop(project.root, None)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@guarded
def on_close(ls: SpocLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    # The file's text on disk is the truth again.
    _document_event(ls, params.text_document.uri)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
@guarded
def on_watched_files(ls: SpocLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    paths = [path for path in (document_path(change.uri) for change in params.changes) if path]
    for project in ls.host.files_changed(paths):
        ls.schedule(project.root)
    roots = ls.host.discover([path.parent for path in paths if path.name == "spoc.toml"], limit=20)
    for root in roots:
        if root not in ls.host.projects:
            ls.host.project(root)
            ls.schedule(root)


# --- requests -------------------------------------------------------------------------------


def _request_context(
    ls: SpocLanguageServer, uri: str
) -> tuple[Project, Path, str, convert.TextConverter] | None:
    found = ls.project_for(uri)
    if found is None:
        return None
    project, path = found
    document = ls.workspace.text_documents.get(uri)
    if document is not None:
        text = document.source
    else:
        analysis = project.analysis
        doc = analysis.snapshot.document(path) if analysis is not None else None
        text = doc.text if doc is not None else path.read_text("utf-8", errors="replace")
    return project, path, text, convert.TextConverter(text, ls.encoding)


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[".", '"', "'"], resolve_provider=True),
)
@guarded
def on_completion(
    ls: SpocLanguageServer, params: types.CompletionParams
) -> types.CompletionList | None:
    context = _request_context(ls, params.text_document.uri)
    if context is None:
        return None
    project, path, text, converter = context
    kind = ls.host.config_document(path)
    if kind is None:
        return None
    position = converter.from_lsp(params.position)
    with project.lock:
        items = complete(kind[1], text, path, position, project.resolver, project.root)
    return types.CompletionList(
        is_incomplete=False,
        items=[convert.completion_item(item, converter, project.root) for item in items],
    )


@server.feature(types.COMPLETION_ITEM_RESOLVE)
@guarded
def on_completion_resolve(
    ls: SpocLanguageServer, item: types.CompletionItem
) -> types.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    root, name = data.get("root"), data.get("name")
    project = ls.host.projects.get(Path(root)) if isinstance(root, str) else None
    if project is None or not isinstance(name, str):
        return item
    analysis = ls.host.fresh_analysis(project, ls.overlays())
    with project.lock:
        resolution = project.resolver.resolve(name)
    item.documentation = types.MarkupContent(
        kind=types.MarkupKind.Markdown, value=describe_resolution(analysis, resolution)
    )
    return item


@server.feature(types.TEXT_DOCUMENT_HOVER)
@guarded
def on_hover(ls: SpocLanguageServer, params: types.HoverParams) -> types.Hover | None:
    context = _request_context(ls, params.text_document.uri)
    if context is None:
        return None
    project, path, _, converter = context
    analysis = ls.host.fresh_analysis(project, ls.overlays())
    with project.lock:
        result = hover(analysis, path, converter.from_lsp(params.position), project.resolver)
    return convert.hover(result, converter) if result is not None else None


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
@guarded
def on_definition(ls: SpocLanguageServer, params: types.DefinitionParams) -> types.Location | None:
    context = _request_context(ls, params.text_document.uri)
    if context is None:
        return None
    project, path, _, converter = context
    analysis = ls.host.fresh_analysis(project, ls.overlays())
    with project.lock:
        target = definition(analysis, path, converter.from_lsp(params.position), project.resolver)
    return convert.location(target, None) if target is not None else None


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
@guarded
def on_code_action(
    ls: SpocLanguageServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    if ls.project_for(params.text_document.uri) is None:
        return None
    actions: list[types.CodeAction] = []
    for item in params.context.diagnostics:
        actions.extend(convert.code_actions(item))
    return actions


@server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
@guarded
def on_inlay_hint(
    ls: SpocLanguageServer, params: types.InlayHintParams
) -> list[types.InlayHint] | None:
    if not ls.host.settings.inlay_hints:
        return []
    context = _request_context(ls, params.text_document.uri)
    if context is None:
        return None
    project, path, _, converter = context
    analysis = ls.host.fresh_analysis(project, ls.overlays())
    hints = inlay_hints(analysis, path, params.range.start.line, params.range.end.line)
    return [convert.inlay_hint(hint, converter) for hint in hints]


@server.command(COMMAND_SHOW_PLUGINS)
@guarded
def show_plugins(ls: SpocLanguageServer, *args: Any) -> dict[str, Any]:
    """The merged plan of each project (or of the project of the file URI passed)."""
    roots = _command_roots(ls, args)
    projects = []
    texts = []
    for root in roots:
        project = ls.host.project(root)
        analysis = ls.host.fresh_analysis(project, ls.overlays())
        projects.append({"root": str(root), "plugins": plan_json(analysis, root)})
        texts.append(f"# {root}\n\n{plan_text(analysis)}")
    return {"projects": projects, "text": "\n".join(texts) or "No SPOC project found.\n"}


@server.command(COMMAND_SHOW_ENVIRONMENT)
@guarded
def show_environment(ls: SpocLanguageServer, *args: Any) -> dict[str, Any]:
    """The environment report of each project (or of the project of the file URI passed)."""
    from spoc_lsp.environment import environment_report, render_report

    reports = []
    for root in _command_roots(ls, args):
        project = ls.host.project(root)
        search_path = getattr(project.resolver, "search_path", None)
        if search_path is None:
            continue
        settings = ls.host.settings
        effective = {
            "python": settings.python,
            "extraPaths": list(settings.extra_paths),
            "runtimeCheck": settings.runtime_check,
            "inlayHints": settings.inlay_hints,
            "severity": dict(settings.severity),
        }
        reports.append(environment_report(root, search_path, effective))
    text = "\n".join(render_report(report) for report in reports)
    return {"projects": reports, "text": text or "No SPOC project found.\n"}


def _command_roots(ls: SpocLanguageServer, args: Iterable[Any]) -> list[Path]:
    for argument in _flatten(args):
        if isinstance(argument, str):
            path = document_path(argument) if argument.startswith("file:") else Path(argument)
            if path is not None:
                try:
                    root = ls.host.root_of(path if path.suffix else path / "spoc.toml")
                except (OSError, ValueError):  # not a path this system can have (a NUL byte)
                    continue
                if root is not None:
                    return [root]
    roots = list(ls.host.projects) or ls.host.discover(ls.folders)
    return roots


def _flatten(args: Iterable[Any]) -> Iterable[Any]:
    for argument in args:
        if isinstance(argument, (list, tuple)):
            yield from _flatten(argument)
        else:
            yield argument


def serve_stdio() -> None:
    server.start_io()


def serve_tcp(host: str, port: int) -> None:
    server.start_tcp(host, port)


# Feature modules register their handlers on `server` when imported.
import spoc_lsp.lsp.code_features  # noqa: E402, F401
