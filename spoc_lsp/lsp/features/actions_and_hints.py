"""Quick fixes (carried by the published diagnostics) and inlay hints after URI strings."""

from __future__ import annotations

from lsprotocol import types

from spoc_lsp.analysis.analyze import ProjectAnalysis
from spoc_lsp.analysis.inlay import inlay_hints
from spoc_lsp.lsp import convert
from spoc_lsp.lsp.language_server import SpocLanguageServer, guarded

CODE_ACTION_OPTIONS = types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
INLAY_HINT_OPTIONS = types.InlayHintOptions(resolve_provider=False)


def register(server: SpocLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, CODE_ACTION_OPTIONS)(guarded(on_code_action))
    server.feature(types.TEXT_DOCUMENT_INLAY_HINT, INLAY_HINT_OPTIONS)(guarded(on_inlay_hint))


def on_code_action(
    ls: SpocLanguageServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    if ls.config_root(params.text_document.uri) is None:
        return None
    actions: list[types.CodeAction] = []
    for item in params.context.diagnostics:
        actions.extend(convert.code_actions(item))
    return actions


async def on_inlay_hint(
    ls: SpocLanguageServer, params: types.InlayHintParams
) -> list[types.InlayHint] | None:
    if not ls.host.settings.inlay_hints:
        return []
    document = await ls.document(params.text_document.uri)
    if document is None:
        return None
    first, last = params.range.start.line, params.range.end.line

    def compute(analysis: ProjectAnalysis) -> list[types.InlayHint]:
        hints = inlay_hints(analysis, document.path, first, last)
        return [convert.inlay_hint(hint, document.converter) for hint in hints]

    return await ls.answer(document, compute)
