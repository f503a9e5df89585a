"""SPOC009 syntax problems of a TOML text: from the lexer and the reader, then ``tomllib``.

The lexer's and the reader's own errors come first (they say what was expected, at the right
token). Only a text with no error at all is given to ``tomllib`` — the runtime's own parser —
which catches what the tolerant reader lets through: a malformed number, a key defined twice.
"""

from __future__ import annotations

import re

from spoc_lsp.syntax import toml_runtime
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.syntax.source_text import BOM, SourceText
from spoc_lsp.syntax.tokens import STRING, UNTERMINATED, Token

_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_NEWLINES = re.compile(r"\r\n|\r")


def token_problems(tokens: list[Token]) -> list[tuple[str, Span]]:
    """Unterminated strings, and invalid escapes or characters inside strings."""
    problems: list[tuple[str, Span]] = []
    for token in tokens:
        if token.kind == UNTERMINATED:
            problems.append(("invalid TOML: unterminated string", token.span))
        elif token.kind == STRING and token.literal is not None and token.literal.errors:
            problems.extend(token.literal.errors)
    return problems


def tomllib_problems(source: SourceText) -> list[tuple[str, Span]]:
    """What the runtime's TOML parser says about the text (read as the runtime reads files)."""
    text = source.text[1:] if source.has_bom else source.text
    try:
        toml_runtime.loads(_NEWLINES.sub("\n", text))
    except toml_runtime.TOMLDecodeError as error:
        return [_tomllib_problem(source, error)]
    except (RecursionError, ValueError):  # nesting too deep for it: the reader was happy
        return []
    return []


def _tomllib_problem(source: SourceText, error: Exception) -> tuple[str, Span]:
    message = str(getattr(error, "msg", None) or error)
    match = _WHERE.search(message)
    line = getattr(error, "lineno", None)
    column = getattr(error, "colno", None)
    if match is not None:
        message = message[: match.start()]
        if match.group(1) is not None and line is None:
            line, column = int(match.group(1)), int(match.group(2))
    if line is None or column is None:
        end = source.position_at(len(source.text))
        return f"invalid TOML: {message}", Span(end, end)
    line = min(max(line - 1, 0), source.line_count - 1)
    column = max(column - 1, 0) + (1 if line == 0 and source.text.startswith(BOM) else 0)
    column = min(column, source.line_length(line))
    return f"invalid TOML: {message}", _word_at(source, Position(line, column))


def _word_at(source: SourceText, start: Position) -> Span:
    """The run of non-blank characters at ``start``; if none, the line's first one (its key)."""
    text = source.line_text(start.line)
    column = start.column
    if column >= len(text) or text[column].isspace():
        column = len(text) - len(text.lstrip())
    end = column
    while end < len(text) and not text[end].isspace():
        end += 1
    return Span(Position(start.line, column), Position(start.line, end))
