"""Broken settings modules: what is outside the damage is still found, exactly.

In each fixture, ``«...»`` marks every entry the parser must still find (and no other).
"""

from __future__ import annotations

import pytest

from spoc_lsp.syntax import parse_settings

from .markup import entries, marked, show

CASES: list[tuple[str, str]] = [
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


@pytest.mark.parametrize("fixture", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_entries_outside_the_damage_are_found(fixture: str) -> None:
    source = marked(fixture)
    parsed = parse_settings(source.text, None)
    assert [show(span) for _, _, span in entries(parsed)] == [show(s) for s in source.entries]


def test_missing_comma_across_lines_is_implicit_concatenation() -> None:
    # Valid Python, and a classic mistake: the two strings are one entry, "ab".
    source = marked('PLUGINS = {"mw": [\n    "«a"\n    "b»",\n]}\n')
    parsed = parse_settings(source.text, None)
    [(group, uri, span)] = entries(parsed)
    assert (group, uri, show(span)) == ("mw", "ab", show(source.entries[0]))


SITE_CASES: list[tuple[str, str, str | None, str, bool]] = [
    # (id, module with a cursor, group, text of the site, terminated)
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


@pytest.mark.parametrize(
    ("fixture", "group", "text", "terminated"),
    [c[1:] for c in SITE_CASES],
    ids=[c[0] for c in SITE_CASES],
)
def test_string_at_the_cursor(fixture: str, group: str | None, text: str, terminated: bool) -> None:
    source = marked(fixture)
    parsed = parse_settings(source.text, None)
    site = parsed.string_at(source.cursors[0])
    assert site is not None
    assert (site.group, site.text, site.terminated) == (group, text, terminated)


def test_no_site_outside_plugin_strings() -> None:
    source = marked('X = "not‸ a plugin"\nPLUGINS = {"m‸w": ["a"]‸}\nPLUGINS["‸v"] = []\n')
    parsed = parse_settings(source.text, None)
    assert [parsed.string_at(cursor) for cursor in source.cursors] == [None, None, None, None]


def test_typing_the_first_key_is_not_a_problem() -> None:
    parsed = parse_settings('PLUGINS = {"m', None)
    assert parsed.problems == ()
    assert parsed.strings == ()
