"""String literal values, checked against the real parsers: ``tomllib`` and Python itself.

Also: each value character maps back to where it was written (for ranges inside a URI).
"""

from __future__ import annotations

import ast
import sys
import warnings

from hypothesis import given, settings
from hypothesis import strategies as st

from spoc_lsp.syntax import py_strings, toml_strings
from spoc_lsp.syntax.literal import Literal
from spoc_lsp.syntax.model import Position, StringSite
from spoc_lsp.syntax.source_text import SourceText

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

START = Position(0, 4)  # every token below starts at column 4 of its first line ("v = ")

_PLAIN = st.sampled_from(list("ab.z_ é😀\t'{}"))
_TOML_ESCAPES = st.sampled_from(
    [
        "\\n",
        "\\t",
        '\\"',
        "\\\\",
        "\\u00e9",
        "\\U0001F600",
        "\\q",
        "\\u12",
        "\\uD800",
        # TOML 1.1 escapes: invalid for Python 3.11+'s tomllib (TOML 1.0), which the parser
        # follows; tomli 2.3+ on Python 3.10 accepts them, so they are compared on 3.11+ only.
        *(("\\e", "\\x41") if sys.version_info >= (3, 11) else ()),
    ]
)
_PY_ESCAPES = st.sampled_from(
    [
        *("\\n", "\\t", "\\'", '\\"', "\\\\", "\\x41", "\\101", "\\0", "\\u00e9"),
        *("\\N{BULLET}", "\\q", "\\U0001F600", "\\\n"),
    ]
)


def _site(literal: Literal) -> StringSite:
    return StringSite(None, literal.raw, literal.span, True, literal.value, literal.pieces)


def _check_map(source: SourceText, literal: Literal) -> None:
    """Each value character written verbatim is found at its mapped position."""
    site = _site(literal)
    value = literal.value or ""
    for index, char in enumerate(value):
        span = site.span_of(index, 1)
        written = source.slice(
            (span.start.line, span.start.column), (span.end.line, span.end.column)
        )
        if len(written) == 1 and written not in "\\\r\n":
            assert written == char, (index, value)


@settings(max_examples=60)
@given(st.lists(st.one_of(_PLAIN, _TOML_ESCAPES), max_size=12))
def test_toml_basic_strings_match_tomllib(pieces: list[str]) -> None:
    token = '"' + "".join(pieces).replace('"', '\\"').replace('\\\\"', '\\"') + '"'
    text = f"v = {token}\n"
    source = SourceText(text)
    literal = toml_strings.decode(token, START, Position(0, 4 + len(token)))
    try:
        expected = tomllib.loads(text)["v"]
    except tomllib.TOMLDecodeError:
        assert literal.errors, token
        return
    assert literal.value == expected
    assert not literal.errors
    _check_map(source, literal)


@settings(max_examples=40)
@given(
    st.lists(
        st.one_of(_PLAIN, _TOML_ESCAPES, st.sampled_from(["\n", '"', "\\\n   ", "\\  \n\n  x"])),
        max_size=12,
    ),
    st.booleans(),
)
def test_toml_multiline_strings_match_tomllib(pieces: list[str], leading_newline: bool) -> None:
    content = ("\n" if leading_newline else "") + "".join(pieces)
    while '"""' in content:
        content = content.replace('"""', '""')
    if content.endswith(('"', "\\")):
        content += "x"
    token = f'"""{content}"""'
    text = f"v = {token}\n"
    source = SourceText(text)
    end = source.position_at(len(text) - 1)
    literal = toml_strings.decode(token, START, end)
    try:
        expected = tomllib.loads(text)["v"]
    except tomllib.TOMLDecodeError:
        assert literal.errors, token
        return
    assert literal.value == expected
    _check_map(source, literal)


@settings(max_examples=60)
@given(
    st.sampled_from(["", "r", "u", "f", "R", "rf", "b"]),
    st.sampled_from(['"', "'", '"""']),
    st.lists(st.one_of(_PLAIN, _PY_ESCAPES), max_size=12),
)
def test_python_strings_match_python(prefix: str, quote: str, pieces: list[str]) -> None:
    content = "".join(pieces)
    if "f" in prefix.lower():
        content = content.replace("{", "{{").replace("}", "}}")
    if "b" in prefix.lower():
        content = content.encode("ascii", "ignore").decode()
    content = content.replace(quote[0], "\\" + quote[0]) if "r" not in prefix.lower() else content
    if "r" in prefix.lower():
        content = content.replace(quote[0], "").rstrip("\\") or "x"
    if len(quote) == 1:
        content = content.replace("\n", "")
    token = f"{prefix}{quote}{content}{quote}"
    text = f"v = {token}\n"
    source = SourceText(text)
    end = source.position_at(len(text) - 1)
    literal = py_strings.decode(token, START, end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(token, mode="eval")
        except SyntaxError:
            return  # not a string Python accepts (an invalid \\x, say): nothing to compare
        expected = eval(compile(tree, "<token>", "eval"), {"__builtins__": {}})
    if isinstance(expected, bytes):
        assert literal.value is None and literal.note == "bytes"
        return
    assert literal.value == expected, token
    _check_map(source, literal)


def test_fstring_with_a_placeholder_has_no_value() -> None:
    literal = py_strings.decode('f"a{b}c"', START, Position(0, 12))
    assert (literal.value, literal.note) == (None, "fstring")


def test_closing_ends() -> None:
    source = SourceText('x = "a\\"b" \'c\n"""d\ne"""f\n')
    assert toml_strings.closing_end(source, Position(0, 4), '"') == Position(0, 10)
    assert toml_strings.closing_end(source, Position(0, 11), "'") is None
    assert toml_strings.closing_end(source, Position(1, 0), '"""') == Position(2, 4)
    assert py_strings.closing_end(source, Position(0, 4), '"') == Position(0, 10)
    assert py_strings.closing_end(source, Position(1, 0), '"""') == Position(2, 4)
    continued = SourceText('x = "a\\\nb"\n')
    assert py_strings.closing_end(continued, Position(0, 4), '"') == Position(1, 2)
