"""The merge of the two plugin sources into one ordered plan, keeping provenance.

The rule (CONTRACT §1): ``[spoc.plugins]`` groups first in file order, then settings-only groups
in ``PLUGINS`` order; inside a group TOML entries then settings entries, each in listed order;
a URI already in its group is skipped, the first occurrence wins.

The merge is pure: it takes :class:`PluginSource` values, which a runtime loader builds from
parsed config (:func:`source_from_mapping`) and a static parser builds from text with exact
positions, and it returns a new :class:`PluginPlan`. Nothing it is given is changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from spoc.errors import Location, PluginShapeError
from spoc.hashing import field_hash, state_without_hash

SourceKind = Literal["toml", "settings"]


@dataclass(frozen=True)
class Provenance:
    """Where an entry was listed: which source, which file, and the 1-based line and column."""

    source: SourceKind
    file: Path | None
    line: int | None = None
    column: int | None = None

    __hash__ = field_hash
    __getstate__ = state_without_hash

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)


@dataclass(frozen=True)
class PluginEntry:
    """One URI listed in one group, with where it was listed."""

    group: str
    uri: str
    provenance: Provenance

    __hash__ = field_hash
    __getstate__ = state_without_hash


@dataclass(frozen=True)
class PluginGroup:
    """A group as one source lists it: its name, where the name is, and its entries in order."""

    name: str
    entries: tuple[PluginEntry, ...]
    provenance: Provenance | None = None


@dataclass(frozen=True)
class PluginSource:
    """All plugin groups of one source (``spoc.toml`` or the settings module), in listed order."""

    kind: SourceKind
    file: Path | None
    groups: tuple[PluginGroup, ...] = ()

    def entries(self) -> Iterator[PluginEntry]:
        for group in self.groups:
            yield from group.entries


@dataclass(frozen=True)
class Duplicate:
    """An entry the merge dropped because ``first`` already listed the same URI in the group."""

    entry: PluginEntry
    first: PluginEntry


@dataclass(frozen=True)
class PluginPlan:
    """The merged plugin groups, in load order, and the duplicates that were dropped."""

    groups: tuple[tuple[str, tuple[PluginEntry, ...]], ...]
    duplicates: tuple[Duplicate, ...] = ()
    _positions: Mapping[PluginEntry, int] = field(default_factory=dict, repr=False, compare=False)

    def group(self, name: str) -> tuple[PluginEntry, ...]:
        """The merged entries of group ``name`` (empty when there is no such group)."""
        for group_name, entries in self.groups:
            if group_name == name:
                return entries
        return ()

    def group_names(self) -> list[str]:
        return [name for name, _ in self.groups]

    def entries(self) -> Iterator[PluginEntry]:
        for _, entries in self.groups:
            yield from entries

    def position(self, entry: PluginEntry) -> int | None:
        """The 1-based load position of ``entry`` in its group, ``None`` if it was dropped."""
        return self._positions.get(entry)

    def duplicate_of(self, entry: PluginEntry) -> Duplicate | None:
        """The record of ``entry`` having been dropped as a duplicate, if it was."""
        return self._dropped.get(entry)

    @functools.cached_property
    def _dropped(self) -> dict[PluginEntry, Duplicate]:
        # An index, not a scan: a scan per entry made 5,000 duplicates cost minutes.
        dropped: dict[PluginEntry, Duplicate] = {}
        for duplicate in self.duplicates:
            dropped.setdefault(duplicate.entry, duplicate)
        return dropped

    def as_dict(self) -> dict[str, list[str]]:
        """The plan as plain ``{group: [uri, ...]}``, in load order."""
        return {name: [entry.uri for entry in entries] for name, entries in self.groups}


def merge_plugins(*sources: PluginSource) -> PluginPlan:
    """Merge plugin sources, earlier sources first (call as ``merge_plugins(toml, settings)``)."""
    merged: dict[str, list[PluginEntry]] = {}
    first_seen: dict[tuple[str, str], PluginEntry] = {}
    duplicates: list[Duplicate] = []
    for source in sources:
        for group in source.groups:
            bucket = merged.setdefault(group.name, [])
            for entry in group.entries:
                key = (group.name, entry.uri)
                earlier = first_seen.get(key)
                if earlier is not None:
                    duplicates.append(Duplicate(entry=entry, first=earlier))
                    continue
                first_seen[key] = entry
                bucket.append(entry)
    groups = tuple((name, tuple(entries)) for name, entries in merged.items())
    positions = {
        entry: index for _, entries in groups for index, entry in enumerate(entries, start=1)
    }
    return PluginPlan(groups=groups, duplicates=tuple(duplicates), _positions=positions)


# A locator answers "where is the n-th listed string with this value?" (1-based line, column).
Locator = Callable[[str, int], "tuple[int, int] | None"]


def _no_location(_value: str, _occurrence: int) -> tuple[int, int] | None:
    return None


def source_from_mapping(
    kind: SourceKind,
    file: Path | None,
    value: object,
    locate: Locator = _no_location,
    *,
    name: str | None = None,
) -> PluginSource:
    """Build a :class:`PluginSource` from loaded config, checking its shape.

    ``value`` is the ``[spoc.plugins]`` table or the settings ``PLUGINS`` object. Raises
    :class:`PluginShapeError` when it is not a mapping of group names to lists of strings.
    ``locate`` gives entry positions where the caller knows them (the runtime reads them from the
    file text; a static parser does not need this function at all).
    """
    what = name or ("[spoc.plugins]" if kind == "toml" else "PLUGINS")
    where = Location(file)
    if not isinstance(value, Mapping):
        raise PluginShapeError(
            f"{what} must be a dict of group name to list of URIs, not {type(value).__name__}",
            where,
        )
    seen: dict[str, int] = {}
    groups: list[PluginGroup] = []
    for group_name, uris in value.items():
        if not isinstance(group_name, str):
            raise PluginShapeError(
                f"{what} group names must be strings, not {type(group_name).__name__}", where
            )
        if not isinstance(uris, (list, tuple)):
            raise PluginShapeError(
                f"{what} group {group_name!r} must be a list of URI strings, "
                f"not {type(uris).__name__}",
                where,
                group=group_name,
            )
        entries: list[PluginEntry] = []
        for index, uri in enumerate(uris):
            if not isinstance(uri, str):
                raise PluginShapeError(
                    f"{what} group {group_name!r} entry {index + 1} must be a string, "
                    f"not {type(uri).__name__} ({uri!r})",
                    where,
                    group=group_name,
                )
            occurrence = seen.get(uri, 0)
            seen[uri] = occurrence + 1
            position = locate(uri, occurrence)
            line, column = position if position is not None else (None, None)
            entries.append(PluginEntry(group_name, uri, Provenance(kind, file, line, column)))
        groups.append(PluginGroup(group_name, tuple(entries)))
    return PluginSource(kind=kind, file=file, groups=tuple(groups))
