"""The language server, assembled: one :class:`SpocLanguageServer` with every feature module's
handlers registered on it.

Each handler converts the request from protocol types, asks the analysis, and converts the
answer back; the feature modules in :mod:`spoc_lsp.lsp.features` hold them, one job each.
"""

from __future__ import annotations

from spoc_lsp.lsp.features import (
    actions_and_hints,
    code_to_config,
    commands,
    diagnostics,
    file_events,
    lifecycle,
    lookups,
)
from spoc_lsp.lsp.language_server import SpocLanguageServer
from spoc_lsp.lsp.pygls_fixes import use_lsp_line_breaks

FEATURES = (
    lifecycle,
    diagnostics,
    file_events,
    lookups,
    actions_and_hints,
    code_to_config,
    commands,
)


def build_server() -> SpocLanguageServer:
    """A new server with every feature registered."""
    use_lsp_line_breaks()  # pygls splits lines at \f, U+2028...; the LSP does not
    server = SpocLanguageServer()
    for feature in FEATURES:
        feature.register(server)
    return server


def serve_stdio() -> None:
    build_server().start_io()


def serve_tcp(host: str, port: int) -> None:
    build_server().start_tcp(host, port)
