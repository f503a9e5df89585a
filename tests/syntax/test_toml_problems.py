"""Every problem ``spoc.toml`` can have, with its exact range (``⟦...⟧`` in the fixture)."""

from __future__ import annotations

import pytest

from spoc_lsp.syntax import parse_toml_config

from .markup import marked, show

# (id, fixture, [(code, message), ...] in the order of the marked ranges)
CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    # --- SPOC005: plugin groups and entries of the wrong type ---------------------------------
    (
        "a group that is a string",
        '[spoc.plugins]\nmw = ⟦"a.b"⟧\n',
        [("SPOC005", "spoc.plugins.mw must be an array of strings, not a string")],
    ),
    (
        "a group that is an inline table",
        "[spoc.plugins]\nmw = ⟦{ a = 1 }⟧\n",
        [("SPOC005", "spoc.plugins.mw must be an array of strings, not a table")],
    ),
    (
        "entries that are not strings",
        '[spoc.plugins]\nmw = ["a", ⟦1⟧, ⟦["b"]⟧, ⟦{ x = 1 }⟧, ⟦true⟧]\n',
        [
            ("SPOC005", "spoc.plugins.mw must hold only strings, found an integer 1"),
            ("SPOC005", "spoc.plugins.mw must hold only strings, found an array ['b']"),
            ("SPOC005", "spoc.plugins.mw must hold only strings, found a table {'x': 1}"),
            ("SPOC005", "spoc.plugins.mw must hold only strings, found a boolean True"),
        ],
    ),
    (
        "a group that is a table header",
        "⟦[spoc.plugins.mw]⟧\nx = 1\n",
        [("SPOC005", "spoc.plugins.mw must be an array of strings, not a table")],
    ),
    (
        "a group that is an array of tables",
        "⟦[[spoc.plugins.mw]]⟧\nx = 1\n",
        [("SPOC005", "spoc.plugins.mw must hold only strings, found a table {}")],
    ),
    (
        "a group made a table by a dotted key",
        '[spoc.plugins]\n⟦mw.x⟧ = ["a"]\n',
        [("SPOC005", "spoc.plugins.mw must be an array of strings, not a table")],
    ),
    # --- SPOC009: known [spoc] keys of the wrong type (spoc.config.key_problem) ----------------
    (
        "mode and debug",
        '[spoc]\nmode = ⟦1⟧\ndebug = ⟦"yes"⟧\n',
        [
            ("SPOC009", "spoc.mode must be a string, not an integer"),
            ("SPOC009", "spoc.debug must be true or false, not a string"),
        ],
    ),
    (
        "plugins that is not a table",
        '[spoc]\nplugins = ⟦["a.b"]⟧\n',
        [("SPOC009", "spoc.plugins must be a table of arrays, not an array")],
    ),
    (
        "apps of the wrong shape",
        '[spoc.apps]\nmain = ⟦"x"⟧\nother = ["ok", ⟦2⟧]\n',
        [
            ("SPOC009", "spoc.apps.main must be an array of strings, not a string"),
            ("SPOC009", "spoc.apps.other must hold only strings, found an integer 2"),
        ],
    ),
    (
        "mode that is a table",
        '⟦[spoc.mode]⟧\nx = "y"\n',
        [("SPOC009", "spoc.mode must be a string, not a table")],
    ),
    (
        "plugins that is an array of tables",
        '⟦[[spoc.plugins]]⟧\nmw = ["a"]\n',
        [("SPOC009", "spoc.plugins must be a table of arrays, not an array")],
    ),
    (
        "spoc that is not a table",
        "spoc = ⟦1⟧\n",
        [("SPOC009", "[spoc] must be a table, not an integer")],
    ),
    (
        "a date is checked by its TOML type",
        "[spoc]\nmode = ⟦1979-05-27⟧\n",
        [("SPOC009", "spoc.mode must be a string, not date")],
    ),
    # --- SPOC009: syntax errors -----------------------------------------------------------------
    (
        "a missing comma",
        '[spoc.plugins]\nmw = ["a" ⟦"b"⟧]\n',
        [("SPOC009", "invalid TOML: expected ',' or ']', found a string")],
    ),
    (
        "a missing closing bracket before the next table",
        '[spoc.plugins]\nmw = [\n  "a",\n  "b",⟦⟧\n[spoc.apps]\n',
        [("SPOC009", "invalid TOML: expected ']' to close the array")],
    ),
    (
        "a missing closing bracket at the end of the file",
        '[spoc.plugins]\nmw = ["a"⟦⟧',
        [("SPOC009", "invalid TOML: expected ']' to close the array")],
    ),
    (
        "an unterminated string",
        '[spoc.plugins]\nmw = ["a", ⟦"myapp.mid⟧\n',
        [("SPOC009", "invalid TOML: unterminated string")],
    ),
    (
        "a garbage line",
        '[spoc.plugins]\n⟦@@@⟧ !!\nmw = ["a"]\n',
        [("SPOC009", "invalid TOML: unexpected '@@@'")],
    ),
    (
        "a key with no '='",
        '[spoc.plugins]\nmw⟦⟧\nq = ["a"]\n',
        [("SPOC009", "invalid TOML: expected '=' after the key")],
    ),
    (
        "a key with no value",
        "[spoc]\nmode =⟦⟧\n",
        [("SPOC009", "invalid TOML: expected a value")],
    ),
    (
        "text after a value",
        '[spoc]\nmode = "x" ⟦"y"⟧\n',
        [("SPOC009", "invalid TOML: expected a new line, found a string")],
    ),
    (
        "an invalid escape",
        '[spoc.plugins]\nmw = ["a⟦\\q⟧b"]\n',
        [("SPOC009", "invalid TOML: invalid escape sequence '\\\\q'")],
    ),
    (
        "a table header with no ']'",
        "[spoc.plugins⟦⟧\n",
        [("SPOC009", "invalid TOML: expected ']' to close the table header")],
    ),
    (
        "a key defined twice (only tomllib sees it)",
        '[spoc.plugins]\nmw = ["a"]\n⟦mw⟧ = ["b"]\n',
        [("SPOC009", "invalid TOML: Cannot overwrite a value")],
    ),
    (
        "a malformed number",
        "[tool]\nx = ⟦1__0⟧\n",
        [("SPOC009", "invalid TOML: invalid value '1__0'")],
    ),
    (
        "a control character in a comment",
        "[tool]\nx = 1 # a⟦\x01b⟧\n",
        [("SPOC009", "invalid TOML: expected a new line, found '\\x01b'")],
    ),
]


@pytest.mark.parametrize(("fixture", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_problems_and_their_ranges(fixture: str, expected: list[tuple[str, str]]) -> None:
    source = marked(fixture)
    parsed = parse_toml_config(source.text, None)
    found = [(p.code, p.message, show(p.span)) for p in parsed.problems]
    assert len(expected) == len(source.problems), "the fixture marks one range per problem"
    spans = [show(span) for span in source.problems]
    wanted = [(code, message, span) for (code, message), span in zip(expected, spans, strict=True)]
    assert found == wanted
    assert all(p.severity == "error" for p in parsed.problems)


def test_problems_name_their_group() -> None:
    parsed = parse_toml_config('[spoc.plugins]\nmw = "x"\nok = [1]\n', None)
    assert [(p.code, p.group) for p in parsed.problems] == [("SPOC005", "mw"), ("SPOC005", "ok")]


def test_a_group_that_is_a_string_is_still_a_completion_site() -> None:
    parsed = parse_toml_config('[spoc.plugins]\nmw = "myapp."\n', None)
    assert [(s.group, s.text) for s in parsed.strings] == [("mw", "myapp.")]
    assert parsed.source.groups == ()


def test_an_array_group_keeps_its_entries_when_also_written_as_a_table() -> None:
    parsed = parse_toml_config('[spoc.plugins]\nmw = ["a"]\n[spoc.plugins.mw]\nx = 1\n', None)
    assert [entry.uri for entry in parsed.source.groups[0].entries] == ["a"]
    assert [p.code for p in parsed.problems] == ["SPOC005", "SPOC009"]  # tomllib: declared twice


def test_many_syntax_errors_are_capped() -> None:
    parsed = parse_toml_config("@\n" * 1000, None)
    assert 0 < len(parsed.problems) <= 200
