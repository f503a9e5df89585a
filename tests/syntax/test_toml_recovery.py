"""Broken ``spoc.toml`` files: what is outside the damage is still found, exactly.

In each fixture, ``«...»`` marks every entry the parser must still find (and no other).
"""

from __future__ import annotations

import pytest

from spoc_lsp.syntax import parse_toml_config
from spoc_lsp.syntax.model import Position

from .markup import entries, marked, show

CASES: list[tuple[str, str]] = [
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


@pytest.mark.parametrize("fixture", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_entries_outside_the_damage_are_found(fixture: str) -> None:
    source = marked(fixture)
    parsed = parse_toml_config(source.text, None)
    assert [show(span) for _, _, span in entries(parsed)] == [show(s) for s in source.entries]
    assert any(problem.code == "SPOC009" for problem in parsed.problems)


def test_invalid_escape_value_is_kept_as_written() -> None:
    parsed = parse_toml_config('[spoc.plugins]\nmw = ["b\\qc"]\n', None)
    assert [entry.uri for entry in parsed.source.groups[0].entries] == ["b\\qc"]


SITE_CASES: list[tuple[str, str, str | None, str, bool]] = [
    # (id, fixture with a cursor, group, text of the site, terminated)
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


@pytest.mark.parametrize(
    ("fixture", "group", "text", "terminated"),
    [c[1:] for c in SITE_CASES],
    ids=[c[0] for c in SITE_CASES],
)
def test_string_at_the_cursor(fixture: str, group: str | None, text: str, terminated: bool) -> None:
    source = marked(fixture)
    parsed = parse_toml_config(source.text, None)
    site = parsed.string_at(source.cursors[0])
    assert site is not None
    assert (site.group, site.text, site.terminated) == (group, text, terminated)


def test_no_string_outside_strings() -> None:
    source = marked('[spoc.plugins]\nmw ‸= ["a"]‸\n[spoc]\nmode = "‸dev"\n')
    parsed = parse_toml_config(source.text, None)
    assert [parsed.string_at(cursor) for cursor in source.cursors] == [None, None, None]


def test_unterminated_site_runs_to_the_end_of_its_line() -> None:
    text = '[spoc.plugins]\nmw = ["a", "myapp.mid  # not a comment\n'
    parsed = parse_toml_config(text, None)
    site = parsed.string_at(Position(1, 20))
    assert site is not None
    assert site.text == "myapp.mid  # not a comment"
    assert show(site.span) == "1:12-1:38"
