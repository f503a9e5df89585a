"""Features that reach from Python code to the config files: code lenses on plugin symbols and
interface classes, references, rename (of a symbol, from its file or from a URI) and URI
updates when modules move.

Like every handler they convert in, ask the analysis, convert out, and a failure answers
nothing. A refused rename is the one deliberate error: the client shows its message. Python
files of a project are not config files: their project is found from the file's location.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from spoc_lsp.analysis.analyze import ProjectAnalysis
from spoc_lsp.analysis.interface_report import InterfaceLens, interface_lenses
from spoc_lsp.analysis.model import TextEdit
from spoc_lsp.analysis.moves import move_edits
from spoc_lsp.analysis.project import read_text
from spoc_lsp.analysis.references import (
    Lens,
    config_declaration,
    config_references,
    plugin_lenses,
    references,
    symbol_declaration,
)
from spoc_lsp.analysis.rename import RenameError, prepare_rename, rename
from spoc_lsp.lsp import convert
from spoc_lsp.lsp.host import Project
from spoc_lsp.lsp.language_server import (
    COMMAND_SHOW_PLUGINS,
    Document,
    SpocLanguageServer,
    document_path,
    guarded,
)
from spoc_lsp.syntax.model import Position, Span

T = TypeVar("T")
P = TypeVar("P")
Found = TypeVar("Found")

MOVE_FILTERS = [
    types.FileOperationFilter(
        scheme="file",
        pattern=types.FileOperationPattern(
            glob="**/*.py", matches=types.FileOperationPatternKind.File
        ),
    ),
    types.FileOperationFilter(
        scheme="file",
        pattern=types.FileOperationPattern(
            glob="**/*", matches=types.FileOperationPatternKind.Folder
        ),
    ),
]


@dataclass(frozen=True)
class Refusal:
    """A request the server understood and declines, with the reason for the user."""

    message: str


def register(server: SpocLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))(
        guarded(on_code_lens)
    )
    server.feature(types.TEXT_DOCUMENT_REFERENCES)(guarded(on_references))
    server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(_refusable(on_prepare_rename))
    server.feature(types.TEXT_DOCUMENT_RENAME)(_refusable(on_rename))
    server.feature(
        types.WORKSPACE_WILL_RENAME_FILES,
        types.FileOperationRegistrationOptions(filters=MOVE_FILTERS),
    )(guarded(on_will_rename_files))


def _text_of(path: Path, overlays: Mapping[Path, str], analysis: ProjectAnalysis) -> str:
    if path in overlays:
        return overlays[path]
    document = analysis.snapshot.document(path)
    return document.text if document is not None else read_text(path)[0]


class _Converters:
    """One converter per file an answer mentions, built from the text the user sees."""

    def __init__(
        self, ls: SpocLanguageServer, overlays: Mapping[Path, str], analysis: ProjectAnalysis
    ) -> None:
        self._encoding = ls.encoding
        self._overlays = overlays
        self._analysis = analysis
        self._made: dict[Path, convert.TextConverter] = {}

    def __getitem__(self, path: Path) -> convert.TextConverter:
        made = self._made.get(path)
        if made is None:
            text = _text_of(path, self._overlays, self._analysis)
            made = self._made[path] = convert.TextConverter(text, self._encoding)
        return made

    def location(self, path: Path, span: Span) -> types.Location:
        return types.Location(uri=convert.path_to_uri(path), range=self[path].range(span))

    def workspace_edit(self, edits: Iterable[TextEdit]) -> types.WorkspaceEdit:
        changes: dict[str, list[types.TextEdit]] = {}
        for edit in edits:
            changes.setdefault(convert.path_to_uri(edit.file), []).append(
                types.TextEdit(range=self[edit.file].range(edit.span), new_text=edit.new_text)
            )
        return types.WorkspaceEdit(changes=changes)


def _refusable(
    handler: Callable[[SpocLanguageServer, P], Awaitable[T | Refusal | None]],
) -> Callable[[SpocLanguageServer, P], Awaitable[T | None]]:
    """``handler`` guarded (a failure answers nothing), with a ``Refusal`` it returns turned
    into the error response the client shows (nothing else is raised)."""
    safe = guarded(handler)

    @functools.wraps(handler)
    async def answer(ls: SpocLanguageServer, params: P) -> T | None:
        outcome = await safe(ls, params)
        if isinstance(outcome, Refusal):
            raise JsonRpcException(outcome.message, code=int(types.LSPErrorCodes.RequestFailed))
        return outcome

    return answer


# --- code lens ----------------------------------------------------------------------------------


async def on_code_lens(
    ls: SpocLanguageServer, params: types.CodeLensParams
) -> list[types.CodeLens] | None:
    document = await ls.document(params.text_document.uri, python_files=True)
    if document is None or document.is_config:
        return None
    project = document.project

    def compute(analysis: ProjectAnalysis) -> list[types.CodeLens]:
        with project.lock:
            lenses: list[Lens | InterfaceLens] = [
                *plugin_lenses(analysis, project.resolver, document.path, document.text),
                *interface_lenses(analysis, project.resolver, document.path, document.text),
            ]
        return [
            types.CodeLens(
                range=document.converter.range(lens.span),
                command=types.Command(
                    title=lens.title, command=COMMAND_SHOW_PLUGINS, arguments=[document.uri]
                ),
            )
            for lens in lenses
        ]

    return await ls.answer(document, compute)


# --- references ---------------------------------------------------------------------------------


async def on_references(
    ls: SpocLanguageServer, params: types.ReferenceParams
) -> list[types.Location] | None:
    document = await ls.document(params.text_document.uri, python_files=True)
    if document is None:
        return None
    position = document.converter.from_lsp(params.position)
    overlays, project, path = document.overlays, document.project, document.path
    with_declaration = params.context.include_declaration

    def compute(analysis: ProjectAnalysis) -> list[types.Location]:
        resolver = project.resolver
        with project.lock:
            if document.is_config:
                places = config_references(analysis, resolver, path, position)
                declaration = config_declaration(analysis, resolver, path, position, overlays)
            else:
                places = references(analysis, resolver, path, position, overlays)
                declaration = symbol_declaration(path, position, overlays)
        if with_declaration and places and declaration is not None:
            places = [declaration, *places]
        converters = _Converters(ls, overlays, analysis)
        return [converters.location(file, span) for file, span in places]

    return await ls.answer(document, compute)


# --- rename -------------------------------------------------------------------------------------


async def on_prepare_rename(
    ls: SpocLanguageServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder | Refusal | None:
    return await _rename_request(
        ls,
        params.text_document.uri,
        params.position,
        lambda analysis, document, position: prepare_rename(
            analysis, document.project.resolver, document.path, position, document.overlays
        ),
        lambda analysis, document, target: types.PrepareRenamePlaceholder(
            range=document.converter.range(target.span), placeholder=target.placeholder
        ),
    )


async def on_rename(
    ls: SpocLanguageServer, params: types.RenameParams
) -> types.WorkspaceEdit | Refusal | None:
    outcome = await _rename_request(
        ls,
        params.text_document.uri,
        params.position,
        lambda analysis, document, position: rename(
            analysis,
            document.project.resolver,
            document.path,
            position,
            params.new_name,
            document.overlays,
        ),
        lambda analysis, document, result: (
            _Converters(ls, document.overlays, analysis).workspace_edit(result.edits),
            list(result.notes),
        ),
    )
    if outcome is None or isinstance(outcome, Refusal):
        return outcome
    edit, notes = outcome
    for note in notes:
        ls.log(f"spoc-lsp: {note}", types.MessageType.Info)
    return edit


async def _rename_request(
    ls: SpocLanguageServer,
    uri: str,
    at: types.Position,
    ask: Callable[[ProjectAnalysis, Document, Position], Found | None],
    present: Callable[[ProjectAnalysis, Document, Found], T],
) -> T | Refusal | None:
    """``ask`` the rename analysis at ``at`` in ``uri`` (under the project's lock) and
    ``present`` what it found; a ``RenameError`` it raises becomes the ``Refusal``."""
    document = await ls.document(uri, python_files=True)
    if document is None:
        return None
    position = document.converter.from_lsp(at)

    def compute(analysis: ProjectAnalysis) -> T | Refusal | None:
        try:
            with document.project.lock:
                found = ask(analysis, document, position)
        except RenameError as refusal:
            return Refusal(str(refusal))
        return None if found is None else present(analysis, document, found)

    return await ls.answer(document, compute)


# --- moving modules -----------------------------------------------------------------------------


async def on_will_rename_files(
    ls: SpocLanguageServer, params: types.RenameFilesParams
) -> types.WorkspaceEdit | None:
    by_root: dict[Path, list[tuple[Path, Path]]] = {}
    for item in params.files:
        old, new = document_path(item.old_uri), document_path(item.new_uri)
        root = ls.host.root_of(old) if old is not None else None
        if old is not None and new is not None and root is not None:
            by_root.setdefault(root, []).append((old, new))
    changes: dict[str, list[types.TextEdit]] = {}
    overlays = ls.overlays()
    for root, moves in by_root.items():
        project = await ls.project(root)
        analysis = await ls.analysis(project, overlays)

        def compute(
            analysis: ProjectAnalysis, project: Project, moves: list[tuple[Path, Path]]
        ) -> tuple[types.WorkspaceEdit, list[str]]:
            with project.lock:
                result = move_edits(analysis, project.resolver, moves)
            edit = _Converters(ls, overlays, analysis).workspace_edit(result.edits)
            return edit, list(result.notes)

        edit, notes = await ls.analyses.compute(compute, analysis, project, moves)
        for note in notes:
            ls.log(f"spoc-lsp: {note}", types.MessageType.Info)
        for uri, edits in (edit.changes or {}).items():
            changes.setdefault(uri, []).extend(edits)
    return types.WorkspaceEdit(changes=changes) if changes else None
