"""What the tolerant parsers produce: plugin entries with exact ranges, and problems.

Positions are 0-based ``(line, column)`` with the column counted in Python ``str`` characters
(code points) of that line; the LSP layer converts to UTF-16 or UTF-8 as negotiated.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from spoc.hashing import field_hash, state_without_hash
from spoc.plugins import PluginEntry, PluginSource

ProblemCode = Literal["SPOC005", "SPOC006", "SPOC009"]
Severity = Literal["error", "warning", "information", "hint"]


@dataclass(frozen=True, order=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class Span:
    """A half-open range ``[start, end)`` in a text."""

    start: Position
    end: Position

    __hash__ = field_hash
    __getstate__ = state_without_hash

    def contains(self, position: Position) -> bool:
        """True when ``position`` is inside the span or at its end (a cursor after the text)."""
        return self.start <= position <= self.end


@dataclass(frozen=True)
class Problem:
    """Something a parser found wrong (or unreadable) in a config file."""

    code: ProblemCode
    message: str
    span: Span
    severity: Severity = "error"
    group: str | None = None


@dataclass(frozen=True)
class Piece:
    """Where part of a string's value was written: value characters from ``value_offset`` on.

    A verbatim piece maps one value character to one source character, in order, on one line;
    any other piece (an escape sequence, say) maps all its value characters to its whole range.
    """

    value_offset: int
    start: Position
    end: Position
    verbatim: bool = True


@dataclass(frozen=True)
class StringSite:
    """A plugin string as typed, possibly unterminated: for completion and hover."""

    group: str | None
    text: str  # the characters between the opening quote and the closing quote (or line end)
    span: Span  # of ``text``
    terminated: bool = True
    value: str | None = None  # the unescaped value, when the string is readable
    # How value characters map to the source; empty when ``value`` is ``text`` on one line.
    pieces: tuple[Piece, ...] = field(default=(), repr=False, compare=False)
    # The file it is written in, when that is another module than the one parsed (a settings
    # module's ``from .base import *``): ``span`` is in that file.
    file: Path | None = None

    def position_of(self, offset: int) -> Position:
        """The source position of value character ``offset`` (the end, past the last one)."""
        return self._source_of(offset)[0]

    def span_of(self, offset: int, length: int) -> Span:
        """The source range of value characters ``[offset, offset + length)``."""
        start = self.position_of(offset)
        if length <= 0:
            return Span(start, start)
        end = self._source_of(offset + length - 1)[1]
        return Span(start, max(start, end))

    def _source_of(self, offset: int) -> tuple[Position, Position]:
        """Where value character ``offset`` was written (an empty range past the end)."""
        value_length = len(self.value if self.value is not None else self.text)
        offset = max(0, min(offset, value_length))
        if not self.pieces:
            start = Position(self.span.start.line, self.span.start.column + offset)
            end = start if offset == value_length else Position(start.line, start.column + 1)
            return start, end
        index = max(0, bisect_right([p.value_offset for p in self.pieces], offset) - 1)
        piece = self.pieces[index]
        following = self.pieces[index + 1].value_offset if index + 1 < len(self.pieces) else None
        inner = offset - piece.value_offset
        if inner >= (value_length if following is None else following) - piece.value_offset:
            return piece.end, piece.end
        if not piece.verbatim:
            return piece.start, piece.end
        start = Position(piece.start.line, piece.start.column + inner)
        return start, Position(start.line, start.column + 1)


@dataclass(frozen=True)
class InterfaceEntry:
    """One ``[spoc.interfaces]`` entry: ``group = "value"`` (a class URI or a kind)."""

    group: str
    value: str
    key: Span  # of the group name
    site: StringSite  # the value string (its span, and the map of escapes to the source)


@dataclass(frozen=True)
class ParsedConfig:
    """One config file, read tolerantly.

    ``source`` holds the entries that can be read statically, in listed order, ready for
    :func:`spoc.plugins.merge_plugins`. ``entry_spans`` gives each entry's exact content range.
    """

    source: PluginSource
    entry_spans: dict[PluginEntry, Span] = field(default_factory=dict)
    group_spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)  # group-name keys
    problems: tuple[Problem, ...] = ()
    strings: tuple[StringSite, ...] = ()  # every plugin string site, including broken ones
    # The known ``[spoc]`` keys (``mode``, ``debug``, ``apps``, ``plugins``) -> spans of the key.
    key_spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    # Each entry's string site: maps offsets in the URI (escapes, concatenation) to the source.
    entry_sites: dict[PluginEntry, StringSite] = field(default_factory=dict)
    # What other project modules (split settings) contribute, one per file, in the same shape:
    # their entries, string sites and problems, with spans in that file. Their ``source`` has no
    # groups: ``source`` above already holds every entry, in the order the runtime gets them.
    contributions: tuple[ParsedConfig, ...] = ()
    # The project modules read to produce this (path and text), in the order they ran.
    modules_read: tuple[tuple[Path, str], ...] = ()
    # ``[spoc.interfaces]`` (spoc.toml only): readable entries in file order, and every value
    # string site there, broken ones included (for completion while typing).
    interfaces: tuple[InterfaceEntry, ...] = ()
    interface_strings: tuple[StringSite, ...] = ()

    def interface_at(self, position: Position) -> StringSite | None:
        """The ``[spoc.interfaces]`` value string the cursor is in (or right after), if any."""
        return next((s for s in self.interface_strings if s.span.contains(position)), None)

    def string_at(self, position: Position) -> StringSite | None:
        """The plugin string the cursor is in (or right after its last character), if any."""
        return next((site for site in self.strings if site.span.contains(position)), None)

    def value_span(self, entry: PluginEntry, offset: int, length: int) -> Span | None:
        """The source range of characters ``[offset, offset + length)`` of ``entry.uri``."""
        site = self.entry_sites.get(entry)
        if site is not None:
            return site.span_of(offset, length)
        return self.entry_spans.get(entry)


class ModuleSource(Protocol):
    """The project modules a settings module imports, as the caller can read them."""

    def find(self, importer: Path, module: str, level: int) -> Path | str:
        """The file of project module ``module`` as ``importer`` imports it with ``level``
        leading dots, or why it is not followed (not a project module, not found)."""
        ...

    def read(self, path: Path) -> str | None:
        """The text of ``path`` (an open buffer wins over the disk), None if unreadable."""
        ...
