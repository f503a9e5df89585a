"""Settings modules as people write them: ``PLUGINS`` built from module-level names.

Each form case is a module with ``«...»`` around each place a string is written that ends up
in ``PLUGINS``; the groups must be what running the module gives (checked against ``exec`` of
the very text, our own fixture), with no problem. Each computed case marks (``⟦...⟧``) the exact
expression that cannot be read statically.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spoc_lsp.syntax import parse_settings

from .markup import entries, groups, marked, show

FORMS: list[tuple[str, str]] = [
    (
        "the issue's example: a name, a concatenation, an unpacking",
        'BASE = ["«core.hooks.a»", "«core.hooks.typo1»"]\n'
        'EXTRA = BASE + ["«core.hooks.typo2»"]\n'
        "PLUGINS = {\n"
        '    "hooks": EXTRA,\n'
        '    "more": [*BASE, "«core.hooks.b»", "«core.hooks.typo3»"],\n'
        "}\n",
    ),
    (
        "reassignment and mutation in order",
        'A = ["«a»"]\nA = A + ["«b»"]\nA += ["«c»"]\nA.append("«d»")\nA.extend(("«e»",))\n'
        'A.insert(0, "«f»")\nPLUGINS = {"g": A}\n',
    ),
    (
        "aliasing: two names, one list",
        'A = ["«a»"]\nB = A\nB.append("«b»")\nC = list(A)\nC.append("«c»")\nD = A.copy()\n'
        'PLUGINS = {"a": A, "c": C, "d": D}\n',
    ),
    (
        "dicts: unpacking, dict(), copy() and |",
        'COMMON = {"mw": ["«m»"]}\nDEV = dict(COMMON, dev=["«d»"])\n'
        'BOTH = COMMON | {"v": ("«v»",)}\nPLUGINS = {**DEV, **BOTH.copy(), "x": []}\n',
    ),
    (
        "a dict name mutated, then PLUGINS is it",
        'D = {"a": ["x"]}\nD["b"] = ["«y»"]\nD.update(c=["«z»"])\ndel D["a"]\nPLUGINS = D\n',
    ),
    (
        "PLUGINS = dict(name) and a string name as an entry",
        'URI = "«one.two»"\nD = {"g": [URI, "«three»"]}\nPLUGINS = dict(D)\n',
    ),
    (
        "tuples and list(tuple)",
        'T = ("«a»",)\nT += ("«b»",)\nPLUGINS = {"t": T, "l": list(T) + ["«c»"]}\n',
    ),
    (
        "a group read through a subscript of a dict name",
        'D = {"g": ["«a»"]}\nPLUGINS = {"h": D["g"]}\nPLUGINS["h"].append("«b»")\n',
    ),
    (
        "names and functions a module also has",
        'import os\nDEBUG = True\nBASE = ["«a»"]\n\ndef helper():\n    return os.getcwd()\n\n'
        'class Thing:\n    x = 1\n\nPLUGINS = {"g": BASE}\n',
    ),
]


def _run(text: str) -> dict[str, list[str]]:
    namespace: dict[str, object] = {}
    exec(compile(text, "settings.py", "exec"), namespace)  # our own fixture text
    plugins = namespace["PLUGINS"]
    assert isinstance(plugins, dict)
    return {name: list(value) for name, value in plugins.items()}


@pytest.mark.parametrize("fixture", [c[1] for c in FORMS], ids=[c[0] for c in FORMS])
def test_plugins_built_from_names_read_as_python_runs_it(fixture: str) -> None:
    source = marked(fixture)
    parsed = parse_settings(source.text, Path("settings.py"))
    assert [(p.code, p.message) for p in parsed.problems] == []
    assert groups(parsed) == _run(source.text)
    spans = sorted({show(span) for _, _, span in entries(parsed)})
    assert spans == sorted({show(s) for s in source.entries})


def test_a_string_reaching_two_groups_is_one_site_with_two_entries() -> None:
    source = marked(FORMS[0][1])
    parsed = parse_settings(source.text, None)
    typo1 = [entry for entry in parsed.entry_spans if entry.uri == "core.hooks.typo1"]
    assert [entry.group for entry in typo1] == ["hooks", "more"]
    assert {show(parsed.entry_spans[entry]) for entry in typo1} == {show(source.entries[1])}
    assert len([site for site in parsed.strings if site.value == "core.hooks.typo1"]) == 1
    assert [entry.provenance.line for entry in typo1] == [1, 1]


COMPUTED: list[tuple[str, str, str]] = [
    (
        "a name bound to a call",
        'import os\nBASE = ⟦os.environ["X"].split()⟧\nPLUGINS = {"g": BASE}\n',
        "group 'g' is computed; its entries are not checked",
    ),
    (
        "a name changed in an if statement",
        'BASE = ["a"]\nif DEBUG:\n    ⟦BASE.append("b")⟧\nPLUGINS = {"g": BASE}\n',
        "group 'g' is computed; its entries are not checked",
    ),
    (
        "a name from an import that is not followed",
        '⟦from elsewhere import BASE⟧\nPLUGINS = {"g": BASE}\n',
        "group 'g' is computed; its entries are not checked",
    ),
    (
        "a list method the evaluation does not follow",
        'BASE = ["a"]\n⟦BASE.sort()⟧\nPLUGINS = {"g": BASE}\n',
        "group 'g' is computed; its entries are not checked",
    ),
    (
        "unpacking a computed name",
        'import os\nBASE = os.environ["X"]\nPLUGINS = {"g": [⟦*BASE⟧, "a"]}\n',
        "entries unpacked from here are not checked",
    ),
]


@pytest.mark.parametrize(
    ("module", "message"), [c[1:] for c in COMPUTED], ids=[c[0] for c in COMPUTED]
)
def test_what_stays_computed_is_named_on_the_exact_expression(module: str, message: str) -> None:
    source = marked(module)
    parsed = parse_settings(source.text, None)
    assert [(p.code, p.message, show(p.span)) for p in parsed.problems] == [
        ("SPOC006", message, show(source.problems[0]))
    ]


def test_a_builtin_the_module_rebinds_is_not_evaluated() -> None:
    parsed = parse_settings(
        'def list(x):\n    return []\nA = ["a"]\nPLUGINS = {"g": list(A)}\n', None
    )
    assert [p.code for p in parsed.problems] == ["SPOC006"]
    assert groups(parsed) == {}
