"""Reading ``spoc.toml`` tolerantly: plugin entries with exact ranges, and problems.

The pipeline: the text becomes tokens (:mod:`toml_lexer`); a tolerant reader turns them into
headers and pairs (:mod:`toml_reader`); :mod:`toml_spoc` reads ``[spoc]`` out of those; syntax
problems come from :mod:`toml_syntax`. Nothing here raises.
"""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.syntax import toml_lexer, toml_reader, toml_syntax
from spoc_lsp.syntax.builder import MAX_SYNTAX_PROBLEMS, ResultBuilder, internal_error
from spoc_lsp.syntax.model import ParsedConfig
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.toml_spoc import SpocTable


def parse_toml_config(text: str, file: Path | None) -> ParsedConfig:
    """Read a ``spoc.toml`` text: its plugin groups, entries, string sites and problems."""
    try:
        return _parse(text, file)
    except Exception as error:  # a bug must not take the language server down
        return internal_error("toml", file, error)


def _parse(text: str, file: Path | None) -> ParsedConfig:
    source = SourceText(text)
    tokens = toml_lexer.lex(source)
    document = toml_reader.read(tokens)
    builder = ResultBuilder("toml", file)
    groups = SpocTable(builder).read(document.events)
    syntax = toml_syntax.token_problems(tokens) + document.errors
    if not syntax:
        syntax = toml_syntax.tomllib_problems(source)
    syntax.sort(key=lambda problem: (problem[1].start, problem[1].end))
    for message, span in syntax[:MAX_SYNTAX_PROBLEMS]:
        builder.problem("SPOC009", message, span)
    return builder.build(groups)
