"""The server object every feature module registers on, and what all of them share.

:class:`SpocLanguageServer` holds the state (the :class:`~spoc_lsp.lsp.host.Host`, the analysis
worker, what was published); :func:`guarded` turns a handler's failure into a logged "nothing";
:meth:`SpocLanguageServer.document` is the one way a request finds its document, project and
converter. Feature modules in :mod:`spoc_lsp.lsp.features` import this module; it imports none
of them, so there is no import circle. Handlers never block the event loop: analyses and the
computations that take a project's lock run in threads (:mod:`spoc_lsp.lsp.analyses`).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

import spoc
from spoc.plugins import SourceKind
from spoc_lsp.analysis.project import read_text
from spoc_lsp.lsp import convert
from spoc_lsp.lsp.analyses import Analyses
from spoc_lsp.lsp.disk_watch import DiskPoller
from spoc_lsp.lsp.host import Host, Project
from spoc_lsp.lsp.pygls_fixes import Protocol

if TYPE_CHECKING:
    from spoc_lsp.analysis.analyze import ProjectAnalysis
    from spoc_lsp.runtime.results import ProbeResult

log = logging.getLogger(__name__)

COMMAND_SHOW_PLUGINS = "spoc.showPlugins"
COMMAND_SHOW_ENVIRONMENT = "spoc.showEnvironment"

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@dataclass(frozen=True)
class Document:
    """A request's document: a config file, or (when asked for) a Python file of a project."""

    uri: str
    project: Project
    path: Path
    text: str  # as the user sees it: the open buffer, else the file on disk
    converter: convert.TextConverter
    kind: SourceKind | None  # None for a Python file that is not a config file
    overlays: Mapping[Path, str]  # every open buffer when the request came in

    @property
    def is_config(self) -> bool:
        return self.kind is not None


class SpocLanguageServer(LanguageServer):
    """pygls server plus the host state; the features add the handlers."""

    def __init__(self) -> None:
        super().__init__("spoc-lsp", spoc.__version__, protocol_cls=Protocol)
        self.host = Host()
        self.analyses = Analyses(self.host)
        self.pending: dict[Path, asyncio.Task[None]] = {}
        self.published: dict[Path, list[types.Diagnostic]] = {}
        self.converted = convert.ConvertedDiagnostics()
        self.modules_served: dict[Path, set[Path]] = {}  # split settings modules, per root
        # The runtime check: the one in flight per project, and the last results per project.
        self.probing: dict[Path, asyncio.Task[Any]] = {}
        self.probe_results: dict[Path, Mapping[str, ProbeResult]] = {}
        self.folders: list[Path] = []
        # When the client watches no files: the server's own polling, and what it knows.
        self.disk_polling: asyncio.Task[None] | None = None
        self.disk_poller: DiskPoller | None = None

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

    async def project(self, root: Path) -> Project:
        """The project at ``root`` (created in the worker); problems met while creating it
        are logged once."""
        project = await self.analyses.project(root)
        while project.notes:
            self.log(f"spoc-lsp: {project.notes.pop(0)}", types.MessageType.Warning)
        return project

    def config_root(self, uri: str) -> Path | None:
        """The project root of a config document (``spoc.toml`` or settings module)."""
        path = document_path(uri)
        found = self.host.config_document(path) if path is not None else None
        return found[0] if found is not None else None

    async def document(self, uri: str, *, python_files: bool = False) -> Document | None:
        """The document a request is about, or ``None`` when it belongs to no project.

        Config files always qualify; with ``python_files`` so do the project's own Python
        files (not those of the environment), whose project is found from their location.
        """
        path = document_path(uri)
        if path is None:
            return None
        config = self.host.config_document(path)
        if config is not None:
            root: Path | None = config[0]
        elif python_files and path.suffix == ".py":
            root = self.host.root_of(path)
        else:
            return None
        if root is None:
            return None
        project = await self.project(root)
        if config is None and not project.resolver.search_path.is_project_file(path):
            return None
        buffer = self.workspace.text_documents.get(uri)
        if buffer is not None:
            text = buffer.source
        else:
            known = project.analysis.snapshot.document(path) if project.analysis else None
            text = known.text if known is not None else read_text(path)[0]
        kind = config[1] if config is not None else None
        converter = convert.TextConverter(text, self.encoding)
        return Document(uri, project, path, text, converter, kind, self.overlays())

    async def analysis(
        self, project: Project, overlays: Mapping[Path, str] | None = None
    ) -> ProjectAnalysis:
        """An analysis that read ``overlays`` (default: the buffers as they are now), so its
        positions match the texts a request was made on; awaited, never run on the loop."""
        return await self.analyses.latest(
            project, self.overlays() if overlays is None else overlays
        )

    async def answer(self, document: Document, compute: Callable[[ProjectAnalysis], T]) -> T:
        """``compute(analysis)`` in a request thread, with the analysis of the texts the request
        was made on (see :meth:`compute`)."""
        analysis = await self.analysis(document.project, document.overlays)
        return await self.compute(document, compute, analysis)

    async def compute(self, document: Document, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a request thread (it may wait for a project's lock). When the
        document changed meanwhile the answer would point at text that is gone: the request
        fails with ``ContentModified``, and the client asks again."""
        result = await self.analyses.compute(function, *args)
        buffer = self.workspace.text_documents.get(document.uri)
        if buffer is not None and buffer.source != document.text:
            raise JsonRpcContentModified(f"{document.path.name} changed while answering")
        return result


async def ask_client(request: Awaitable[T], timeout: float | None = 5) -> T:
    """Await the client's answer to a server-to-client request, giving up after ``timeout``.

    Shielded: giving up (or the awaiting task being cancelled by a newer edit) must not cancel
    pygls's own future for the request, or the client's answer arriving later makes pygls
    report "Error in server: CANCELLED" to the user (seen in a real VS Code)."""
    return await asyncio.wait_for(asyncio.shield(request), timeout)


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


def guarded(function: F) -> F:
    """Log any exception a handler raises and answer ``None`` instead of failing."""
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def async_wrapper(ls: SpocLanguageServer, *args: Any) -> Any:
            try:
                return await function(ls, *args)
            except JsonRpcContentModified:
                raise  # the one deliberate error: the client drops the answer and asks again
            except Exception:
                _report(ls, function)
                return None

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(function)
    def wrapper(ls: SpocLanguageServer, *args: Any) -> Any:
        try:
            return function(ls, *args)
        except Exception:
            _report(ls, function)
            return None

    return wrapper  # type: ignore[return-value]


def _report(ls: SpocLanguageServer, function: Callable[..., Any]) -> None:
    ls.log(
        f"spoc-lsp: {function.__name__} failed:\n{traceback.format_exc()}",
        types.MessageType.Error,
    )
