"""``spoc.plugins.merge_plugins`` and ``source_from_mapping``: order, de-duplication, purity and
provenance (CONTRACT §1, "Merge")."""

from __future__ import annotations

import ast
import copy
import sys
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spoc.errors import PluginShapeError
from spoc.locate import locator, python_string_positions, toml_string_positions
from spoc.plugins import (
    Duplicate,
    PluginEntry,
    PluginSource,
    Provenance,
    merge_plugins,
    source_from_mapping,
)

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

TOML_FILE = Path("/project/config/spoc.toml")
SETTINGS_FILE = Path("/project/config/settings.py")


def merge(toml: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, list[str]]:
    plan = merge_plugins(
        source_from_mapping("toml", TOML_FILE, toml),
        source_from_mapping("settings", SETTINGS_FILE, settings),
    )
    return plan.as_dict()


def reference_collect(
    toml: Mapping[str, Sequence[str]], settings: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """The documentation's ``_collect_plugins`` without the imports (and on a copy: the
    documented code extends the config's own lists, which the contract forbids)."""
    plugins = {group: list(uris) for group, uris in toml.items()}
    plug_dict: dict[str, OrderedDict[str, None]] = {}
    for group, mods in settings.items():
        if group not in plugins:
            plugins[group] = []
        plugins[group].extend(mods)
    for group, modules in plugins.items():
        if group not in plug_dict:
            plug_dict[group] = OrderedDict()
        for mod_uri in modules:
            if mod_uri not in plug_dict[group]:
                plug_dict[group][mod_uri] = None
    return {group: list(uris) for group, uris in plug_dict.items()}


# --- order --------------------------------------------------------------------------------------


def test_documented_merge_example() -> None:
    toml = {"middleware": ["myapp.middleware.cors"], "hooks": ["myapp.hooks.startup"]}
    settings = {"middleware": ["myapp.middleware.auth"], "database": ["db.backends.postgres"]}
    assert merge(toml, settings) == {
        "middleware": ["myapp.middleware.cors", "myapp.middleware.auth"],
        "hooks": ["myapp.hooks.startup"],
        "database": ["db.backends.postgres"],
    }


def test_toml_groups_first_in_file_order_then_settings_only_groups_in_dict_order() -> None:
    toml = {"zeta": ["z.one"], "alpha": ["a.one"], "mid": ["m.one"]}
    settings = {"omega": ["o.one"], "alpha": ["a.two"], "beta": ["b.one"], "zeta": ["z.two"]}
    merged = merge(toml, settings)
    assert list(merged) == ["zeta", "alpha", "mid", "omega", "beta"]
    assert merged == {
        "zeta": ["z.one", "z.two"],
        "alpha": ["a.one", "a.two"],
        "mid": ["m.one"],
        "omega": ["o.one"],
        "beta": ["b.one"],
    }


def test_inside_a_group_toml_entries_then_settings_entries_each_in_listed_order() -> None:
    toml = {"middleware": ["t.c", "t.a", "t.b"]}
    settings = {"middleware": ["s.z", "s.x", "s.y"]}
    assert merge(toml, settings)["middleware"] == ["t.c", "t.a", "t.b", "s.z", "s.x", "s.y"]


def test_empty_sources_and_empty_groups() -> None:
    assert merge({}, {}) == {}
    assert merge({"empty": []}, {"also_empty": []}) == {"empty": [], "also_empty": []}
    assert merge_plugins().as_dict() == {}


def test_positions_are_one_based_load_order_within_the_group() -> None:
    plan = merge_plugins(
        source_from_mapping("toml", TOML_FILE, {"g": ["a", "b"]}),
        source_from_mapping("settings", SETTINGS_FILE, {"g": ["a", "c"], "h": ["x"]}),
    )
    assert [(e.uri, plan.position(e)) for e in plan.entries()] == [
        ("a", 1),
        ("b", 2),
        ("c", 3),
        ("x", 1),
    ]
    [dropped] = plan.duplicates
    assert plan.position(dropped.entry) is None
    assert plan.group("g") == plan.groups[0][1]
    assert plan.group("nope") == ()
    assert plan.group_names() == ["g", "h"]


# --- de-duplication -----------------------------------------------------------------------------


def test_duplicate_within_one_source_keeps_the_first_occurrence() -> None:
    plan = merge_plugins(
        source_from_mapping("toml", TOML_FILE, {"g": ["a", "b", "a", "c", "b"]}),
    )
    assert plan.as_dict() == {"g": ["a", "b", "c"]}
    assert [(d.entry.uri, d.first.uri) for d in plan.duplicates] == [("a", "a"), ("b", "b")]
    assert all(d.entry.provenance.source == "toml" for d in plan.duplicates)


def test_duplicate_across_sources_names_the_toml_entry_as_first() -> None:
    toml_source = source_from_mapping("toml", TOML_FILE, {"g": ["a", "b"]})
    settings_source = source_from_mapping("settings", SETTINGS_FILE, {"g": ["b", "c"]})
    plan = merge_plugins(toml_source, settings_source)
    assert plan.as_dict() == {"g": ["a", "b", "c"]}
    [duplicate] = plan.duplicates
    assert duplicate == Duplicate(
        entry=settings_source.groups[0].entries[0], first=toml_source.groups[0].entries[1]
    )
    assert duplicate.entry.provenance.source == "settings"
    assert duplicate.first.provenance.source == "toml"
    assert plan.duplicate_of(duplicate.entry) is duplicate
    assert plan.duplicate_of(duplicate.first) is None


def test_duplicates_within_settings_after_toml_name_the_very_first() -> None:
    plan = merge_plugins(
        source_from_mapping("toml", TOML_FILE, {"g": ["a"]}),
        source_from_mapping("settings", SETTINGS_FILE, {"g": ["a", "a"]}),
    )
    assert len(plan.duplicates) == 2
    assert {d.first.provenance.source for d in plan.duplicates} == {"toml"}


def test_the_same_uri_in_different_groups_is_not_a_duplicate() -> None:
    plan = merge_plugins(
        source_from_mapping("toml", TOML_FILE, {"g": ["a"], "h": ["a"]}),
        source_from_mapping("settings", SETTINGS_FILE, {"i": ["a"]}),
    )
    assert plan.as_dict() == {"g": ["a"], "h": ["a"], "i": ["a"]}
    assert plan.duplicates == ()


# --- purity -------------------------------------------------------------------------------------


def test_merging_twice_gives_the_same_plan_and_leaves_the_inputs_untouched() -> None:
    toml: dict[str, Any] = {"middleware": ["a", "b"], "hooks": ["h"]}
    settings: dict[str, Any] = {"middleware": ["b", "c"], "extra": ("x", "x")}
    toml_before, settings_before = copy.deepcopy(toml), copy.deepcopy(settings)

    sources = (
        source_from_mapping("toml", TOML_FILE, toml),
        source_from_mapping("settings", SETTINGS_FILE, settings),
    )
    sources_before = copy.deepcopy(sources)
    first = merge_plugins(*sources)
    second = merge_plugins(*sources)

    assert first == second
    assert first.as_dict() == second.as_dict()
    assert first.duplicates == second.duplicates
    assert toml == toml_before
    assert settings == settings_before
    assert sources == sources_before
    # The plan's lists are fresh: changing them changes nothing else.
    first.as_dict()["middleware"].append("zzz")
    assert second.as_dict()["middleware"] == ["a", "b", "c"]
    assert toml == toml_before


def test_the_documented_algorithm_mutates_its_input_but_ours_does_not() -> None:
    """The documentation's ``_collect_plugins`` extends the TOML lists in place; the contract
    says merging never mutates the loaded config. Same result, no side effect."""
    toml = {"middleware": ["t"]}
    settings = {"middleware": ["s"]}
    assert merge(toml, settings) == reference_collect(toml, settings)
    assert toml == {"middleware": ["t"]}


uris = st.sampled_from(["a", "b", "c", "a.b", "pkg.mod.attr", "x.y"])
groups = st.sampled_from(["middleware", "hooks", "database", "cache", "validators"])
plugin_tables = st.dictionaries(groups, st.lists(uris, max_size=6), max_size=5)


@given(toml=plugin_tables, settings=plugin_tables)
def test_merge_agrees_with_the_documented_algorithm(
    toml: dict[str, list[str]], settings: dict[str, list[str]]
) -> None:
    toml_before, settings_before = copy.deepcopy(toml), copy.deepcopy(settings)
    plan = merge_plugins(
        source_from_mapping("toml", TOML_FILE, toml),
        source_from_mapping("settings", SETTINGS_FILE, settings),
    )
    assert plan.as_dict() == reference_collect(toml, settings)
    assert (toml, settings) == (toml_before, settings_before)
    listed = sum(len(v) for v in toml.values()) + sum(len(v) for v in settings.values())
    assert len(list(plan.entries())) + len(plan.duplicates) == listed
    for duplicate in plan.duplicates:
        assert duplicate.first.uri == duplicate.entry.uri
        assert duplicate.first.group == duplicate.entry.group
        assert plan.position(duplicate.first) is not None


# --- shape --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["a.b"], "PLUGINS must be a dict of group name to list of URIs, not list"),
        ("a.b", "PLUGINS must be a dict of group name to list of URIs, not str"),
        ({"hooks": "core.hooks.startup"}, "PLUGINS group 'hooks' must be a list of URI strings"),
        ({"hooks": None}, "PLUGINS group 'hooks' must be a list of URI strings, not NoneType"),
        ({"hooks": ["ok", 3]}, "PLUGINS group 'hooks' entry 2 must be a string, not int (3)"),
        ({1: ["a"]}, "PLUGINS group names must be strings, not int"),
    ],
)
def test_wrong_shapes_raise_plugin_shape_error(value: object, message: str) -> None:
    with pytest.raises(PluginShapeError) as caught:
        source_from_mapping("settings", SETTINGS_FILE, value)
    assert message in str(caught.value)
    assert str(SETTINGS_FILE) in str(caught.value)
    assert caught.value.location.file == SETTINGS_FILE


def test_shape_error_names_the_group() -> None:
    with pytest.raises(PluginShapeError) as caught:
        source_from_mapping("toml", TOML_FILE, {"ok": [], "hooks": "h.start"})
    assert caught.value.group == "hooks"
    assert "[spoc.plugins] group 'hooks'" in str(caught.value)


def test_tuples_are_accepted_as_lists() -> None:
    source = source_from_mapping("settings", SETTINGS_FILE, {"g": ("a", "b")})
    assert [entry.uri for entry in source.entries()] == ["a", "b"]


# --- provenance ---------------------------------------------------------------------------------

TOML_TEXT = """\
[spoc]
mode = "development"

[spoc.plugins]
middleware = [
    "app.middleware.one",  # a comment with "a string" in it
    'app.middleware.two',
    "app.middleware.one",
]
hooks = ["app.hooks.start", "app.hooks.stop"]
"""

SETTINGS_TEXT = '''\
"""Settings."""

PLUGINS = {
    "middleware": [
        "app.middleware.two",
        "app.middleware.three",
    ],
    "extra": ["app.extra.thing"],
}
'''


def sources_from_text() -> tuple[PluginSource, PluginSource]:
    toml_table = tomllib.loads(TOML_TEXT)["spoc"]["plugins"]
    settings_value = ast.literal_eval(SETTINGS_TEXT.split("PLUGINS = ", 1)[1])
    toml = source_from_mapping(
        "toml", TOML_FILE, toml_table, locator(toml_string_positions(TOML_TEXT))
    )
    settings = source_from_mapping(
        "settings", SETTINGS_FILE, settings_value, locator(python_string_positions(SETTINGS_TEXT))
    )
    return toml, settings


def where(entry: PluginEntry) -> tuple[str, Path | None, int | None, int | None]:
    p = entry.provenance
    return (p.source, p.file, p.line, p.column)


def test_every_entry_keeps_source_file_line_and_column() -> None:
    plan = merge_plugins(*sources_from_text())
    assert [(e.group, e.uri, where(e)) for e in plan.entries()] == [
        ("middleware", "app.middleware.one", ("toml", TOML_FILE, 6, 6)),
        ("middleware", "app.middleware.two", ("toml", TOML_FILE, 7, 6)),
        ("middleware", "app.middleware.three", ("settings", SETTINGS_FILE, 6, 10)),
        ("hooks", "app.hooks.start", ("toml", TOML_FILE, 10, 11)),
        ("hooks", "app.hooks.stop", ("toml", TOML_FILE, 10, 30)),
        ("extra", "app.extra.thing", ("settings", SETTINGS_FILE, 8, 16)),
    ]


def test_duplicates_keep_their_own_provenance_and_point_at_the_first() -> None:
    plan = merge_plugins(*sources_from_text())
    assert [(where(d.entry), where(d.first)) for d in plan.duplicates] == [
        (("toml", TOML_FILE, 8, 6), ("toml", TOML_FILE, 6, 6)),
        (("settings", SETTINGS_FILE, 5, 10), ("toml", TOML_FILE, 7, 6)),
    ]


def test_the_column_is_the_first_character_inside_the_quotes() -> None:
    for entry in merge_plugins(*sources_from_text()).entries():
        p = entry.provenance
        assert p.line is not None and p.column is not None
        text = TOML_TEXT if p.source == "toml" else SETTINGS_TEXT
        line = text.splitlines()[p.line - 1]
        assert line[p.column - 1 :].startswith(entry.uri)
        assert line[p.column - 2] in "\"'"


def test_location_renders_file_line_and_column() -> None:
    entry = next(merge_plugins(*sources_from_text()).entries())
    assert str(entry.provenance.location) == f"{TOML_FILE}:6:6"
    assert str(Provenance("toml", TOML_FILE).location) == str(TOML_FILE)


def test_without_a_locator_entries_have_no_position() -> None:
    source = source_from_mapping("toml", TOML_FILE, {"g": ["a"]})
    [entry] = source.entries()
    assert entry.provenance == Provenance("toml", TOML_FILE, None, None)
