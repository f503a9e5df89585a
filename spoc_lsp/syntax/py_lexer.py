"""Python text to tokens, through tree-sitter-python (after repairing broken strings).

Top-level statements that cannot concern ``PLUGINS`` are not tokenized at all: a statement
node with no error whose text names neither ``PLUGINS`` nor ``dict`` (which a module could
rebind) and that is not an import becomes one SKIPPED token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node, Tree

from spoc_lsp.syntax import py_scan, py_strings
from spoc_lsp.syntax.grammars import PYTHON
from spoc_lsp.syntax.model import Position
from spoc_lsp.syntax.repair import Opener, Unterminated, repair
from spoc_lsp.syntax.source_text import BOM, SourceText
from spoc_lsp.syntax.token_stream import assemble
from spoc_lsp.syntax.tokens import (
    CONTINUATION,
    GARBAGE,
    SCALAR,
    SKIPPED,
    STRING,
    UNTERMINATED,
    WORD,
    Token,
)
from spoc_lsp.syntax.tree_walk import nodes_with_errors, walk

_ATOMIC = frozenset({"string"})
_NUMBERS = frozenset({"integer", "float"})
_WORDS = frozenset({"identifier", "true", "false", "none", "keyword_identifier"})
_BOM_BYTES = BOM.encode()
_PUNCTUATION = frozenset("()[]{},:;.=")
_IMPORTS = frozenset({"import_statement", "import_from_statement", "future_import_statement"})


@dataclass
class PythonTokens:
    """The tokens of a Python text, and the (repaired) tree they came from."""

    tokens: list[Token]
    tree: Tree


def lex(source: SourceText) -> PythonTokens:
    """The tokens of ``source``: tree-sitter's leaves, re-lexed where it recovered."""

    repaired = repair(source, PYTHON, _find_openers, py_strings.closing_end)
    items = walk(repaired.tree, _ATOMIC, lambda top: _skippable(top, source))
    tokens = assemble(
        source,
        items,
        lambda node, start, end: _token(source, node, start, end),
        lambda node, start, end: Token(SKIPPED, "", start, end),
        py_scan.scan,
        [unterminated_token(source, item) for item in repaired.unterminated],
    )
    return PythonTokens(tokens, repaired.tree)


def unterminated_token(source: SourceText, item: Unterminated) -> Token:
    """The token for a string with no closing quote (its content runs to the line end)."""
    text = source.slice((item.opener.line, item.opener.column), (item.end.line, item.end.column))
    literal = py_strings.decode(text, item.opener, item.end, terminated=False)
    return Token(UNTERMINATED, text, item.opener, item.end, literal=literal)


def _token(source: SourceText, node: Node, start: Position, end: Position) -> Token | None:
    kind = node.type
    if kind == "comment" or node.is_missing or end == start:
        return None
    if not node.is_named and kind in _PUNCTUATION:  # its text is its type: no need to slice
        return Token(kind, kind, start, end)
    text = source.slice((start.line, start.column), (end.line, end.column))
    if kind == "string":
        if _closed(node):
            return Token(STRING, text, start, end, literal=py_strings.decode(text, start, end))
        return _lone_start(source, start)
    if kind == "string_start":  # a lone string start that was not repaired
        return _lone_start(source, start)
    if kind == "line_continuation":
        return Token(CONTINUATION, text, start, end)
    if kind in _WORDS:
        return Token(WORD, text, start, end)
    if kind in _NUMBERS:
        return Token(SCALAR, text, start, end)
    if node.is_error or node.is_named:
        return Token(GARBAGE, text, start, end)
    if kind.isidentifier():  # a keyword
        return Token(WORD, text, start, end)
    return Token(kind, text, start, end)  # an operator or a bracket


def _lone_start(source: SourceText, start: Position) -> Token:
    line_end = Position(start.line, source.line_length(start.line))
    text = source.slice((start.line, start.column), (line_end.line, line_end.column))
    prefix, quote = py_strings.split_opener(text)
    content = Position(start.line, start.column + len(prefix) + len(quote))
    return unterminated_token(source, Unterminated(start, prefix + quote, content, line_end))


def _closed(node: Node) -> bool:
    last = node.children[-1] if node.child_count else None
    return last is not None and last.type == "string_end" and not last.is_missing


def _skippable(node: Node, source: SourceText) -> bool:
    """A whole top-level statement that cannot read or change ``PLUGINS`` (or ``dict``)."""
    if node.has_error or node.is_error or node.type in _IMPORTS or node.type == "comment":
        return False
    if not (node.type.endswith("statement") or node.type.endswith("definition")):
        return False
    row, column = node.start_point
    if column != len(_BOM_BYTES) * (row == 0 and source.has_bom):
        return False  # not a statement of its own: maybe the rest of a broken one
    text = source.data[node.start_byte : node.end_byte]
    return b"PLUGINS" not in text and b"dict" not in text


def _find_openers(tree: Tree, source: SourceText) -> Iterator[Opener]:
    """Strings tree-sitter-python could not read: lone starts, and unclosed string nodes."""
    for node, parent in nodes_with_errors(tree):
        if node.type == "string_start" and (parent is None or parent.type != "string"):
            start = node
        elif node.type == "string" and (node.has_error or not _closed(node)):
            start = node.children[0] if node.child_count else node
        else:
            continue
        position = source.position(start.start_point)
        end = source.position(start.end_point)
        delimiter = source.slice((position.line, position.column), (end.line, end.column))
        if delimiter:
            yield Opener(position, delimiter)
