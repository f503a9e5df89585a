"""Every problem a ``spoc.toml`` or a settings module's ``PLUGINS`` can have, with its exact
range (``⟦...⟧`` in the fixture).

SPOC005 (error): a plugin group or entry of the wrong type. SPOC009 (error, ``spoc.toml``):
invalid TOML, or a known ``[spoc]`` key of the wrong type. SPOC006 (information, settings
modules): what cannot be read statically; it is left out of the entries, never guessed.
"""

from __future__ import annotations

import pytest

from spoc_lsp.syntax import ConfigKind, parse_config, parse_toml_config

from .markup import groups, marked, show

INFO = "SPOC006"
ERROR = "SPOC005"

# (id, spoc.toml, [(code, message), ...] in the order of the marked ranges)
TOML_CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
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

# (id, settings module, [(code, message), ...] in the order of the marked ranges, groups left)
SETTINGS_CASES: list[tuple[str, str, list[tuple[str, str]], dict[str, list[str]]]] = [
    # --- SPOC005 --------------------------------------------------------------------------------
    (
        "PLUGINS is a list",
        'PLUGINS = ⟦["a.b"]⟧\n',
        [(ERROR, "PLUGINS must be a dict of group name to list of URIs, not a list")],
        {},
    ),
    (
        "PLUGINS is a number",
        "PLUGINS = ⟦3⟧\n",
        [(ERROR, "PLUGINS must be a dict of group name to list of URIs, not an integer")],
        {},
    ),
    (
        "a group that is a string",
        'PLUGINS = {"x": ⟦"a.b"⟧, "ok": ["c"]}\n',
        [(ERROR, "PLUGINS group 'x' must be a list of URI strings, not a string")],
        {"ok": ["c"]},
    ),
    (
        "groups that are a dict, a set, None",
        'PLUGINS = {"a": ⟦{"b": []}⟧, "c": ⟦{"d"}⟧, "e": ⟦None⟧}\n',
        [
            (ERROR, "PLUGINS group 'a' must be a list of URI strings, not a dict"),
            (ERROR, "PLUGINS group 'c' must be a list of URI strings, not a set"),
            (ERROR, "PLUGINS group 'e' must be a list of URI strings, not None"),
        ],
        {},
    ),
    (
        "entries that are not strings",
        'PLUGINS = {"mw": ["a", ⟦1⟧, ⟦None⟧, ⟦["n"]⟧, ⟦b"by"⟧, ⟦-2.5⟧]}\n',
        [
            (ERROR, "PLUGINS group 'mw' entry 2 must be a string, not an integer (1)"),
            (ERROR, "PLUGINS group 'mw' entry 3 must be a string, not None"),
            (ERROR, "PLUGINS group 'mw' entry 4 must be a string, not a list"),
            (ERROR, "PLUGINS group 'mw' entry 5 must be a string, not bytes"),
            (ERROR, "PLUGINS group 'mw' entry 6 must be a string, not a float (-2.5)"),
        ],
        {"mw": ["a"]},
    ),
    (
        "a group name that is not a string",
        'PLUGINS = {⟦1⟧: ["a"], ⟦b"x"⟧: ["b"], "ok": ["c"]}\n',
        [
            (ERROR, "PLUGINS group names must be strings, not an integer"),
            (ERROR, "PLUGINS group names must be strings, not bytes"),
        ],
        {"ok": ["c"]},
    ),
    (
        "append to a tuple",
        'PLUGINS = {"t": ("a",)}\n⟦PLUGINS["t"].append("b")⟧\n',
        [(ERROR, "PLUGINS group 't' is a tuple: it has no append() method")],
        {"t": ["a"]},
    ),
    # --- SPOC006 --------------------------------------------------------------------------------
    (
        "computed entries",
        'PLUGINS = {"mw": ["a", ⟦f"{APP}.mw"⟧, ⟦"x." + APP⟧, ⟦APP⟧, ⟦make()⟧, ⟦*EXTRA⟧]}\n',
        [
            (INFO, "an f-string with placeholders is computed; this entry is not checked"),
            (INFO, "a computed entry: it is not checked"),
            (INFO, "a computed entry: it is not checked"),
            (INFO, "a computed entry: it is not checked"),
            (INFO, "entries unpacked from here are not checked"),
        ],
        {"mw": ["a"]},
    ),
    (
        "computed group values",
        'PLUGINS = {"a": ⟦BASE⟧, "b": ⟦list(X)⟧, "c": ⟦[x for x in Y]⟧, "ok": ["z"]}\n',
        [
            (INFO, "group 'a' is computed; its entries are not checked"),
            (INFO, "group 'b' is computed; its entries are not checked"),
            (INFO, "group 'c' is computed; its entries are not checked"),
        ],
        {"ok": ["z"]},
    ),
    (
        "computed group names",
        'PLUGINS = {⟦NAME⟧: ["a"], ⟦f"{X}"⟧: ["b"]}\nPLUGINS[⟦KEY⟧] = ["c"]\n',
        [
            (INFO, "a computed group name: this group is not checked"),
            (INFO, "a computed group name: this group is not checked"),
            (INFO, "a computed group name: this group is not checked"),
        ],
        {},
    ),
    (
        "PLUGINS built by a call, a name, a comprehension",
        "PLUGINS = ⟦build()⟧\nPLUGINS = ⟦OTHER⟧\nPLUGINS = ⟦{k: v for k, v in X}⟧\n",
        [
            (INFO, "PLUGINS is computed; its entries are not checked"),
            (INFO, "PLUGINS is computed; its entries are not checked"),
            (INFO, "PLUGINS is computed; its entries are not checked"),
        ],
        {},
    ),
    (
        "PLUGINS imported",
        '⟦from base import PLUGINS⟧\nPLUGINS["new"] = ["«a»"]\nPLUGINS[⟦"old"⟧].append("b")\n',
        [
            (INFO, "PLUGINS comes from another module; its entries are not checked"),
            (INFO, "group 'old' is not known here; this change is not checked"),
        ],
        {"new": ["a"]},
    ),
    (
        "unpacking another dict",
        'PLUGINS = {⟦**BASE⟧, "mw": ["a"]}\n',
        [(INFO, "entries unpacked from here are not checked")],
        {"mw": ["a"]},
    ),
    (
        "PLUGINS |= ...",
        'PLUGINS = {"a": ["x"], "b": ["y"]}\n⟦PLUGINS |= {"a": ["z"]}⟧\n',
        [(INFO, "'PLUGINS |= ...' cannot be read statically; it is not checked")],
        {"b": ["y"]},
    ),
    (
        "changes inside compound statements",
        'PLUGINS = {"mw": ["a"]}\nif DEBUG:\n    ⟦PLUGINS["mw"].append("debug")⟧\n'
        'try:\n    ⟦PLUGINS["x"] = ["y"]⟧\nexcept ImportError:\n    pass\n'
        "def f():\n    ⟦PLUGINS.clear()⟧\nif X: ⟦PLUGINS = {}⟧\n",
        [
            (INFO, "PLUGINS is changed inside an 'if' statement; the change is not checked"),
            (INFO, "PLUGINS is changed inside a 'try' statement; the change is not checked"),
            (INFO, "PLUGINS is changed inside a 'def' statement; the change is not checked"),
            (INFO, "PLUGINS is changed inside an 'if' statement; the change is not checked"),
        ],
        {"mw": ["a"]},
    ),
    (
        "a star import that may define PLUGINS",
        '⟦from base import *⟧\nPLUGINS[⟦"mw"⟧].append("a")\n',
        [
            (
                INFO,
                "PLUGINS may come from 'from base import *'; entries listed there are not checked",
            ),
            (INFO, "group 'mw' is not known here; this change is not checked"),
        ],
        {},
    ),
    (
        "a change to a group that is not there",
        'PLUGINS = {}\nPLUGINS[⟦"mw"⟧].append("a")\n',
        [(INFO, "there is no group 'mw' here (a KeyError at runtime); this change is not checked")],
        {},
    ),
    (
        "dict is not the builtin once the module rebinds it",
        'from collections import OrderedDict as dict\nPLUGINS = ⟦dict(mw=["a"])⟧\n',
        [(INFO, "PLUGINS is computed; its entries are not checked")],
        {},
    ),
    (
        "a function that changes the module's PLUGINS",
        'PLUGINS = {"mw": ["a"]}\ndef f():\n    ⟦PLUGINS["mw"].append("b")⟧\n',
        [(INFO, "PLUGINS is changed inside a 'def' statement; the change is not checked")],
        {"mw": ["a"]},
    ),
    (
        "a method the reader does not follow",
        'PLUGINS = {"a": ["x"]}\n⟦PLUGINS.popitem()⟧\n',
        [(INFO, "PLUGINS.popitem() cannot be read statically; it is not checked")],
        {},
    ),
]

CASES = [pytest.param("toml", *case[1:], None, id=f"toml-{case[0]}") for case in TOML_CASES] + [
    pytest.param("settings", *case[1:], id=f"settings-{case[0]}") for case in SETTINGS_CASES
]


@pytest.mark.parametrize(("kind", "fixture", "expected", "left"), CASES)
def test_problems_and_their_ranges(
    kind: ConfigKind,
    fixture: str,
    expected: list[tuple[str, str]],
    left: dict[str, list[str]] | None,
) -> None:
    source = marked(fixture)
    parsed = parse_config(kind, source.text, None)
    found = [(p.code, p.message, show(p.span)) for p in parsed.problems]
    assert len(expected) == len(source.problems), "the fixture marks one range per problem"
    spans = [show(span) for span in source.problems]
    wanted = [(code, message, span) for (code, message), span in zip(expected, spans, strict=True)]
    assert found == wanted
    if kind == "toml":
        assert all(p.severity == "error" for p in parsed.problems)
    else:
        assert groups(parsed) == left
        for problem in parsed.problems:
            assert problem.severity == ("information" if problem.code == INFO else "error")


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        pytest.param(
            "toml",
            '[spoc.plugins]\nmw = "x"\nok = [1]\n',
            [(ERROR, "mw"), (ERROR, "ok")],
            id="toml",
        ),
        pytest.param(
            "settings",
            'PLUGINS = {"mw": [1, f"{x}"], "v": "s"}\n',
            [(ERROR, "mw"), (INFO, "mw"), (ERROR, "v")],
            id="settings",
        ),
    ],
)
def test_problems_name_their_group(
    kind: ConfigKind, text: str, expected: list[tuple[str, str]]
) -> None:
    parsed = parse_config(kind, text, None)
    assert [(p.code, p.group) for p in parsed.problems] == expected


@pytest.mark.parametrize(
    ("kind", "text", "site"),
    [
        pytest.param(
            "toml", '[spoc.plugins]\nmw = "myapp."\n', "myapp.", id="toml-a group that is a string"
        ),
        pytest.param(
            "settings",
            'if DEBUG:\n    PLUGINS["mw"].append("myapp.debug")\n',
            "myapp.debug",
            id="settings-a computed change",
        ),
    ],
)
def test_unchecked_strings_are_still_sites_for_completion(
    kind: ConfigKind, text: str, site: str
) -> None:
    parsed = parse_config(kind, text, None)
    assert [(s.group, s.text) for s in parsed.strings] == [("mw", site)]
    assert parsed.source.groups == ()


def test_an_array_group_keeps_its_entries_when_also_written_as_a_table() -> None:
    parsed = parse_toml_config('[spoc.plugins]\nmw = ["a"]\n[spoc.plugins.mw]\nx = 1\n', None)
    assert [entry.uri for entry in parsed.source.groups[0].entries] == ["a"]
    assert [p.code for p in parsed.problems] == ["SPOC005", "SPOC009"]  # tomllib: declared twice


def test_many_syntax_errors_are_capped() -> None:
    parsed = parse_toml_config("@\n" * 1000, None)
    assert 0 < len(parsed.problems) <= 200
