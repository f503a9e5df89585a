"""Every way ``spoc.toml`` can list plugin groups, and every way a settings module can build
``PLUGINS`` (read in order as the runtime runs it): entries, their exact ranges, group order.

Each case is a fixture with ``«...»`` around each entry's content (that ends up in the plugin
groups) and the groups it should give (in group order, entries in listed order). No case has
a problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spoc.plugins import Provenance
from spoc_lsp.syntax import ConfigKind, parse_config, parse_settings, parse_toml_config

from .markup import entries, groups, marked, show

TOML_CASES: list[tuple[str, str, dict[str, list[str]]]] = [
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

SETTINGS_CASES: list[tuple[str, str, dict[str, list[str]]]] = [
    (
        "a dict literal",
        'PLUGINS = {\n    "mw": ["«a.b»", "«c.d»"],\n    "views": ["«e.f»"],\n}\n',
        {"mw": ["a.b", "c.d"], "views": ["e.f"]},
    ),
    (
        "annotated, plain and generic",
        'PLUGINS: dict = {"a": ["x.one"]}\nPLUGINS: dict[str, list[str]] = {"b": ["«x.two»"]}\n',
        {"b": ["x.two"]},
    ),
    (
        "tuples, one-element tuples and parenthesised strings",
        'PLUGINS = {"mw": ("«a.b»", ("«c.d»")), "one": ("«e.f»",)}\n',
        {"mw": ["a.b", "c.d"], "one": ["e.f"]},
    ),
    (
        "quotes, escapes, raw strings, f-strings without placeholders",
        r"""PLUGINS = {
    'mw': ['«a.b»', "«c\x2ed»", '''«e.f»''', r'«g\h»', f'«i{{j}}»', u"«k.l»"],
}
""",
        {"mw": ["a.b", "c.d", "e.f", "g\\h", "i{j}", "k.l"]},
    ),
    (
        "implicit concatenation is one entry spanning the whole expression",
        'PLUGINS = {"mw": ["«myapp." "middleware»", "«a»"]}\n',
        {"mw": ["myapp.middleware", "a"]},
    ),
    (
        "the builtin dict with keyword arguments",
        'PLUGINS = dict(mw=["«a.b»"], views=("«c.d»",))\n',
        {"mw": ["a.b"], "views": ["c.d"]},
    ),
    (
        "subscript assignment adds a group at the end, or replaces one in place",
        'PLUGINS = {"a": ["x"], "b": ["«y»"]}\nPLUGINS["c"] = ["«z»"]\nPLUGINS["a"] = ["«w»"]\n',
        {"a": ["w"], "b": ["y"], "c": ["z"]},
    ),
    (
        "append, extend and +=",
        """PLUGINS = {"mw": ["«a»"]}
PLUGINS["mw"].append("«b»")
PLUGINS["mw"].extend(["«c»", "«d»"])
PLUGINS["mw"] += ["«e»"]
PLUGINS["mw"] += ("«f»",)
PLUGINS["mw"] = PLUGINS["mw"] + ["«g»"]
""",
        {"mw": ["a", "b", "c", "d", "e", "f", "g"]},
    ),
    (
        "a tuple group grows by + and +=",
        """PLUGINS = {"t": ("«a»",)}
PLUGINS["t"] += ("«b»",)
PLUGINS["t"] = PLUGINS["t"] + ("«c»",)
""",
        {"t": ["a", "b", "c"]},
    ),
    (
        "update with a dict and with keywords",
        'PLUGINS = {"a": ["x"]}\nPLUGINS.update({"a": ["«y»"]})\nPLUGINS.update(b=["«z»"])\n',
        {"a": ["y"], "b": ["z"]},
    ),
    (
        "setdefault, then append",
        'PLUGINS = {"a": ["«x»"]}\nPLUGINS.setdefault("a", []).append("«y»")\n'
        'PLUGINS.setdefault("b", ["«z»"]).append("«w»")\n',
        {"a": ["x", "y"], "b": ["z", "w"]},
    ),
    (
        "re-assignment drops earlier entries",
        'PLUGINS = {"a": ["old"]}\nPLUGINS["b"] = ["old.too"]\nPLUGINS = {"c": ["«new»"]}\n',
        {"c": ["new"]},
    ),
    (
        "del removes a group; adding it again puts it last",
        'PLUGINS = {"a": ["x"], "b": ["«y»"]}\ndel PLUGINS["a"]\nPLUGINS["a"] = ["«z»"]\n',
        {"b": ["y"], "a": ["z"]},
    ),
    (
        "a group that is another group is the same list (aliasing, as at runtime)",
        'PLUGINS = {"a": ["«x»"]}\nPLUGINS["b"] = PLUGINS["a"]\nPLUGINS["b"].append("«y»")\n',
        {"a": ["x", "y"], "b": ["x", "y"]},
    ),
    (
        "insert, remove, pop and clear",
        'PLUGINS = {"a": ["«x»", "gone"], "b": ["dropped"]}\nPLUGINS["a"].insert(0, "«w»")\n'
        'PLUGINS["a"].remove("gone")\nPLUGINS["b"].clear()\nPLUGINS["b"].append("«v»")\n'
        'PLUGINS["a"].append("last")\nPLUGINS["a"].pop()\n',
        {"a": ["w", "x"], "b": ["v"]},
    ),
    (
        "other code around PLUGINS is ignored",
        'import os\nDEBUG = os.environ.get("DEBUG")\nPLUGINS = {"mw": ["«a»"]}\n'
        "def helper():\n    return 1\nclass Config:\n    pass\nX = [1, 2, 3]\n",
        {"mw": ["a"]},
    ),
    (
        "statements on one line with ';' and a backslash continuation",
        'PLUGINS = {"mw": []}; PLUGINS["mw"].append("«a»")\nPLUGINS["mw"] \\\n    .append("«b»")\n',
        {"mw": ["a", "b"]},
    ),
    (
        "a call runs wherever it is: in a tuple, or as the value of an assignment",
        'PLUGINS = {"a": ["x"], "b": ["«y»"]}\nPLUGINS.update(c=["«z»"]),\n_ = PLUGINS.pop("a")\n',
        {"b": ["y"], "c": ["z"]},
    ),
    (
        "reading methods change nothing",
        'PLUGINS = {"mw": ["«a»"]}\nPLUGINS.get("mw")\nPLUGINS["mw"].count("a")\n',
        {"mw": ["a"]},
    ),
    (
        "a function or class of its own PLUGINS does not touch the module's",
        'PLUGINS = {"mw": ["«a»"]}\ndef f():\n    PLUGINS = {}\n    return PLUGINS\n'
        "class Config:\n    PLUGINS: dict = {}\n",
        {"mw": ["a"]},
    ),
    (
        "a star import is overridden by the assignment",
        'from base import *\nPLUGINS = {"mw": ["«a»"]}\n',
        {"mw": ["a"]},
    ),
]

CASES = [pytest.param("toml", *case[1:], id=f"toml-{case[0]}") for case in TOML_CASES] + [
    pytest.param("settings", *case[1:], id=f"settings-{case[0]}") for case in SETTINGS_CASES
]
FILES: dict[ConfigKind, Path] = {"toml": Path("spoc.toml"), "settings": Path("settings.py")}


@pytest.mark.parametrize(("kind", "fixture", "expected"), CASES)
def test_entries_and_spans(kind: ConfigKind, fixture: str, expected: dict[str, list[str]]) -> None:
    source = marked(fixture)
    parsed = parse_config(kind, source.text, FILES[kind])
    assert [(p.code, p.message) for p in parsed.problems] == []
    assert groups(parsed) == expected
    if kind == "toml":  # one span an entry, in listed order
        assert [show(span) for _, _, span in entries(parsed)] == [show(s) for s in source.entries]
    else:  # an aliased group lists the same entry twice
        spans = sorted({show(span) for _, _, span in entries(parsed)})
        assert spans == sorted(show(s) for s in source.entries)


# --- spoc.toml --------------------------------------------------------------------------------


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


# --- settings modules -------------------------------------------------------------------------


def test_provenance_and_group_spans() -> None:
    source = marked('X = 1\nPLUGINS = {\n    "mw": ["a", \'«b»\'],\n}\nPLUGINS["v"] = []\n')
    parsed = parse_settings(source.text, Path("/p/settings.py"))
    entry = parsed.source.groups[0].entries[1]
    assert entry.provenance == Provenance("settings", Path("/p/settings.py"), 3, 18)
    assert [show(s) for s in parsed.group_spans["mw"]] == ["2:4-2:8"]
    assert [show(s) for s in parsed.group_spans["v"]] == ["4:8-4:11"]
    group = parsed.source.groups[0]
    assert group.provenance is not None
    assert (group.provenance.line, group.provenance.column) == (3, 5)
    assert parsed.source.kind == "settings"


def test_entry_spans_are_in_file_order_and_groups_in_plugins_order() -> None:
    text = 'PLUGINS = {"mw": ["a"], "v": ["b"]}\nPLUGINS["mw"].append("c")\n'
    parsed = parse_settings(text, None)
    assert [entry.uri for entry in parsed.entry_spans] == ["a", "b", "c"]
    assert groups(parsed) == {"mw": ["a", "c"], "v": ["b"]}


def test_implicit_concatenation_maps_offsets_into_each_part() -> None:
    source = marked('PLUGINS = {"mw": ["«my.\\x61" \'pp»\']}\n')
    parsed = parse_settings(source.text, None)
    entry = parsed.source.groups[0].entries[0]
    assert entry.uri == "my.app"
    assert show(parsed.entry_spans[entry]) == show(source.entries[0])
    assert show(parsed.value_span(entry, 3, 1) or source.entries[0]) == "0:22-0:26"  # \x61
    assert show(parsed.value_span(entry, 4, 2) or source.entries[0]) == "0:29-0:31"  # pp
