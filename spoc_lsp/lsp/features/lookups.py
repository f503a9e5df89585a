"""Answers about the URI under the cursor in a config file: completion (and its lazily
resolved documentation), hover, and go to definition."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from spoc_lsp.analysis.completion import complete
from spoc_lsp.analysis.hover import describe_resolution, hover
from spoc_lsp.analysis.navigation import definition
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


def on_completion(
    ls: SpocLanguageServer, params: types.CompletionParams
) -> types.CompletionList | None:
    document = ls.document(params.text_document.uri)
    if document is None or document.kind is None:
        return None
    project, converter = document.project, document.converter
    position = converter.from_lsp(params.position)
    with project.lock:
        items = complete(
            document.kind, document.text, document.path, position, project.resolver, project.root
        )
    return types.CompletionList(
        is_incomplete=False,
        items=[convert.completion_item(item, converter, project.root) for item in items],
    )


def on_completion_resolve(
    ls: SpocLanguageServer, item: types.CompletionItem
) -> types.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    root, name = data.get("root"), data.get("name")
    project = ls.host.projects.get(Path(root)) if isinstance(root, str) else None
    if project is None or not isinstance(name, str):
        return item
    analysis = ls.fresh_analysis(project)
    with project.lock:
        resolution = project.resolver.resolve(name)
    item.documentation = types.MarkupContent(
        kind=types.MarkupKind.Markdown, value=describe_resolution(analysis, resolution)
    )
    return item


def on_hover(ls: SpocLanguageServer, params: types.HoverParams) -> types.Hover | None:
    document = ls.document(params.text_document.uri)
    if document is None:
        return None
    project, converter = document.project, document.converter
    analysis = ls.fresh_analysis(project)
    with project.lock:
        result = hover(
            analysis, document.path, converter.from_lsp(params.position), project.resolver
        )
    return convert.hover(result, converter) if result is not None else None


def on_definition(ls: SpocLanguageServer, params: types.DefinitionParams) -> types.Location | None:
    document = ls.document(params.text_document.uri)
    if document is None:
        return None
    project, converter = document.project, document.converter
    analysis = ls.fresh_analysis(project)
    with project.lock:
        target = definition(
            analysis, document.path, converter.from_lsp(params.position), project.resolver
        )
    return convert.location(target, None) if target is not None else None
