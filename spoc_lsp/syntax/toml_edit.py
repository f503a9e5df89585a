"""Re-reading ``spoc.toml`` after a keystroke inside one plugin string, without parsing it again.

Typing a URI changes the characters between two quotes and nothing else. When the edit is
confined to one plain string of the last parse (one line, no escapes) and neither the old nor
the new characters can end the string or change what TOML makes of it (no quote, backslash,
control character or surrogate), the new parse is the old one with that string's value
replaced and every position after it on its line moved by the change in length. Anything else,
or a document with a SPOC009 (whose range may follow the text), is parsed again in full: this
is an optimisation that may decline, never a second parser (a property test holds it equal to
a full parse).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from spoc.plugins import PluginEntry, Provenance
from spoc_lsp.syntax.model import ParsedConfig, Position, Span, StringSite
from spoc_lsp.syntax.source_text import LineIndex

# Characters that could end a string or change how TOML reads it, in either kind of string.
_FORBIDDEN = frozenset("\"'\\\x7f") | frozenset(chr(c) for c in range(0x20) if c != 0x09)


def _plain(text: str) -> bool:
    return not any(ch in _FORBIDDEN or "\ud800" <= ch <= "\udfff" for ch in text)


def reparse_string_edit(old_text: str, old: ParsedConfig, new_text: str) -> ParsedConfig | None:
    """The parse of ``new_text`` derived from ``old`` (the parse of ``old_text``) when the edit
    lies inside one plain plugin or interface string; ``None`` when it must be parsed again."""
    if old_text == new_text or old.contributions:
        return None
    if any(problem.code == "SPOC009" for problem in old.problems):
        return None  # a syntax error's range depends on the words around it: parse again
    start, old_end = _changed_region(old_text, new_text)
    index = LineIndex(old_text)
    first, last = index.position(start), index.position(old_end)
    site = _site_around(old, first, last)
    if site is None:
        return None
    content_start = index.offset(site.span.start)
    content_end = index.offset(site.span.end)
    delta = len(new_text) - len(old_text)
    new_content = new_text[content_start : content_end + delta]
    if not new_content or not site.text or not _plain(new_content) or not _plain(site.text):
        return None  # (an empty string's start is its end: the move below would shift it)
    line, after = site.span.end.line, site.span.end.column
    new_site = dataclasses.replace(
        site,
        text=new_content,
        value=new_content,
        span=dataclasses.replace(site.span, end=Position(line, after + delta)),
    )

    def move(position: Position) -> Position:
        if position.line == line and position.column >= after:
            return Position(line, position.column + delta)
        return position

    def move_provenance(provenance: Provenance) -> Provenance:
        column = provenance.column
        if provenance.line == line + 1 and column is not None and column - 1 >= after:
            return dataclasses.replace(provenance, column=column + delta)
        return provenance

    entry = next((e for e, s in old.entry_sites.items() if s is site), None)
    swaps: dict[int, object] = {id(site): new_site}
    remap = _Remap(line, move, move_provenance, swaps)
    if entry is not None:
        swaps[id(entry)] = PluginEntry(entry.group, new_content, remap.provenance(entry.provenance))
    interface = next((i for i in old.interfaces if i.site is site), None)
    if interface is not None:
        swaps[id(interface)] = dataclasses.replace(interface, value=new_content, site=new_site)
    result = remap(old)
    assert isinstance(result, ParsedConfig)
    return result


def _changed_region(old: str, new: str) -> tuple[int, int]:
    """Where the edit is in ``old``: ``old[start:old_end]`` was replaced (by as many characters
    of ``new`` as the lengths differ by)."""
    limit = min(len(old), len(new))
    start = _common_length(lambda k: old[:k] == new[:k], limit)
    suffix = _common_length(lambda k: old[len(old) - k :] == new[len(new) - k :], limit - start)
    return start, len(old) - suffix


def _common_length(same: Callable[[int], bool], limit: int) -> int:
    """The largest ``k <= limit`` with ``same(k)`` (``same`` holds up to some point, then not),
    by bisection: the comparisons run in C, a character loop would not."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if same(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _site_around(parsed: ParsedConfig, first: Position, last: Position) -> StringSite | None:
    """The plain, terminated, one-line string whose content holds ``[first, last]``."""
    for site in (*parsed.strings, *parsed.interface_strings):
        span = site.span
        if not (span.start <= first and last <= span.end):
            continue
        plain = site.terminated and not site.pieces and site.value == site.text
        if plain and span.start.line == span.end.line and site.file is None:
            return site
        return None
    return None


_MISSING = object()


class _Remap:
    """Rebuilds a parse with positions moved, sharing every object that does not change (so
    caches keyed by unchanged entries and spans keep hitting)."""

    def __init__(
        self,
        line: int,
        move: Callable[[Position], Position],
        move_provenance: Callable[[Provenance], Provenance],
        swaps: dict[int, object],
    ) -> None:
        self.line = line
        self.move = move
        self.move_provenance = move_provenance
        self.swaps = swaps
        self.done: dict[int, object] = {}

    def provenance(self, provenance: Provenance) -> Provenance:
        return self.move_provenance(provenance)

    def __call__(self, value: object) -> object:
        key = id(value)
        swapped = self.swaps.get(key)
        if swapped is not None:
            return swapped
        # The objects a parse holds by the thousand, settled without the memo when they do
        # not touch the edited line (what ``_rebuild`` would find, sooner).
        kind = value.__class__
        line = self.line
        if kind is Span:
            if value.start.line != line and value.end.line != line:  # type: ignore[attr-defined]
                return value
        elif kind is PluginEntry:
            if value.provenance.line != line + 1:  # type: ignore[attr-defined]
                return value
        elif kind is StringSite:
            span = value.span  # type: ignore[attr-defined]
            if span.start.line != line and span.end.line != line:
                return value
        elif kind is str or kind is int or value is None:
            return value
        done = self.done.get(key, _MISSING)
        if done is not _MISSING:
            return done
        result = self._rebuild(value)
        self.done[key] = result
        return result

    def _rebuild(self, value: object) -> object:
        # The common objects first, and left as they are unless they touch the edited line.
        if isinstance(value, Span):
            start, end = self.move(value.start), self.move(value.end)
            unchanged = start is value.start and end is value.end
            return value if unchanged else Span(start, end)
        if isinstance(value, StringSite):
            if value.span.start.line != self.line and value.span.end.line != self.line:
                return value
        elif isinstance(value, PluginEntry):
            provenance = self.move_provenance(value.provenance)
            if provenance is value.provenance:
                return value
            return dataclasses.replace(value, provenance=provenance)
        elif isinstance(value, Position):
            return self.move(value)
        elif isinstance(value, Provenance):
            return self.move_provenance(value)
        if isinstance(value, (str, int, float, bool, type(None))) or not _container(value):
            return value
        if isinstance(value, tuple):
            items = tuple(self(item) for item in value)
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, dict):
            pairs = [(self(k), self(v)) for k, v in value.items()]
            same = all(
                a is k and b is v for (a, b), (k, v) in zip(pairs, value.items(), strict=True)
            )
            return value if same else dict(pairs)  # (parses are never changed after the fact)
        changed = {}
        for field in dataclasses.fields(value):  # type: ignore[arg-type]
            old = getattr(value, field.name)
            new = self(old)
            if new is not old:
                changed[field.name] = new
        return dataclasses.replace(value, **changed) if changed else value  # type: ignore[type-var]


def _container(value: object) -> bool:
    return isinstance(value, (tuple, list, dict)) or dataclasses.is_dataclass(value)
