"""Walking a tree-sitter tree: its leaves in order, and the stretches to lex again.

The readers work on tokens, not on tree-sitter's tree shape: when a file is broken, tree-sitter
may fold whole statements into one ERROR node. Subtrees inside an ERROR node were built in a
proper parse state, so their leaves are good tokens. But the loose leaves right inside an ERROR
node were lexed while tree-sitter was recovering, in whatever lex state it was in (it may drop
the quotes around a string, say), and text it skipped is in no leaf at all: those stretches are
handed back to be lexed again, by a scanner that does not depend on parse state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tree_sitter import Node, Tree

Point = tuple[int, int]  # tree-sitter's (row, byte column)


@dataclass(frozen=True)
class Leaf:
    """A leaf (or atomic) node, to make a token of."""

    node: Node


@dataclass(frozen=True)
class SkippedNode:
    """A top-level node the reader has no use for."""

    node: Node


@dataclass(frozen=True)
class Relex:
    """A stretch of text inside an ERROR node to lex again (``start`` to ``end``)."""

    start: Point
    end: Point


Item = Leaf | SkippedNode | Relex


@dataclass(frozen=True)
class _Skip:
    node: Node


def walk(tree: Tree, atomic: frozenset[str], skip_top: Callable[[Node], bool]) -> Iterator[Item]:
    """Yield the leaves of ``tree`` in order, with skipped top-level nodes and Relex stretches.

    A node whose type is in ``atomic`` counts as a leaf (a string, with its parts). A child of
    the root for which ``skip_top`` is true is yielded as a :class:`SkippedNode`, not entered.
    """
    root = tree.root_node
    stack: list[Node | Relex | _Skip] = []
    if root.is_error:
        stack.extend(reversed(_error_items(root, atomic)))
    else:
        stack.extend(
            _Skip(child) if skip_top(child) else child for child in reversed(root.children)
        )
    while stack:
        item = stack.pop()
        if isinstance(item, Relex):
            yield item
        elif isinstance(item, _Skip):
            yield SkippedNode(item.node)
        elif item.is_error:
            stack.extend(reversed(_error_items(item, atomic)))
        elif item.child_count == 0 or item.type in atomic:
            yield Leaf(item)
        else:
            stack.extend(reversed(item.children))


def _error_items(node: Node, atomic: frozenset[str]) -> list[Node | Relex]:
    """An ERROR node's subtrees, with the stretches between them to lex again."""
    items: list[Node | Relex] = []
    run_start: Point = node.start_point
    run_open = False
    for child in node.children:
        loose = child.child_count == 0 and child.type not in atomic and not child.is_error
        if loose or child.is_missing:
            run_open = True
            continue
        if run_open or child.start_point > run_start:
            items.append(Relex(run_start, child.start_point))
        items.append(child)
        run_start = child.end_point
        run_open = False
    if run_open or node.end_point > run_start:
        items.append(Relex(run_start, node.end_point))
    return items


def nodes_with_errors(tree: Tree) -> Iterator[tuple[Node, Node | None]]:
    """Every node inside a subtree that has an error, with its parent, in order."""
    stack: list[tuple[Node, Node | None]] = [(tree.root_node, None)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        if node.has_error:
            stack.extend((child, node) for child in reversed(node.children))
