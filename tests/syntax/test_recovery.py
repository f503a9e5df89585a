"""Broken ``spoc.toml`` files and settings modules: what is outside the damage is still found,
exactly, and the string being typed is still a completion site.

In each fixture, ``«...»`` marks every entry the parser must still find (and no other), ``‸``
a cursor. One table per question, each row read as the file kind it names.
"""

from __future__ import annotations

import pytest

from spoc_lsp.syntax import ConfigKind, parse_config, parse_settings, parse_toml_config
from spoc_lsp.syntax.model import Position

from .markup import entries, marked, show

TOML_CASES: list[tuple[str, str]] = [
    (
        "missing comma",
        '[spoc.plugins]\nmw = [\n  "«a»",\n  "«b»" "«c»",\n  "«d»",\n]\nx = ["«e»"]\n',
    ),
    (
        "missing ']' before the next table",
        """[spoc.plugins]
mw = [
  "«a»",
  "«b»",
[spoc.apps]
main = ["x"]
[spoc.plugins]
z = ["«z»"]
""",
    ),
    (
        "missing ']' before the next key",
        '[spoc.plugins]\nmw = [\n  "«a»",\n  "«b»",\nother = ["«c»"]\n',
    ),
    (
        "unterminated string in a multi-line array",
        '[spoc.plugins]\nmw = [\n  "«a»",\n  "myapp.mid\n  "«d»",\n]\nx = ["«e»"]\n',
    ),
    (
        "unterminated string at the end of the file",
        '[spoc.plugins]\nmw = ["«a»", "«b»",\n  "myapp.midd',
    ),
    (
        "garbage inside an array",
        '[spoc.plugins]\nmw = [\n  "«a»",\n  @@ oops !!\n  "«b»",\n]\n',
    ),
    (
        "garbage between groups",
        '[spoc.plugins]\nmw = ["«a»"]\n%%% what\nviews = ["«b»"]\n',
    ),
    (
        "unterminated multi-line string: the lines after it are read again",
        '[spoc.plugins]\nmw = ["«a»", """oops\nviews = ["«b»"]\n',
    ),
    (
        "table header missing its ']'",
        '[spoc.plugins\nmw = ["«a»"]\n',
    ),
    (
        "a key with no value",
        '[spoc.plugins]\nmw =\nviews = ["«b»"]\n',
    ),
    (
        "an invalid escape keeps the string (its value keeps the escape as written)",
        '[spoc.plugins]\nmw = ["«a»", "«b\\qc»", "«d»"]\n',
    ),
    (
        "a NUL character inside a string",
        '[spoc.plugins]\nmw = ["«a\x00b»", "«c»"]\n',
    ),
    (
        "a stray closing bracket",
        '[spoc.plugins]\nmw = ["«a»"]]\nviews = ["«b»"]\n',
    ),
    (
        "an inline table missing its '}'",
        '[spoc]\nplugins = { mw = ["«a»"]\n[spoc.plugins]\nviews = ["«b»"]\n',
    ),
    (
        "an unterminated group name",
        '[spoc.plugins]\n"my-gr = ["x"]\nviews = ["«b»"]\n',
    ),
]

SETTINGS_CASES: list[tuple[str, str]] = [
    (
        "unterminated string, other groups after it",
        """PLUGINS = {
    "mw": ["«a»", "myapp.mid
    "views": ["«b»"],
}
PLUGINS["x"] = ["«c»"]
""",
    ),
    (
        "missing ']' before the closing brace",
        'PLUGINS = {\n    "mw": [\n        "«a»",\n        "«b»",\n}\nPLUGINS["x"] = ["«c»"]\n',
    ),
    (
        "missing '}' before the next statement",
        'PLUGINS = {\n    "mw": ["«a»"],\nPLUGINS["x"] = ["«c»"]\n',
    ),
    (
        "garbage line inside a list",
        'PLUGINS = {\n    "mw": [\n        "«a»",\n        oops oops\n        "«b»",\n    ],\n}\n',
    ),
    (
        "half-typed lines before and after",
        'x = foo(\nPLUGINS = {"mw": ["«a»"]}\ny = [1,\nPLUGINS["mw"].append("«b»")\n',
    ),
    (
        "unterminated triple-quoted string",
        'PLUGINS = {"mw": ["«a»"]}\nDOC = """never closed\nPLUGINS["x"] = ["«c»"]\n',
    ),
    (
        "unclosed call, then the next statement",
        'PLUGINS = {"mw": ["«a»"]}\nPLUGINS["mw"].append("«b»"\nPLUGINS["x"] = ["«c»"]\n',
    ),
    (
        "a method being typed after the dict",
        'PLUGINS = {"mw": ["«a»", "«b»"]}.\n',
    ),
    (
        "an operator being typed after a list",
        'PLUGINS = {"mw": ["«a»"] + }\n',
    ),
    (
        "unclosed dict at the end of the file",
        'PLUGINS = {"mw": ["«a»", "«b»"],\n    "x": [',
    ),
    (
        "an unexpected indent",
        'PLUGINS = {"mw": ["«a»"]}\n    PLUGINS["mw"].append("oops")\nPLUGINS["x"] = ["«c»"]\n',
    ),
    (
        "a stray closing bracket",
        'PLUGINS = {"mw": ["«a»"]]}\nPLUGINS["x"] = ["«c»"]\n',
    ),
    (
        "a re-assignment being typed adds groups, replaces none",
        'PLUGINS = {"mw": ["«a»"]}\nPLUGINS = {"x": ["«b»"], "mw": ["c"',
    ),
    (
        "a statement followed by a stray line was meant to go on",
        'PLUGINS = {"mw": ["«a»"]},\n)\n',
    ),
    (
        "a trailer being typed after a call",
        'PLUGINS = {}\nPLUGINS.update(mw=["«a»"]).\n',
    ),
    (
        "a call being typed after a group",
        'PLUGINS = {"mw": ["«a»"]}\nPLUGINS["mw"].append(\n',
    ),
    (
        "in a display with a syntax error, each item is the literal it starts with",
        'PLUGINS = {"mw": ("«a»",).oops,, "x": ["«b»"] + }\n',
    ),
    (
        "a call in a damaged statement is read leniently",
        'PLUGINS = {"mw": ["«a»"]}\nPLUGINS.update(v=["«b»"]), oops = 1\n',
    ),
    (
        "a one-quote string does not run over a line end",
        'PLUGINS = {"mw": ["«a»"]}\nPLUGINS["mw"].append("oops\nmore")\nPLUGINS["x"] = ["«b»"]\n',
    ),
    (
        "a NUL byte in a string",
        'PLUGINS = {"mw": ["«a\x00b»", "«c»"]}\n',
    ),
]

CASES = [pytest.param("toml", fixture, id=f"toml-{name}") for name, fixture in TOML_CASES] + [
    pytest.param("settings", fixture, id=f"settings-{name}") for name, fixture in SETTINGS_CASES
]


@pytest.mark.parametrize(("kind", "fixture"), CASES)
def test_entries_outside_the_damage_are_found(kind: ConfigKind, fixture: str) -> None:
    source = marked(fixture)
    parsed = parse_config(kind, source.text, None)
    assert [show(span) for _, _, span in entries(parsed)] == [show(s) for s in source.entries]
    if kind == "toml":
        assert any(problem.code == "SPOC009" for problem in parsed.problems)


def test_invalid_escape_value_is_kept_as_written() -> None:
    parsed = parse_toml_config('[spoc.plugins]\nmw = ["b\\qc"]\n', None)
    assert [entry.uri for entry in parsed.source.groups[0].entries] == ["b\\qc"]


def test_missing_comma_across_lines_is_implicit_concatenation() -> None:
    # Valid Python, and a classic mistake: the two strings are one entry, "ab".
    source = marked('PLUGINS = {"mw": [\n    "«a"\n    "b»",\n]}\n')
    parsed = parse_settings(source.text, None)
    [(group, uri, span)] = entries(parsed)
    assert (group, uri, show(span)) == ("mw", "ab", show(source.entries[0]))


# (id, fixture with a cursor, group, text of the site, terminated)
TOML_SITES: list[tuple[str, str, str | None, str, bool]] = [
    ("typing an entry", '[spoc.plugins]\nmw = ["myapp.midd‸', "mw", "myapp.midd", False),
    (
        "typing in a multi-line array",
        '[spoc.plugins]\nmw = [\n  "a",\n  "myapp.‸\n]\n',
        "mw",
        "myapp.",
        False,
    ),
    ("an empty new string", '[spoc.plugins]\nmw = ["a", "‸', "mw", "", False),
    (
        "inside a finished string",
        '[spoc.plugins]\nmw = ["myapp.mi‸ddleware"]\n',
        "mw",
        "myapp.middleware",
        True,
    ),
    ("right after a finished string", '[spoc.plugins]\nmw = ["myapp.x‸"]\n', "mw", "myapp.x", True),
    ("a literal string", "[spoc.plugins]\nmw = ['myapp.‸", "mw", "myapp.", False),
    ("a quoted group", '[spoc.plugins]\n"my group" = ["x.‸', "my group", "x.", False),
    ("the value of a group being typed", '[spoc.plugins]\nmw = "myapp.‸', "mw", "myapp.", False),
    ("dotted key", 'spoc.plugins.mw = ["a.b", "c.‸', "mw", "c.", False),
]

SETTINGS_SITES: list[tuple[str, str, str | None, str, bool]] = [
    ("typing an entry", 'PLUGINS = {"mw": ["myapp.midd‸', "mw", "myapp.midd", False),
    (
        "typing an entry, more groups after",
        'PLUGINS = {\n    "mw": ["myapp.mid‸\n    "v": ["x"],\n}\n',
        "mw",
        "myapp.mid",
        False,
    ),
    ("typing an append", 'PLUGINS = {"mw": []}\nPLUGINS["mw"].append("my‸', "mw", "my", False),
    ("typing a group", 'PLUGINS = {}\nPLUGINS["mw"] = ["a.b", \'c.‸', "mw", "c.", False),
    ("typing in a keyword", "PLUGINS = dict(mw=['x.‸", "mw", "x.", False),
    ("typing in an if block", 'if DEBUG:\n    PLUGINS["dbg"].append("t‸', "dbg", "t", False),
    ("typing a triple-quoted string", 'PLUGINS = {"mw": ["""my‸', "mw", "my", False),
    (
        "inside a finished string",
        'PLUGINS = {"mw": ["myapp.mi‸ddleware"]}\n',
        "mw",
        "myapp.middleware",
        True,
    ),
    ("right after a finished string", 'PLUGINS = {"mw": ["x.y‸"]}\n', "mw", "x.y", True),
    ("a group value being typed", 'PLUGINS = {"mw": "x.‸', "mw", "x.", False),
]

SITES = [pytest.param("toml", *case[1:], id=f"toml-{case[0]}") for case in TOML_SITES] + [
    pytest.param("settings", *case[1:], id=f"settings-{case[0]}") for case in SETTINGS_SITES
]


@pytest.mark.parametrize(("kind", "fixture", "group", "text", "terminated"), SITES)
def test_string_at_the_cursor(
    kind: ConfigKind, fixture: str, group: str | None, text: str, terminated: bool
) -> None:
    source = marked(fixture)
    parsed = parse_config(kind, source.text, None)
    site = parsed.string_at(source.cursors[0])
    assert site is not None
    assert (site.group, site.text, site.terminated) == (group, text, terminated)


@pytest.mark.parametrize(
    ("kind", "fixture", "cursors"),
    [
        pytest.param("toml", '[spoc.plugins]\nmw ‸= ["a"]‸\n[spoc]\nmode = "‸dev"\n', 3, id="toml"),
        pytest.param(
            "settings",
            'X = "not‸ a plugin"\nPLUGINS = {"m‸w": ["a"]‸}\nPLUGINS["‸v"] = []\n',
            4,
            id="settings",
        ),
    ],
)
def test_no_site_outside_plugin_strings(kind: ConfigKind, fixture: str, cursors: int) -> None:
    source = marked(fixture)
    parsed = parse_config(kind, source.text, None)
    assert [parsed.string_at(cursor) for cursor in source.cursors] == [None] * cursors


def test_unterminated_site_runs_to_the_end_of_its_line() -> None:
    text = '[spoc.plugins]\nmw = ["a", "myapp.mid  # not a comment\n'
    parsed = parse_toml_config(text, None)
    site = parsed.string_at(Position(1, 20))
    assert site is not None
    assert site.text == "myapp.mid  # not a comment"
    assert show(site.span) == "1:12-1:38"


def test_typing_the_first_key_is_not_a_problem() -> None:
    parsed = parse_settings('PLUGINS = {"m', None)
    assert parsed.problems == ()
    assert parsed.strings == ()
