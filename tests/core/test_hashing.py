"""The cached field hash of plugin entries and spans: equal objects hash alike, and the cached
value is never carried into a pickle or a copy (``str`` hashes differ between processes)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

from spoc.plugins import PluginEntry, Provenance
from spoc_lsp.syntax.model import Position, Span


def _entry() -> PluginEntry:
    return PluginEntry("hooks", "app.hooks.ready", Provenance("toml", Path("spoc.toml"), 3, 9))


def test_equal_objects_hash_alike_and_the_hash_is_that_of_the_fields() -> None:
    first, second = _entry(), _entry()
    assert hash(first) == hash(second)
    assert hash(first) == hash(("hooks", "app.hooks.ready", first.provenance))
    span = Span(Position(1, 2), Position(1, 9))
    assert hash(span) == hash((Position(1, 2), Position(1, 9)))
    assert {first: 1}[second] == 1
    moved = dataclasses.replace(first, uri="app.hooks.other")
    assert moved != first and hash(moved) == hash(("hooks", "app.hooks.other", first.provenance))


def test_the_cached_hash_is_not_pickled_or_copied() -> None:
    entry = _entry()
    hash(entry)
    assert "_field_hash" in vars(entry)
    for clone in (pickle.loads(pickle.dumps(entry)), copy.copy(entry), copy.deepcopy(entry)):
        assert "_field_hash" not in vars(clone)
        assert clone == entry and hash(clone) == hash(entry)
    span = Span(Position(0, 0), Position(0, 4))
    hash(span)
    assert "_field_hash" not in vars(pickle.loads(pickle.dumps(span)))
