"""Fixture texts with range markers, for readable tests.

``«...»`` marks an entry's content, ``⟦...⟧`` a problem's range, ``‸`` a cursor. The markers
are removed; what is left is the text the parser sees, and the marks become spans in it,
with LSP line breaks (``\\r\\n``, ``\\r``, ``\\n``) and code-point columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spoc_lsp.syntax.model import ParsedConfig, Position, Span

ENTRY = ("«", "»")
PROBLEM = ("⟦", "⟧")
CURSOR = "‸"


@dataclass
class Marked:
    text: str
    entries: list[Span] = field(default_factory=list)
    problems: list[Span] = field(default_factory=list)
    cursors: list[Position] = field(default_factory=list)


def marked(source: str) -> Marked:
    """Strip the markers from ``source`` and return the text and the marked spans."""
    result = Marked("")
    chars: list[str] = []
    line = column = 0
    opened: dict[str, list[Position]] = {ENTRY[0]: [], PROBLEM[0]: []}
    index = 0
    while index < len(source):
        char = source[index]
        here = Position(line, column)
        if char in opened:
            opened[char].append(here)
        elif char == ENTRY[1]:
            result.entries.append(Span(opened[ENTRY[0]].pop(), here))
        elif char == PROBLEM[1]:
            result.problems.append(Span(opened[PROBLEM[0]].pop(), here))
        elif char == CURSOR:
            result.cursors.append(here)
        else:
            chars.append(char)
            if char == "\r" and source.startswith("\n", index + 1):
                chars.append("\n")
                index += 1
                line, column = line + 1, 0
            elif char in "\r\n":
                line, column = line + 1, 0
            else:
                column += 1
        index += 1
    result.text = "".join(chars)
    result.entries.sort(key=lambda span: (span.start, span.end))
    result.problems.sort(key=lambda span: (span.start, span.end))
    return result


def entries(parsed: ParsedConfig) -> list[tuple[str, str, Span]]:
    """``(group, uri, span)`` of every entry, in source order."""
    found = [
        (entry.group, entry.uri, parsed.entry_spans[entry])
        for group in parsed.source.groups
        for entry in group.entries
    ]
    return sorted(found, key=lambda item: (item[2].start, item[2].end, item[0]))


def groups(parsed: ParsedConfig) -> dict[str, list[str]]:
    """The groups as plain ``{name: [uri, ...]}``, in order."""
    return {group.name: [entry.uri for entry in group.entries] for group in parsed.source.groups}


def problems(parsed: ParsedConfig) -> list[tuple[str, Span]]:
    return [(problem.code, problem.span) for problem in parsed.problems]


def show(span: Span) -> str:
    return f"{span.start.line}:{span.start.column}-{span.end.line}:{span.end.column}"
