"""Every way ``spoc.toml`` can list plugin groups: entries, their exact ranges, group order.

Each case is a fixture with ``«...»`` around each entry's content and the groups it should
give (in group order, entries in listed order). No case has a problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spoc.plugins import Provenance
from spoc_lsp.syntax import parse_config, parse_toml_config

from .markup import entries, groups, marked, show

CASES: list[tuple[str, str, dict[str, list[str]]]] = [
    (
        "plain table, one-line array",
        """
[spoc.plugins]
middleware = ["«myapp.middleware.Auth»", "«myapp.middleware.Session»"]
""",
        {"middleware": ["myapp.middleware.Auth", "myapp.middleware.Session"]},
    ),
    (
        "multi-line array with comments and a trailing comma",
        """
[spoc.plugins]
middleware = [  # first comment
    "«a.b»",  # after an entry
    # on its own line
    "«c.d»",
]
""",
        {"middleware": ["a.b", "c.d"]},
    ),
    (
        "literal and basic strings with escapes: the value is unescaped",
        r"""
[spoc.plugins]
mw = ['«lit.\eral»', "«esc\u0061ped.\U00000062»", "«tab\tin»", "«q\"uote»"]
""",
        {"mw": ["lit.\\eral", "escaped.b", "tab\tin", 'q"uote']},
    ),
    (
        "multi-line strings: the first line break is not part of the value",
        '''
[spoc.plugins]
mw = [
    """«
ml.basic»""",
    \'\'\'«ml.literal»\'\'\',
    """«one.\\
       line»""",
]
''',
        {"mw": ["ml.basic", "ml.literal", "one.line"]},
    ),
    (
        "quoted group names",
        """
[spoc.plugins]
"my-group" = ["«a.b»"]
'literal group' = ["«c.d»"]
""",
        {"my-group": ["a.b"], "literal group": ["c.d"]},
    ),
    (
        "inline table under [spoc]",
        """
[spoc]
plugins = { middleware = ["«a.b»"], views = ["«c.d»"] }
""",
        {"middleware": ["a.b"], "views": ["c.d"]},
    ),
    (
        "dotted key under [spoc]",
        """
[spoc]
mode = "production"
plugins.middleware = ["«a.b»"]
""",
        {"middleware": ["a.b"]},
    ),
    (
        "dotted key at the top level",
        """
spoc.plugins.middleware = ["«a.b»"]
spoc.plugins."other group" = ["«c.d»"]
""",
        {"middleware": ["a.b"], "other group": ["c.d"]},
    ),
    (
        "inline table at the top level",
        """
spoc = { plugins = { mw = ["«a.b»"] } }
""",
        {"mw": ["a.b"]},
    ),
    (
        "header with spaces",
        """
[ spoc . plugins ]
a = ["«a.a»"]
""",
        {"a": ["a.a"]},
    ),
    (
        "header with quoted keys",
        """
["spoc".'plugins']
b = ["«b.b»"]
""",
        {"b": ["b.b"]},
    ),
    (
        "sub-table first, super-table later, other tables between",
        """
[spoc.plugins]
zeta = ["«z.one»"]
alpha = ["«a.one»"]

[tool.other]
zeta = ["not.ours"]
x = 1

[spoc]
mode = "development"

[spoc.apps]
main = ["not.a.plugin"]
""",
        {"zeta": ["z.one"], "alpha": ["a.one"]},
    ),
    (
        "an empty array is a group with no entries",
        """
[spoc.plugins]
empty = []
""",
        {"empty": []},
    ),
    (
        "tables that only look like ours are not",
        """
[spoc_other.plugins]
mw = ["x.y"]
[other.spoc.plugins]
mw = ["x.y"]
[[plugins]]
spoc = "not an entry"
""",
        {},
    ),
    (
        "nested arrays of tables and arrays elsewhere are skipped",
        """
[[servers]]
ports = [[1, 2], [3, 4]]
[spoc.plugins]
mw = [
  "«a.b»",
]
""",
        {"mw": ["a.b"]},
    ),
]


@pytest.mark.parametrize(("fixture", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_entries_and_spans(fixture: str, expected: dict[str, list[str]]) -> None:
    source = marked(fixture)
    parsed = parse_toml_config(source.text, Path("spoc.toml"))
    assert [(p.code, p.message) for p in parsed.problems] == []
    assert groups(parsed) == expected
    assert [show(span) for _, _, span in entries(parsed)] == [show(s) for s in source.entries]


def test_plugins_defined_in_pieces_are_all_read_and_tomllib_says_why_it_is_invalid() -> None:
    source = marked(
        """[spoc.plugins]
zeta = ["«z.one»"]
[tool.other]
x = 1
[spoc]
⟦plugins.alpha⟧ = ["«a.one»"]
[spoc.plugins]
zeta2 = ["«z.two»"]
"""
    )
    parsed = parse_toml_config(source.text, None)
    assert groups(parsed) == {"zeta": ["z.one"], "alpha": ["a.one"], "zeta2": ["z.two"]}
    assert [show(span) for _, _, span in entries(parsed)] == [show(s) for s in source.entries]
    [problem] = parsed.problems
    assert problem.code == "SPOC009"
    assert problem.message.startswith("invalid TOML: ")
    assert show(problem.span) == show(source.problems[0])


def test_provenance_is_one_based_at_the_first_content_character() -> None:
    source = marked("[spoc.plugins]\nmw = [\"a.b\", '«c.d»']\n")
    parsed = parse_toml_config(source.text, Path("/p/spoc.toml"))
    entry = parsed.source.groups[0].entries[1]
    assert entry.provenance == Provenance("toml", Path("/p/spoc.toml"), 2, 15)
    assert source.entries[0].start.line + 1 == entry.provenance.line
    assert source.entries[0].start.column + 1 == entry.provenance.column
    assert parsed.source.kind == "toml"
    assert parsed.source.file == Path("/p/spoc.toml")


def test_group_spans_and_provenance_point_at_group_keys() -> None:
    text = '[spoc.plugins]\nmw = ["a"]\n"q g" = ["b"]\n[spoc]\nplugins.mw = ["c"]\n'
    parsed = parse_toml_config(text, None)
    assert [show(s) for s in parsed.group_spans["mw"]] == ["1:0-1:2", "4:8-4:10"]
    assert [show(s) for s in parsed.group_spans["q g"]] == ["2:0-2:5"]
    assert groups(parsed) == {"mw": ["a", "c"], "q g": ["b"]}  # tomllib reports the clash
    group = parsed.source.groups[0]
    assert group.provenance is not None
    assert (group.provenance.line, group.provenance.column) == (2, 1)


def test_known_key_spans() -> None:
    text = '[spoc]\nmode = "x"\ndebug = true\n[spoc.apps]\n[spoc.plugins]\n'
    parsed = parse_toml_config(text, None)
    assert {key: [show(s) for s in spans] for key, spans in parsed.key_spans.items()} == {
        "mode": ["1:0-1:4"],
        "debug": ["2:0-2:5"],
        "apps": ["3:6-3:10"],
        "plugins": ["4:6-4:13"],
    }


def test_value_span_maps_uri_offsets_through_escapes() -> None:
    source = marked('[spoc.plugins]\nmw = ["«a\\u002Eb.c»"]\n')
    parsed = parse_toml_config(source.text, None)
    entry = parsed.source.groups[0].entries[0]
    assert entry.uri == "a.b.c"
    assert show(parsed.value_span(entry, 0, 1) or source.entries[0]) == "1:7-1:8"  # "a"
    assert show(parsed.value_span(entry, 1, 1) or source.entries[0]) == "1:8-1:14"  # "\u002E"
    assert show(parsed.value_span(entry, 2, 3) or source.entries[0]) == "1:14-1:17"  # "b.c"


def test_parse_config_dispatches() -> None:
    toml = parse_config("toml", '[spoc.plugins]\nmw = ["a"]\n', None)
    settings = parse_config("settings", 'PLUGINS = {"mw": ["a"]}\n', None)
    assert groups(toml) == groups(settings) == {"mw": ["a"]}
    assert (toml.source.kind, settings.source.kind) == ("toml", "settings")
