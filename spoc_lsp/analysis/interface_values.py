"""Editor answers inside ``[spoc.interfaces]`` values: the kinds offered while typing, hover on
a kind or a class URI, and go to definition of a URI segment (as for plugin URIs)."""

from __future__ import annotations

from pathlib import Path

from spoc.interfaces import KINDS, is_kind
from spoc_lsp.analysis.analyze import ProjectAnalysis, safe_resolve
from spoc_lsp.analysis.interface_report import group_count
from spoc_lsp.analysis.model import Completion, Hover, Resolving, Target
from spoc_lsp.syntax.model import InterfaceEntry, Position, Span, StringSite

# One line each: what a plugin of the group must be.
KIND_DOCS: dict[str, str] = {
    "callable": "every plugin of the group can be called: a function, a class, or an object "
    "with `__call__`",
    "class": "every plugin of the group is a class",
    "function": "every plugin of the group is a function (`def`, `lambda` or a built-in)",
    "module": "every plugin of the group is a module",
}
assert tuple(KIND_DOCS) == KINDS  # one doc per kind, in the runtime's order


def kind_completions(site: StringSite, position: Position) -> list[Completion]:
    """The kinds, offered while no dot is typed in an interface value; the replacement range is
    the whole word around the cursor."""
    typed = site.text[: max(0, position.column - site.span.start.column)]
    if "." in typed:
        return []
    rest = site.text[len(typed) :]
    end = len(rest)
    for index, char in enumerate(rest):
        if not (char.isalnum() or char == "_"):
            end = index
            break
    replace = Span(
        Position(position.line, position.column - len(typed)),
        Position(position.line, position.column + end),
    )
    return [
        Completion(
            label=kind,
            kind="unknown",
            detail="interface kind",
            replace=replace,
            sort_key=f"!{index}{kind}",  # before any module name
            qualified_name=kind,
            documentation=f"**{kind}**: {KIND_DOCS[kind]}.",
        )
        for index, kind in enumerate(KINDS)
    ]


def interface_entry_at(
    analysis: ProjectAnalysis, path: Path, position: Position
) -> InterfaceEntry | None:
    """The ``[spoc.interfaces]`` entry whose value string holds ``position``."""
    parsed = analysis.parsed.get(path)
    if parsed is None:
        return None
    return next((i for i in parsed.interfaces if i.site.span.contains(position)), None)


def kind_markdown(kind: str) -> str:
    """What a kind asks of a group's plugins."""
    return f"**interface kind** `{kind}`: {KIND_DOCS[kind]}."


def value_hover_text(analysis: ProjectAnalysis, entry: InterfaceEntry, resolver: Resolving) -> str:
    """The kind's meaning, or what the class URI resolves to (as a plugin URI's hover), and
    how many plugins of the group satisfy it."""
    from spoc_lsp.analysis.hover import describe_resolution  # hover imports this module

    count = group_count(analysis, entry.group).title
    if is_kind(entry.value):
        return f"{kind_markdown(entry.value)}\n\n{count}"
    resolution = analysis.resolutions.get(entry.value) or safe_resolve(resolver, entry.value)
    header = f"Interface of group `{entry.group}`"
    return f"{header}\n\n{describe_resolution(analysis, resolution, resolver)}\n\n{count}"


def value_hover(
    analysis: ProjectAnalysis, path: Path, position: Position, resolver: Resolving
) -> Hover | None:
    """Hover on an interface value, or on its group name (the group's count and merged
    order), or ``None`` elsewhere."""
    from spoc_lsp.analysis.hover import group_order  # hover imports this module

    entry = interface_entry_at(analysis, path, position)
    if entry is not None:
        return Hover(value_hover_text(analysis, entry, resolver), entry.site.span)
    parsed = analysis.parsed.get(path)
    key = next((i for i in parsed.interfaces if i.key.contains(position)), None) if parsed else None
    if key is None:
        return None
    head = f"Interface of group `{key.group}`: `{key.value}`"
    parts = [head, group_count(analysis, key.group).title, group_order(analysis, key.group, None)]
    return Hover("\n\n".join(parts), key.key)


def _offset_at(site: StringSite, value: str, position: Position) -> int | None:
    for offset in range(len(value)):
        written = site.span_of(offset, 1)
        if written.start <= position < written.end:
            return offset
    return len(value) if site.position_of(len(value)) == position else None


def value_definition(
    analysis: ProjectAnalysis, path: Path, position: Position, resolver: Resolving
) -> Target | None:
    """Where the segment of an interface class URI under the cursor is defined."""
    entry = interface_entry_at(analysis, path, position)
    if entry is None or is_kind(entry.value):
        return None
    resolution = analysis.resolutions.get(entry.value) or safe_resolve(resolver, entry.value)
    offset = _offset_at(entry.site, entry.value, position)
    segment = entry.value[:offset].count(".") if offset is not None else -1
    chosen = resolution.definition_of(segment)
    if chosen is None or chosen.file is None:
        return None
    return Target(chosen.file, chosen.line, chosen.column)
