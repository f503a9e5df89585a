"""Properties of the tolerant parsers, on generated and damaged input.

* They never raise, whatever the input (and never fall back to "internal error").
* Damage only affects what comes after it. A *mutation* (a truncation, an insertion of random
  text, a deletion) of a valid file starts at some line L: every entry lying entirely on lines
  before L is still found, with the exact same group and range. For Python one case is left
  out: a mutation after which the module — or its text up to the end of the mutated line — is
  *valid* has completed a statement: it is an edit, not damage, and may legitimately change
  what earlier lines mean (``PLUGINS = {...}`` + ``.copy()``, or + ``,`` making a tuple).
* Damage closed on its own line (a whole entry line replaced by stray words) loses nothing
  else: every other entry is found.
* On valid generated files, the entries are exactly what ``tomllib`` reads, or what running
  the module puts in ``PLUGINS``.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoc_lsp.syntax import parse_settings, parse_toml_config
from spoc_lsp.syntax.model import ParsedConfig, Span
from spoc_lsp.syntax.source_text import SourceText

from .markup import entries, groups, show

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Parser = Callable[[str, None], ParsedConfig]
PARSERS: list[Parser] = [parse_toml_config, parse_settings]

TOML_BASE = """# A SPOC project
[spoc]
mode = "development"
debug = false

[spoc.plugins]
middleware = [
    "myapp.middleware.Auth",
    'myapp.middleware.Session',
    "myapp.middleware.C\\u006frs",
]
"my-group" = [
    "a.b",
    "c.d",
]
extensions = [  # extensions
    "ext.one",  # the first
    \"\"\"ext.two\"\"\",
]

[tool.other]
x = 1

[spoc.apps]
main = ["app.one"]
"""

SETTINGS_BASE = """from .base import *  # noqa: F403

DEBUG = False

PLUGINS = {
    "middleware": [
        "myapp.middleware.Auth",
        'myapp.middleware.Session',
        "myapp.middleware.C\\x6frs",
    ],
    "extensions": (
        "ext.one",
        "ext." "two",
    ),
}
PLUGINS["views"] = [
    "myapp.views.Home",
]
PLUGINS["middleware"].append("myapp.middleware.Last")
PLUGINS.update(
    tasks=[
        "myapp.tasks.Cleanup",
    ],
)
"""

_INSERTED = st.lists(
    st.sampled_from([*"ab x1 \"'[](){},=:.#\\\n\t\r😀é", '"""', "'''"]),
    min_size=1,
    max_size=8,
).map("".join)


def _found(parsed: ParsedConfig) -> set[tuple[str, str, str]]:
    return {(group, uri, show(span)) for group, uri, span in entries(parsed)}


def _before(parsed: ParsedConfig, line: int) -> set[tuple[str, str, str]]:
    return {(g, uri, show(span)) for g, uri, span in entries(parsed) if span.end.line < line}


def _no_internal_error(parsed: ParsedConfig) -> None:
    assert not any("internal error" in problem.message for problem in parsed.problems)


@st.composite
def _mutated(draw: st.DrawFn, text: str) -> tuple[str, int, int]:
    """A mutation of ``text``: the new text, where the mutation starts, and where it ends in
    the new text."""
    kind = draw(st.sampled_from(["truncate", "insert", "delete"]))
    start = draw(st.integers(0, len(text)))
    if kind == "truncate":
        return text[:start], start, start
    if kind == "insert":
        inserted = draw(_INSERTED)
        return text[:start] + inserted + text[start:], start, start + len(inserted)
    end = draw(st.integers(start, min(len(text), start + 30)))
    return text[:start] + text[end:], start, start


# --- never raise ------------------------------------------------------------------------------

_NASTY = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(["\ud800", "\udcff", "\x00", "\r", "\n", "\ufeff", '"""', "'''"]),
        st.sampled_from(list("\"'[]{}()=,.#:\\")),
    ),
    max_size=80,
).map("".join)


@settings(max_examples=40, deadline=None)
@given(_NASTY)
def test_never_raise_on_any_text(text: str) -> None:
    for parse in PARSERS:
        _no_internal_error(parse(text, None))


_FRAGMENTS = st.lists(
    st.sampled_from(
        [
            *("PLUGINS", "PLUGINS[", "PLUGINS.", ".update(", ".append(", ".setdefault(", "dict("),
            *("[spoc.plugins]", "[spoc]", "spoc.plugins.", "plugins", "mw", " = ", "=", "=="),
            *("+", "(", ")", "[", "]", "{", "}", ",", ":", "*", "**", ".", "\n", "\n    ", " "),
            *("#", '"a.b"', "'x'", '"', "'", '"""', "f'{x}'", "b'y'", "1", "None", "lambda"),
            *("for", "if x:", "del ", "from m import *", "import ", "\\\n", "\r", "\x00"),
            "\ud800",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(_FRAGMENTS)
def test_never_raise_on_config_like_fragments(text: str) -> None:
    for parse in PARSERS:
        _no_internal_error(parse(text, None))


@settings(max_examples=20, deadline=None)
@given(st.binary(max_size=200))
def test_never_raise_on_binary_garbage(data: bytes) -> None:
    text = data.decode("utf-8", "surrogateescape")
    for parse in PARSERS:
        _no_internal_error(parse(text, None))


def test_never_raise_on_pathological_nesting() -> None:
    for text in ("[" * 5000, "x = " + "[" * 5000 + "]" * 5000, "{" * 3000, "(" * 3000 + "'"):
        for parse in PARSERS:
            _no_internal_error(parse(text, None))
    _no_internal_error(parse_settings("PLUGINS = " + "[" * 3000 + '"a"' + "]" * 3000, None))


# --- damage only affects what comes after it ---------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated(TOML_BASE))
def test_toml_damage_keeps_what_comes_before(mutation: tuple[str, int, int]) -> None:
    text, start, _ = mutation
    line = SourceText(TOML_BASE).position_at(start).line
    parsed = parse_toml_config(text, None)
    _no_internal_error(parsed)
    assert _before(parse_toml_config(TOML_BASE, None), line) <= _found(parsed)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated(SETTINGS_BASE))
def test_settings_damage_keeps_what_comes_before(mutation: tuple[str, int, int]) -> None:
    text, start, end = mutation
    line = SourceText(SETTINGS_BASE).position_at(start).line
    parsed = parse_settings(text, None)
    _no_internal_error(parsed)
    if _compiles(text) or any(_compiles(text[:cut]) for cut in _line_ends(text, start, end)):
        # Up to the end of the damaged line, a valid module: the mutation completed a statement
        # (an edit, as "PLUGINS = {...}," is), which may change what earlier lines mean.
        return
    assert _before(parse_settings(SETTINGS_BASE, None), line) <= _found(parsed)


def _line_ends(text: str, start: int, end: int) -> list[int]:
    """The ends of the lines the mutated stretch ``[start, end]`` of ``text`` touches (a line
    ends at ``\\n`` or ``\\r``, as Python reads it)."""
    cuts = []
    for match in re.compile(r"\r\n|\r|\n").finditer(text, start):
        cuts.append(match.start())
        if match.start() >= end:
            return cuts
    return [*cuts, len(text)]


def _compiles(text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(text, "<mutated>", "exec")
        except (SyntaxError, ValueError):
            return False
    return True


_STRAY = st.text(alphabet=st.sampled_from(list("xx 1$?!")), min_size=1, max_size=12)


def _entry_lines(text: str) -> list[int]:
    """The lines that hold one entry and nothing else (each ends with a comma)."""
    return [
        number
        for number, line in enumerate(text.split("\n"))
        if line.strip().startswith(('"', "'")) and line.split("#")[0].rstrip().endswith(",")
    ]


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_damage_on_its_own_line_loses_nothing_else(data: st.DataObject) -> None:
    for base, parse in ((TOML_BASE, parse_toml_config), (SETTINGS_BASE, parse_settings)):
        lines = base.split("\n")
        damaged = data.draw(st.sampled_from(_entry_lines(base)))
        lines[damaged] = "    " + data.draw(_STRAY)
        parsed = parse("\n".join(lines), None)
        expected = {
            item for item in _found(parse(base, None)) if not item[2].startswith(f"{damaged}:")
        }
        assert expected <= _found(parsed)


# --- valid files: exactly what the runtime reads -----------------------------------------------

_SEGMENT = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)
_URI = st.lists(_SEGMENT, min_size=1, max_size=3).map(".".join) | st.text(
    alphabet=st.sampled_from(list("ab.é😀 \\\"'\t")), max_size=6
)


def _toml_string(value: str, style: str) -> str:
    if style == "literal" and "'" not in value and "\n" not in value and "\t" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    if style == "unicode":
        escaped = "".join(f"\\u{ord(c):04x}" if c == "." else c for c in escaped)
    if style == "multi":
        return f'"""{escaped}"""'
    return f'"{escaped}"'


@st.composite
def _toml_file(draw: st.DrawFn) -> str:
    names = draw(
        st.lists(st.sampled_from(["mw", "views", "my-group", "with space", "x"]), unique=True)
    )
    form = draw(st.sampled_from(["table", "inline", "dotted", "under-spoc"]))
    pairs = []
    for name in names:
        values = draw(st.lists(_URI, max_size=4))
        strings = [
            _toml_string(v, draw(st.sampled_from(["basic", "literal", "unicode", "multi"])))
            for v in values
        ]
        if draw(st.booleans()):
            body = "".join(f"\n    {s},{'  # c' if draw(st.booleans()) else ''}" for s in strings)
            array = f"[{body}\n]"
        else:
            array = "[" + ", ".join(strings) + "]"
        key = name if name.replace("-", "").isalnum() else f'"{name}"'
        pairs.append((key, array))
    prefix = draw(st.sampled_from(["", "[tool.x]\ny = 1\n"]))
    if form == "table":
        return prefix + "[spoc.plugins]\n" + "".join(f"{k} = {a}\n" for k, a in pairs)
    if form == "dotted":
        return "".join(f"spoc.plugins.{k} = {a}\n" for k, a in pairs) + prefix
    if form == "under-spoc":
        return prefix + '[spoc]\nmode = "x"\n' + "".join(f"plugins.{k} = {a}\n" for k, a in pairs)
    inline = ", ".join(f"{k} = {a.replace(chr(10), ' ').replace('# c', '')}" for k, a in pairs)
    return prefix + f"[spoc]\nplugins = {{ {inline} }}\n"


@settings(max_examples=50, deadline=None)
@given(_toml_file())
def test_valid_toml_gives_what_tomllib_reads(text: str) -> None:
    expected = tomllib.loads(text).get("spoc", {}).get("plugins", {})
    parsed = parse_toml_config(text, None)
    assert [p.message for p in parsed.problems] == []
    assert groups(parsed) == expected
    _check_spans(text, parsed)


def _py_string(value: str, style: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    if style == "concat" and len(escaped) > 1 and escaped[0] != "\\":
        return f'"{escaped[0]}" "{escaped[1:]}"'
    if style == "hex":
        escaped = escaped.replace(".", "\\x2e")
    if style == "single":
        return "'" + escaped.replace('\\"', '"').replace("'", "\\'") + "'"
    return f'"{escaped}"'


@st.composite
def _settings_module(draw: st.DrawFn) -> str:
    """A module of literal PLUGINS statements that all run (no KeyError, no tuple.append)."""
    names = ["mw", "views", "x"]
    lines = ["from os import path"]
    kinds: dict[str, str] = {}  # the groups there are, and whether each is a list or a tuple
    defined = False

    def strings() -> list[str]:
        values = draw(st.lists(_URI, max_size=3))
        return [
            _py_string(v, draw(st.sampled_from(["plain", "concat", "hex", "single"])))
            for v in values
        ]

    def sequence(name: str) -> str:
        items = strings()
        if draw(st.booleans()):
            kinds[name] = "list"
            return "[" + ", ".join(items) + "]"
        kinds[name] = "tuple"
        return "(" + "".join(f"{item}, " for item in items) + ")"

    for _ in range(draw(st.integers(1, 7))):
        options = ["assign", "dict-call"]
        if defined:
            options += ["set", "update", "setdefault", "del", "iadd", "append", "extend"]
        kind = draw(st.sampled_from(options))
        name = draw(st.sampled_from(names))
        if kind in ("assign", "dict-call"):
            chosen = draw(st.lists(st.sampled_from(names), unique=True))
            kinds = {}
            if kind == "assign":
                body = ", ".join(f'"{n}": {sequence(n)}' for n in chosen)
                lines.append("PLUGINS = {" + body + "}")
            else:
                lines.append(
                    "PLUGINS = dict(" + ", ".join(f"{n}={sequence(n)}" for n in chosen) + ")"
                )
            defined = True
        elif kind == "set":
            lines.append(f'PLUGINS["{name}"] = {sequence(name)}')
        elif kind == "update":
            lines.append(f"PLUGINS.update({name}={sequence(name)})")
        elif kind == "setdefault" and kinds.get(name, "list") == "list":
            lines.append(f'PLUGINS.setdefault("{name}", []).extend([{", ".join(strings())}])')
            kinds[name] = "list"
        elif kind == "del" and name in kinds:
            lines.append(f'del PLUGINS["{name}"]')
            del kinds[name]
        elif kind == "iadd" and name in kinds:
            lines.append(f'PLUGINS["{name}"] += ({"".join(s + ", " for s in strings())})')
        elif kind == "append" and kinds.get(name) == "list":
            for item in strings():
                lines.append(f'PLUGINS["{name}"].append({item})')
        elif kind == "extend" and kinds.get(name) == "list":
            lines.append(f'PLUGINS["{name}"].extend([{", ".join(strings())}])')
    return "\n".join(lines) + "\n"


@settings(max_examples=50, deadline=None)
@given(_settings_module())
def test_valid_settings_give_what_running_them_gives(text: str) -> None:
    namespace: dict[str, object] = {}
    exec(compile(text, "<settings>", "exec"), namespace)  # literals and PLUGINS changes only
    plugins = namespace.get("PLUGINS", {})
    assert isinstance(plugins, dict)
    parsed = parse_settings(text, None)
    assert [p.message for p in parsed.problems] == []
    assert groups(parsed) == {name: list(value) for name, value in plugins.items()}
    _check_spans(text, parsed)


def _check_spans(text: str, parsed: ParsedConfig) -> None:
    """Each entry's range holds its raw content: verbatim values read back exactly."""
    source = SourceText(text)
    for entry, span in parsed.entry_spans.items():
        site = parsed.entry_sites[entry]
        assert _slice(source, span) == site.text
        if not site.pieces:
            assert site.text == entry.uri


def _slice(source: SourceText, span: Span) -> str:
    return source.slice((span.start.line, span.start.column), (span.end.line, span.end.column))
