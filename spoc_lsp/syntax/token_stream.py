"""Assembling one token list from tree-sitter leaves, re-lexed stretches and repaired strings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tree_sitter import Node

from spoc_lsp.syntax.model import Position
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import Token, mark_line_starts
from spoc_lsp.syntax.tree_walk import Item, Leaf, Relex, SkippedNode

LeafToken = Callable[[Node, Position, Position], "Token | None"]
Scan = Callable[[SourceText, Position, Position], list[Token]]


def assemble(
    source: SourceText,
    items: Iterable[Item],
    leaf_token: LeafToken,
    skipped_token: Callable[[Node, Position, Position], Token],
    scan: Scan,
    repaired: list[Token],
) -> list[Token]:
    """The tokens in order. A token that starts inside an earlier one is dropped: the rest of
    the line after an unterminated string, or what a re-lexed string ran over."""
    tokens: list[Token] = []
    pending = sorted(repaired, key=lambda token: _key(token.start), reverse=True)
    last_end = (0, 0)

    def emit(token: Token) -> None:
        if pending:
            start = _key(token.start)
            while pending and _key(pending[-1].start) <= start:
                emit_one(pending.pop())
        emit_one(token)

    def emit_one(token: Token) -> None:
        nonlocal last_end
        start = token.start
        if tokens and (start.line, start.column) < last_end:
            return
        tokens.append(token)
        end = (token.end.line, token.end.column)
        if end > last_end:
            last_end = end

    for item in items:
        if isinstance(item, Relex):
            start = source.position(item.start)
            end = source.position(item.end)
            for token in scan(source, start, end):
                emit(token)
            continue
        node = item.node
        start = source.position(node.start_point)
        end = source.position(node.end_point)
        if isinstance(item, SkippedNode):
            emit(skipped_token(node, start, end))
        elif isinstance(item, Leaf):
            leaf = leaf_token(node, start, end)
            if leaf is not None:
                emit(leaf)
    while pending:
        emit_one(pending.pop())
    mark_line_starts(tokens)
    return tokens


def _key(position: Position) -> tuple[int, int]:
    return position.line, position.column
