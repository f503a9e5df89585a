"""Answers about the URI under the cursor in a config file: completion (and its lazily
resolved documentation), hover, and go to definition."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from spoc_lsp.analysis.analyze import ProjectAnalysis
from spoc_lsp.analysis.completion import complete
from spoc_lsp.analysis.hover import describe_resolution, hover
from spoc_lsp.analysis.navigation import definition
from spoc_lsp.analysis.project import read_text
from spoc_lsp.lsp import convert
from spoc_lsp.lsp.language_server import SpocLanguageServer, guarded

COMPLETION_OPTIONS = types.CompletionOptions(
    trigger_characters=[".", '"', "'"], resolve_provider=True
)


def register(server: SpocLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_COMPLETION, COMPLETION_OPTIONS)(guarded(on_completion))
    server.feature(types.COMPLETION_ITEM_RESOLVE)(guarded(on_completion_resolve))
    server.feature(types.TEXT_DOCUMENT_HOVER)(guarded(on_hover))
    server.feature(types.TEXT_DOCUMENT_DEFINITION)(guarded(on_definition))


async def on_completion(
    ls: SpocLanguageServer, params: types.CompletionParams
) -> types.CompletionList | None:
    document = await ls.document(params.text_document.uri)
    if document is None or document.kind is None:
        return None
    kind, project, converter = document.kind, document.project, document.converter
    position = converter.from_lsp(params.position)

    default_range = _takes_default_edit_range(ls.client_capabilities)

    def compute() -> types.CompletionList:
        with project.lock:
            items = complete(
                kind, document.text, document.path, position, project.resolver, project.root
            )
        return convert.completion_list(items, converter, project.root, default_range)

    # Completion reads the buffer itself, not the analysis: no waiting for one.
    return await ls.compute(document, compute)


def _takes_default_edit_range(capabilities: types.ClientCapabilities) -> bool:
    """The client applies ``CompletionList.itemDefaults.editRange`` (LSP 3.17)."""
    document = capabilities.text_document
    completion = document.completion if document is not None else None
    listed = completion.completion_list if completion is not None else None
    defaults = listed.item_defaults if listed is not None else None
    return defaults is not None and "editRange" in defaults


async def on_completion_resolve(
    ls: SpocLanguageServer, item: types.CompletionItem
) -> types.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    root, name = data.get("root"), data.get("name")
    project = ls.host.projects.get(Path(root)) if isinstance(root, str) else None
    if project is None or not isinstance(name, str):
        return item
    analysis = await ls.analysis(project)

    def compute() -> str:
        with project.lock:
            return describe_resolution(analysis, project.resolver.resolve(name))

    markdown = await ls.analyses.compute(compute)
    item.documentation = types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown)
    return item


async def on_hover(ls: SpocLanguageServer, params: types.HoverParams) -> types.Hover | None:
    document = await ls.document(params.text_document.uri)
    if document is None:
        return None
    project, converter = document.project, document.converter
    position = converter.from_lsp(params.position)

    def compute(analysis: ProjectAnalysis) -> types.Hover | None:
        with project.lock:
            result = hover(analysis, document.path, position, project.resolver)
        return convert.hover(result, converter) if result is not None else None

    return await ls.answer(document, compute)


async def on_definition(
    ls: SpocLanguageServer, params: types.DefinitionParams
) -> types.Location | None:
    document = await ls.document(params.text_document.uri)
    if document is None:
        return None
    project, converter = document.project, document.converter
    position = converter.from_lsp(params.position)

    def compute(analysis: ProjectAnalysis) -> types.Location | None:
        with project.lock:
            target = definition(analysis, document.path, position, project.resolver)
        if target is None:
            return None
        # The target's column counts code points of its own file: convert with that text.
        text = document.overlays.get(target.file)
        if text is None:
            text = read_text(target.file)[0]
        return convert.location(target, convert.TextConverter(text, ls.encoding))

    return await ls.answer(document, compute)
