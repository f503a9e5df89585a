"""Every way a settings module can build ``PLUGINS``, read in order as the runtime runs it.

Each case is a module with ``«...»`` around each entry's content that ends up in ``PLUGINS``
and the groups it should give. No case has a problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spoc.plugins import Provenance
from spoc_lsp.syntax import parse_settings

from .markup import entries, groups, marked, show

CASES: list[tuple[str, str, dict[str, list[str]]]] = [
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


@pytest.mark.parametrize(("fixture", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_entries_and_spans(fixture: str, expected: dict[str, list[str]]) -> None:
    source = marked(fixture)
    parsed = parse_settings(source.text, Path("settings.py"))
    assert [(p.code, p.message) for p in parsed.problems] == []
    assert groups(parsed) == expected
    spans = sorted({show(span) for _, _, span in entries(parsed)})
    assert spans == sorted(show(s) for s in source.entries)


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
