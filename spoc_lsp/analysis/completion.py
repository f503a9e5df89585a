"""Completion of dotted paths inside plugin strings, from the current (maybe broken) text."""

from __future__ import annotations

from pathlib import Path

from spoc.config import find_settings, find_toml
from spoc.importer import project_search_roots
from spoc.plugins import SourceKind
from spoc_lsp.analysis.analyze import parse_cached
from spoc_lsp.analysis.interface_values import kind_completions
from spoc_lsp.analysis.model import Completion, Resolving
from spoc_lsp.syntax.model import Position, Span

_KIND_ORDER = {"module": 0, "class": 1, "function": 2, "variable": 3, "unknown": 4}


def _identifier_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return end


def _hidden_top_level(root: Path) -> set[str]:
    """Project directories importable from ``<root>`` that never hold plugins: ``apps`` (its
    modules are named without the prefix) and the directory of the config files."""
    hidden = {path.name for path in project_search_roots(root)[:-1]}
    for config_file in (find_toml(root), find_settings(root)):
        if config_file is not None and config_file.parent != root:
            hidden.add(config_file.relative_to(root).parts[0])
    return hidden


def complete(
    kind: SourceKind,
    text: str,
    path: Path | None,
    position: Position,
    resolver: Resolving,
    root: Path | None = None,
) -> list[Completion]:
    """Candidates for the URI segment at ``position``, or ``[]`` outside a plugin string or
    an ``[spoc.interfaces]`` value (where the kinds come first while no dot is typed).

    ``a.b.<cursor>`` offers what ``a.b`` contains (submodules, then top-level names); with no
    dot it offers top-level modules, the project's first. The replacement range is the segment
    being typed, so accepting an item replaces the partial word.
    """
    parsed = parse_cached(kind, text, path)
    site = parsed.string_at(position)
    kinds: list[Completion] = []
    if site is None:
        # An [spoc.interfaces] value: a kind, or a class URI completed like a plugin URI.
        site = parsed.interface_at(position)
        if site is not None and site.span.start.line == position.line:
            kinds = kind_completions(site, position)
    if site is None or site.span.start.line != position.line:
        return []
    typed = site.text[: max(0, position.column - site.span.start.column)]
    parent, dot, partial = typed.rpartition(".")
    if dot and not all(part.isidentifier() for part in parent.split(".")):
        return []
    segment_start = position.column - len(partial)
    rest = site.text[len(typed) :]
    segment_end = position.column + (_identifier_end(rest, 0) if rest else 0)
    replace = Span(Position(position.line, segment_start), Position(position.line, segment_end))
    children = resolver.children(parent if dot else None)
    hidden = _hidden_top_level(root) if root is not None and not dot else set()
    show_private = partial.startswith("_")
    items: list[Completion] = []
    for child in children:
        if (child.name.startswith("_") and not show_private) or child.name in hidden:
            continue
        qualified = f"{parent}.{child.name}" if dot else child.name
        sort_key = f"{0 if child.is_project else 1}{_KIND_ORDER.get(child.kind, 5)}{child.name}"
        items.append(
            Completion(
                label=child.name,
                kind=child.kind,
                detail=child.detail,
                replace=replace,
                sort_key=sort_key,
                qualified_name=qualified,
            )
        )
    items.sort(key=lambda item: item.sort_key)
    return [*kinds, *items]
