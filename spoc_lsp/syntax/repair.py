"""Line-level repair of broken strings, so that tree-sitter reads the rest of the file well.

A string tree-sitter could not finish confuses it for the rest of the line (tree-sitter-python
even lexes the rest as code) and, for multi-line strings, for the rest of the file. Each such
string is either really unterminated — then it runs to the end of its line, as a completion
site, and its characters are blanked out of the parse copy — or closed but with content
tree-sitter rejects (an invalid escape, a NUL byte) — then its content is overwritten with
``x`` so tree-sitter sees a plain string; the value is read from the original text anyway.
Then the file is parsed again, incrementally. Repairs go one at a time at first when there
are few (a later "broken string" may be an artefact of an earlier one), else in batches; the
number of rounds is bounded, so the cost stays linear in the size of the text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tree_sitter import Tree

from spoc_lsp.syntax.grammars import Grammar
from spoc_lsp.syntax.model import Position
from spoc_lsp.syntax.source_text import ByteEdit, SourceText

ONE_AT_A_TIME = 6
FEW = 4
MAX_ROUNDS = 10


@dataclass(frozen=True)
class Opener:
    """The start of a string tree-sitter could not read: where, and its delimiter."""

    position: Position
    delimiter: str  # the prefix and the quote(s), as written


@dataclass(frozen=True)
class Unterminated:
    """A string with no closing quote: from its opener to the end of its line."""

    opener: Position
    delimiter: str
    content: Position  # where the characters after the delimiter start
    end: Position  # the end of the line


@dataclass
class Repaired:
    """The outcome: the final tree, and the unterminated strings that were blanked out."""

    tree: Tree
    unterminated: list[Unterminated]


FindOpeners = Callable[[Tree, SourceText], Iterator[Opener]]
FindClose = Callable[[SourceText, Position, str], "Position | None"]


def repair(
    source: SourceText, grammar: Grammar, find_openers: FindOpeners, find_close: FindClose
) -> Repaired:
    """Parse ``source`` and repair its broken strings (see the module docstring)."""
    tree = grammar.parse(source.copy)
    unterminated: list[Unterminated] = []
    repaired = _Ranges()
    for round_number in range(MAX_ROUNDS):
        if not tree.root_node.has_error:
            break
        found = [o for o in find_openers(tree, source) if not repaired.covers(o.position)]
        if not found:
            break
        # One at a time while there are few (a later one may be an artefact of an earlier one);
        # many broken strings at once are repaired together, or the parses would add up.
        few = len(found) <= FEW
        batch = found[:1] if round_number < ONE_AT_A_TIME and few else found
        edits: list[ByteEdit] = []
        for opener in batch:
            if repaired.covers(opener.position):
                continue
            edit, blanked = _repair_one(source, opener, find_close)
            repaired.add(opener.position, edit_end(source, edit))
            edits.append(edit)
            if blanked is not None:
                unterminated.append(blanked)
        tree = grammar.reparse(tree, source.copy, edits)
    unterminated.sort(key=lambda item: item.opener)
    return Repaired(tree, unterminated)


def edit_end(source: SourceText, edit: ByteEdit) -> Position:
    """Where an edit of the parse copy ends, as a position."""

    line, byte_column = edit.end_point
    return Position(line, source.column(line, byte_column))


class _Ranges:
    """Disjoint ranges of the text, kept sorted: is a position inside one? (in log time)."""

    def __init__(self) -> None:
        self.starts: list[tuple[int, int]] = []
        self.ends: list[tuple[int, int]] = []

    def add(self, start: Position, end: Position) -> None:
        index = bisect_right(self.starts, (start.line, start.column))
        self.starts.insert(index, (start.line, start.column))
        self.ends.insert(index, (end.line, end.column))

    def covers(self, position: Position) -> bool:
        point = (position.line, position.column)
        index = bisect_right(self.starts, point) - 1
        return index >= 0 and point < self.ends[index]


def _repair_one(
    source: SourceText, opener: Opener, find_close: FindClose
) -> tuple[ByteEdit, Unterminated | None]:
    start = opener.position
    content = Position(start.line, start.column + len(opener.delimiter))
    close = find_close(source, start, opener.delimiter)
    if close is not None:
        quote = len(opener.delimiter.lstrip("bBrRuUfFtT"))
        content_end = Position(close.line, max(close.column - quote, 0))
        if content_end < content:
            content_end = content
        return source.overwrite(
            (content.line, content.column), (close.line, content_end.column), True
        ), None
    line_end = Position(start.line, source.line_length(start.line))
    edit = source.overwrite((start.line, start.column), (line_end.line, line_end.column), False)
    return edit, Unterminated(start, opener.delimiter, content, line_end)
