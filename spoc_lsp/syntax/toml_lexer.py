"""TOML text to tokens, through tree-sitter-toml (after repairing broken strings)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node, Tree

from spoc_lsp.syntax import toml_scan, toml_strings
from spoc_lsp.syntax.grammars import TOML
from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.syntax.repair import Opener, Unterminated, repair
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.token_stream import assemble
from spoc_lsp.syntax.tokens import (
    GARBAGE,
    SCALAR,
    SKIPPED,
    SKIPPED_TABLE,
    STRING,
    UNTERMINATED,
    WORD,
    Token,
)
from spoc_lsp.syntax.tree_walk import nodes_with_errors, walk

_STRINGS = frozenset({"string", "quoted_key"})
_QUOTES = frozenset({'"', "'", '"""', "'''"})
_SCALARS = frozenset(
    {
        "integer",
        "float",
        "boolean",
        "offset_date_time",
        "local_date_time",
        "local_date",
        "local_time",
    }
)
_TABLES = frozenset({"table", "table_array_element"})
_PUNCTUATION = frozenset({"[", "]", "[[", "]]", "{", "}", "=", ".", ","})


@dataclass
class TomlTokens:
    """The tokens of a TOML text, the tree they came from, and the repairs made."""

    tokens: list[Token]
    tree: Tree
    unterminated: list[Unterminated]


def lex(source: SourceText) -> TomlTokens:
    """The tokens of ``source``: tree-sitter's leaves, re-lexed where it recovered."""

    repaired = repair(source, TOML, _find_openers, toml_strings.closing_end)
    items = walk(repaired.tree, _STRINGS, lambda top: _skippable(top, source))
    tokens = assemble(
        source,
        items,
        lambda node, start, end: _token(source, node, start, end),
        _skipped_token,
        toml_scan.scan,
        [unterminated_token(source, item) for item in repaired.unterminated],
    )
    return TomlTokens(tokens, repaired.tree, repaired.unterminated)


def _skipped_token(node: Node, start: Position, end: Position) -> Token:
    return Token(SKIPPED_TABLE if node.type in _TABLES else SKIPPED, "", start, end)


def unterminated_token(source: SourceText, item: Unterminated) -> Token:
    """The token for a string with no closing quote (its content runs to the line end)."""
    raw = source.slice((item.content.line, item.content.column), (item.end.line, item.end.column))
    literal = Literal(raw, Span(item.content, item.end), None, terminated=False)
    return Token(UNTERMINATED, item.delimiter + raw, item.opener, item.end, literal=literal)


def _token(source: SourceText, node: Node, start: Position, end: Position) -> Token | None:
    kind = node.type
    if kind == "comment" or node.is_missing or end == start:
        return None
    if kind in _PUNCTUATION and not node.is_named:  # its text is its type: no need to slice
        return Token(kind, kind, start, end)
    text = source.slice((start.line, start.column), (end.line, end.column))
    if kind in _STRINGS:
        return Token(STRING, text, start, end, literal=toml_strings.decode(text, start, end))
    if kind in _QUOTES:  # a lone opening quote that was not repaired: to the end of the line
        line_end = Position(start.line, source.line_length(start.line))
        item = Unterminated(start, kind, Position(start.line, start.column + len(kind)), line_end)
        return unterminated_token(source, item)
    if kind == "bare_key":
        return Token(WORD, text, start, end)
    if kind in _SCALARS:
        return Token(SCALAR, text, start, end)
    if kind in _PUNCTUATION and not node.is_named:
        return Token(kind, text, start, end)
    return Token(GARBAGE, text, start, end)


def _skippable(node: Node, source: SourceText) -> bool:
    """A whole top-level table or pair that cannot concern ``[spoc]`` (and is not broken)."""
    if node.has_error or (node.type not in _TABLES and node.type != "pair"):
        return False
    row, byte_column = node.start_point
    line_start = source.byte_starts[row]
    if source.data[line_start : line_start + byte_column].strip(b" \t\xef\xbb\xbf"):
        return False  # not first on its line: maybe the rest of a broken statement
    key = node.children[1] if node.type in _TABLES and node.child_count > 1 else node.children[0]
    text = source.data[key.start_byte : key.end_byte]
    return b"spoc" not in text and b"\\" not in text


def _find_openers(tree: Tree, source: SourceText) -> Iterator[Opener]:
    """Strings tree-sitter-toml could not read: lone quotes, and string nodes with errors."""
    for node, parent in nodes_with_errors(tree):
        broken_string = node.type in _STRINGS and node.has_error
        lone_quote = node.type in _QUOTES and (parent is None or parent.type not in _STRINGS)
        if broken_string or lone_quote:
            start = source.position(node.start_point)
            text = source.slice((start.line, start.column), (start.line, start.column + 3))
            delimiter = toml_strings.delimiter_of(text)
            if delimiter:
                yield Opener(start, delimiter)
