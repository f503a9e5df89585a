"""SPOC009 syntax problems of a TOML text: from the reader, tree-sitter, then ``tomllib``.

The reader's own errors come first (they say what was expected, at the right token);
tree-sitter's ERROR/MISSING nodes add whatever the reader did not notice (a malformed number,
say), on lines the reader found nothing wrong with. Only a text with no error at all is given
to ``tomllib`` — the runtime's own parser — which catches what tree-sitter accepts but TOML
forbids, such as a key defined twice.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from tree_sitter import Node, Tree

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


def tree_problems(
    source: SourceText, tree: Tree, known: list[tuple[str, Span]]
) -> list[tuple[str, Span]]:
    """Tree-sitter's errors on lines where nothing else was reported (one per ERROR tree)."""
    starts, reach = _line_cover(known)
    problems: list[tuple[str, Span]] = []
    last_line = -1  # the last line of the tree errors already reported (they come in order)
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if not (node.is_error or node.is_missing):
            if node.has_error:
                stack.extend(reversed(node.children))
            continue
        start = source.position(node.start_point)
        end = source.position(node.end_point)
        index = bisect_right(starts, end.line) - 1
        if start.line <= last_line or (index >= 0 and reach[index] >= start.line):
            continue
        problems.append(_describe_error(source, node, start))
        last_line = end.line
    return problems


def _line_cover(known: list[tuple[str, Span]]) -> tuple[list[int], list[int]]:
    """The first lines of ``known`` spans, sorted, and the furthest last line up to each."""
    lines = sorted((span.start.line, span.end.line) for _, span in known)
    starts = [first for first, _ in lines]
    reach: list[int] = []
    furthest = -1
    for _, last in lines:
        furthest = max(furthest, last)
        reach.append(furthest)
    return starts, reach


def _describe_error(source: SourceText, node: Node, start: Position) -> tuple[str, Span]:
    if node.is_missing:
        return f"invalid TOML: expected {node.type!r}", Span(start, start)
    leaf = node
    while leaf.child_count > 0 and leaf.type not in ("string", "quoted_key"):
        first = leaf.children[0]
        if first.end_byte <= first.start_byte:
            break
        leaf = first
    leaf_start = source.position(leaf.start_point)
    leaf_end = source.position(leaf.end_point)
    if leaf_end.line != leaf_start.line:
        leaf_end = Position(leaf_start.line, source.line_length(leaf_start.line))
    text = source.slice((leaf_start.line, leaf_start.column), (leaf_end.line, leaf_end.column))
    shown = text.strip()[:20]
    message = f"invalid TOML: unexpected {shown!r}" if shown else "invalid TOML"
    return message, Span(leaf_start, leaf_end)


def tomllib_problems(source: SourceText) -> list[tuple[str, Span]]:
    """What the runtime's TOML parser says about the text (read as the runtime reads files)."""
    text = source.text[1:] if source.has_bom else source.text
    try:
        toml_runtime.loads(_NEWLINES.sub("\n", text))
    except toml_runtime.TOMLDecodeError as error:
        return [_tomllib_problem(source, error)]
    except (RecursionError, ValueError):  # nesting too deep for it: tree-sitter was happy
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
