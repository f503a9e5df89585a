"""Positions follow LSP: ``\\r\\n``, ``\\r`` and ``\\n`` all break lines; columns are code points.

Each fixture is written once with ``\\n`` and run with every line ending, in both languages.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spoc_lsp.syntax import parse_settings, parse_toml_config
from spoc_lsp.syntax.model import ParsedConfig, Position

from .markup import entries, marked, show

Parser = Callable[[str, None], ParsedConfig]

TOML = """[spoc.plugins]
mw = [
\t"«tab.before»",
  "😀", "«after.emoji»",  # 😀 counts as one column
  "«é.accent»", "«x\\u00e9y»",
]
"""

SETTINGS = """PLUGINS = {
    "mw": [
\t"«tab.before»",
        "😀", "«after.emoji»",  # 😀 counts as one column
        "«é.accent»", "«x\\u00e9y»",
    ],
}
"""

FIXTURES = [("toml", TOML, parse_toml_config), ("settings", SETTINGS, parse_settings)]
ENDINGS = [("LF", "\n"), ("CRLF", "\r\n"), ("CR", "\r")]


@pytest.mark.parametrize(("name", "fixture", "parse"), FIXTURES, ids=[f[0] for f in FIXTURES])
@pytest.mark.parametrize("ending", [e[1] for e in ENDINGS], ids=[e[0] for e in ENDINGS])
@pytest.mark.parametrize("bom", ["", "\ufeff"], ids=["no-BOM", "BOM"])
def test_line_endings_bom_tabs_and_emoji(
    name: str, fixture: str, parse: Parser, ending: str, bom: str
) -> None:
    source = marked(bom + fixture.replace("\n", ending))
    parsed = parse(source.text, None)
    assert [p.message for p in parsed.problems] == []
    found = [(uri, show(span)) for _, uri, span in entries(parsed)]
    uris = ["tab.before", "😀", "after.emoji", "é.accent", "xéy"]
    spans = [show(span) for span in source.entries]
    emoji = [uri for uri, _ in found].index("😀")
    assert [uri for uri, _ in found] == uris
    assert [span for i, (_, span) in enumerate(found) if i != emoji] == spans


@pytest.mark.parametrize(("name", "fixture", "parse"), FIXTURES, ids=[f[0] for f in FIXTURES])
def test_a_bom_counts_as_a_column_of_the_first_line(name: str, fixture: str, parse: Parser) -> None:
    one_line = {"toml": 'spoc.plugins.mw = ["«a.b»"]', "settings": 'PLUGINS = {"mw": ["«a.b»"]}'}
    source = marked("\ufeff" + one_line[name])
    parsed = parse(source.text, None)
    [(_, _, span)] = entries(parsed)
    assert show(span) == show(source.entries[0])
    assert span.start.column == one_line[name].index("«") + 1


@pytest.mark.parametrize(
    ("name", "parse"), [(f[0], f[2]) for f in FIXTURES], ids=[f[0] for f in FIXTURES]
)
def test_lone_surrogates_and_nul_bytes(name: str, parse: Parser) -> None:
    bad = "a\udcffb\x00c"
    text = {
        "toml": f'[spoc.plugins]\nmw = ["{bad}", "ok.one"]\nx = ["ok.two"]\n',
        "settings": f'PLUGINS = {{"mw": ["{bad}", "ok.one"], "x": ["ok.two"]}}\n',
    }[name]
    parsed = parse(text, None)
    found = {uri: show(span) for _, uri, span in entries(parsed)}
    column = text.splitlines()[1 if name == "toml" else 0].index("ok.one")
    assert (
        found["ok.one"]
        == f"{1 if name == 'toml' else 0}:{column}-{1 if name == 'toml' else 0}:{column + 6}"
    )
    assert "ok.two" in found
    assert bad in found  # read as written, for the URI check to reject


def test_position_helpers_on_a_mixed_text() -> None:
    from spoc_lsp.syntax.source_text import SourceText

    source = SourceText("a\r\nbé\rc😀d\ne")
    assert source.line_count == 4
    assert [source.line_text(line) for line in range(4)] == ["a", "bé", "c😀d", "e"]
    assert source.position_at(source.text.index("d")) == Position(2, 2)
