"""Property tests: ``PLUGINS`` built from names, statically, against the real import.

Hypothesis writes settings modules in the safe subset (names bound to lists, tuples and dicts
of strings; reassignment and mutation in order; ``+``, ``+=``, ``*``/``**`` unpacking,
``list()``, ``tuple()``, ``dict()``, ``.copy()``, ``|``, ``[k] =``, ``update``, ``append``,
``extend``, ``insert``; ``PLUGINS`` built from them last). Each module is written to a
directory and imported for real in a subprocess: the groups read statically must be what the
import gives, with no problem. A module with one construct outside the subset in what
``PLUGINS`` reads gets SPOC006, and the parse never raises.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoc_lsp.syntax import parse_settings

from .markup import groups

URIS = st.sampled_from([f"app.m{i}.f" for i in range(6)])
_IMPORT = (
    "import json, sys; sys.path.insert(0, sys.argv[1]); import settings; "
    "print(json.dumps({k: list(v) for k, v in settings.PLUGINS.items()}))"
)


def _literal_list(draw: st.DrawFn, lists: list[str], open_: str = "[", close: str = "]") -> str:
    items = [json.dumps(uri) for uri in draw(st.lists(URIS, max_size=3))]
    if lists and draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), "*" + draw(st.sampled_from(lists)))
    if open_ == "(":
        return "(" + "".join(item + ", " for item in items) + ")"
    return open_ + ", ".join(items) + close


@st.composite
def safe_module(draw: st.DrawFn) -> str:
    lists: list[str] = []
    tuples: list[str] = []
    dicts: list[str] = []
    lines: list[str] = []
    for number in range(draw(st.integers(2, 9))):
        kind = draw(st.sampled_from(["list", "list", "tuple", "dict", "dict"]))
        if kind == "list" or not lists:
            lines.append(_list_statement(draw, lists, tuples, f"L{number}"))
        elif kind == "tuple":
            lines.append(_tuple_statement(draw, lists, tuples, f"T{number}"))
        else:
            lines.append(_dict_statement(draw, lists, tuples, dicts, f"D{number}"))
    values = lists + tuples
    if dicts and draw(st.booleans()):
        base = draw(st.sampled_from(dicts))
        form = draw(st.sampled_from(["{base}", "dict({base})", "{base}.copy()", "{{**{base}}}"]))
        lines.append("PLUGINS = " + form.format(base=base))
    else:
        groups = {f"g{i}": draw(st.sampled_from(values)) for i in range(draw(st.integers(1, 3)))}
        lines.append("PLUGINS = {" + ", ".join(f'"{k}": {v}' for k, v in groups.items()) + "}")
    for _ in range(draw(st.integers(0, 2))):  # a list PLUGINS took grows: so does its group
        lines.append(_growth(draw, lists, tuples))
    return "\n".join(lines) + "\n"


def _growth(draw: st.DrawFn, lists: list[str], tuples: list[str]) -> str:
    """A list grows in place: ``+=``, ``append``, ``extend``, ``insert``."""
    target = draw(st.sampled_from(lists))
    uri = json.dumps(draw(URIS))
    return draw(
        st.sampled_from(
            [
                f"{target} += {_literal_list(draw, lists + tuples)}",
                f"{target}.append({uri})",
                f"{target}.extend({draw(st.sampled_from(lists + tuples))})",
                f"{target}.insert({draw(st.integers(-2, 3))}, {uri})",
            ]
        )
    )


def _list_statement(draw: st.DrawFn, lists: list[str], tuples: list[str], name: str) -> str:
    sources = lists + tuples
    if not lists:
        lists.append(name)
        return f"{name} = {_literal_list(draw, sources)}"
    other = draw(st.sampled_from(lists))
    form = draw(st.integers(0, 9))
    if form == 0:
        statement = f"{name} = {other} + {_literal_list(draw, sources)}"
    elif form == 1:
        statement = f"{name} = list({draw(st.sampled_from(sources))})"
    elif form == 2:
        statement = f"{name} = {other}.copy()"
    elif form == 3:
        statement = f"{name} = {other}"  # the same list
    elif form == 4:
        return f"{other} += {_literal_list(draw, sources)}"
    elif form == 5:
        return f"{other}.append({json.dumps(draw(URIS))})"
    elif form == 6:
        return f"{other}.extend({draw(st.sampled_from(sources))})"
    elif form == 7:
        return f"{other}.insert({draw(st.integers(-2, 3))}, {json.dumps(draw(URIS))})"
    else:
        statement = f"{name} = {_literal_list(draw, sources)}"
    lists.append(name)
    return statement


def _tuple_statement(draw: st.DrawFn, lists: list[str], tuples: list[str], name: str) -> str:
    sources = lists + tuples
    if tuples and draw(st.booleans()):
        other = draw(st.sampled_from(tuples))
        if draw(st.booleans()):
            return f"{other} += {_literal_list(draw, sources, '(', ')')}"
        statement = f"{name} = {other} + {_literal_list(draw, sources, '(', ')')}"
    elif draw(st.booleans()):
        statement = f"{name} = tuple({draw(st.sampled_from(sources))})"
    else:
        statement = f"{name} = {_literal_list(draw, sources, '(', ')')}"
    tuples.append(name)
    return statement


def _dict_statement(
    draw: st.DrawFn, lists: list[str], tuples: list[str], dicts: list[str], name: str
) -> str:
    values = lists + tuples
    pairs = {f"g{i}": draw(st.sampled_from(values)) for i in range(draw(st.integers(0, 2)))}
    display = ", ".join(f'"{k}": {v}' for k, v in pairs.items())
    if dicts:
        other = draw(st.sampled_from(dicts))
        form = draw(st.integers(0, 6))
        key = f"g{draw(st.integers(0, 3))}"
        value = draw(st.sampled_from(values))
        if form == 0:
            statement = f"{name} = {{**{other}, {display}}}"
        elif form == 1:
            statement = f"{name} = dict({other}, {key}={value})"
        elif form == 2:
            statement = f"{name} = {other} | {{{display}}}"
        elif form == 3:
            statement = f"{name} = {other}.copy()"
        elif form == 4:
            return f'{other}["{key}"] = {value}'
        elif form == 5:
            return f"{other}.update({key}={value})"
        else:
            statement = f"{name} = {{{display}}}"
    else:
        statement = f"{name} = {{{display}}}"
    dicts.append(name)
    return statement


def _imported(text: str) -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "settings.py").write_text(text)
        done = subprocess.run(
            [sys.executable, "-I", "-c", _IMPORT, directory],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(safe_module())
def test_the_safe_subset_reads_as_the_real_import_gives(text: str) -> None:
    parsed = parse_settings(text, Path("settings.py"))
    assert [(p.code, p.message) for p in parsed.problems] == [], text
    assert groups(parsed) == _imported(text), text


OUTSIDE = st.sampled_from(
    [
        "[x for x in L0]",
        "sorted(L0)",
        "L0 * 2",
        'os.environ.get("X", "").split()',
        "L0 if os.name else []",
        "helper(L0)",
        "L0[1:]",
    ]
)


@settings(max_examples=30, deadline=None)
@given(safe_module(), OUTSIDE, st.booleans())
def test_outside_the_subset_is_reported_and_never_raises(
    text: str, expression: str, unpacked: bool
) -> None:
    head = 'import os\n\ndef helper(x):\n    return x\n\nL0 = ["app.m0.f"]\n'
    used = "[*BAD]" if unpacked else "BAD"
    module = head + text + f'BAD = {expression}\nPLUGINS["bad"] = {used}\n'
    parsed = parse_settings(module, Path("settings.py"))
    codes = [problem.code for problem in parsed.problems]
    assert "SPOC006" in codes, module
    assert not any("internal error" in problem.message for problem in parsed.problems), module
    assert "bad" not in groups(parsed) or groups(parsed)["bad"] == [], module
