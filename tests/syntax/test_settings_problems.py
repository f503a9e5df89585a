"""Every problem a settings module's ``PLUGINS`` can have, with its exact range (``⟦...⟧``).

SPOC005 (error): a literal of the wrong type. SPOC006 (information): what cannot be read
statically; it is left out of the entries, never guessed.
"""

from __future__ import annotations

import pytest

from spoc_lsp.syntax import parse_settings

from .markup import groups, marked, show

INFO = "SPOC006"
ERROR = "SPOC005"

# (id, module, [(code, message), ...] in the order of the marked ranges, groups left)
CASES: list[tuple[str, str, list[tuple[str, str]], dict[str, list[str]]]] = [
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


@pytest.mark.parametrize(
    ("module", "expected", "left"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_problems_and_their_ranges(
    module: str, expected: list[tuple[str, str]], left: dict[str, list[str]]
) -> None:
    source = marked(module)
    parsed = parse_settings(source.text, None)
    found = [(p.code, p.message, show(p.span)) for p in parsed.problems]
    assert len(expected) == len(source.problems), "the fixture marks one range per problem"
    spans = [show(span) for span in source.problems]
    wanted = [(code, message, span) for (code, message), span in zip(expected, spans, strict=True)]
    assert found == wanted
    assert groups(parsed) == left
    for problem in parsed.problems:
        assert problem.severity == ("information" if problem.code == INFO else "error")


def test_problems_name_their_group() -> None:
    parsed = parse_settings('PLUGINS = {"mw": [1, f"{x}"], "v": "s"}\n', None)
    assert [(p.code, p.group) for p in parsed.problems] == [
        (ERROR, "mw"),
        (INFO, "mw"),
        (ERROR, "v"),
    ]


def test_computed_strings_are_still_sites_for_completion() -> None:
    parsed = parse_settings('if DEBUG:\n    PLUGINS["mw"].append("myapp.debug")\n', None)
    assert [(s.group, s.text) for s in parsed.strings] == [("mw", "myapp.debug")]
    assert parsed.source.groups == ()
