"""Edits that quick fixes apply: replacing a URI segment, removing a list element."""

from __future__ import annotations

from spoc_lsp.syntax.model import Span
from spoc_lsp.text import line_index


def element_removal_span(text: str, content: Span) -> Span:
    """The span to delete to remove the list element whose string content is ``content``.

    It covers the quotes, then a following comma and the spaces after it; for the last element
    (no comma after) it takes the comma before instead, so the list stays well formed.
    """
    index = line_index(text)  # cached: one index per text, not per removal
    start = index.offset(content.start)
    end = index.offset(content.end)
    # Widen over the quote characters (one or three of them).
    while start > 0 and text[start - 1] in "\"'" and end < len(text) and text[end] in "\"'":
        start -= 1
        end += 1
    # A string prefix such as r or b in Python.
    while start > 0 and text[start - 1] in "rRbBuUfF":
        start -= 1
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] == ",":
        after += 1
        while after < len(text) and text[after] in " \t":
            after += 1
        if after < len(text) and text[after] in ")]}":
            # It was the last element, before a trailing comma: keep the list tight.
            while start > 0 and text[start - 1] in " \t":
                start -= 1
        # A whole line that held only this element goes with its newline.
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip() == "" and text[after : after + 1] in ("\n", "\r"):
            start = line_start
            after += 2 if text[after : after + 2] == "\r\n" else 1
        return Span(index.position(start), index.position(after))
    before = start
    while before > 0 and text[before - 1] in " \t\r\n":
        before -= 1
    if before > 0 and text[before - 1] == ",":
        return Span(index.position(before - 1), index.position(end))
    return Span(index.position(start), index.position(end))
