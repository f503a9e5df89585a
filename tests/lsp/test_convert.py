"""Converting published diagnostics: a diagnostic whose lines did not change keeps its LSP
form between publications; one on a changed line, or with a fix in another file, is
converted again."""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.analysis.model import Diagnostic, Fix, TextEdit
from spoc_lsp.lsp.convert import ConvertedDiagnostics, TextConverter
from spoc_lsp.syntax.model import Position, Span

TOML = Path("/p/spoc.toml")


def _at(line: int, start: int, end: int) -> Span:
    return Span(Position(line, start), Position(line, end))


def test_an_unchanged_line_keeps_its_conversion_and_a_changed_one_is_redone() -> None:
    text = 'a = ["x.y"]\nb = ["é.z"]\n'
    first = Diagnostic(TOML, _at(0, 6, 9), "error", "SPOC002", "no 'y'")
    second = Diagnostic(
        TOML,
        _at(1, 6, 9),
        "error",
        "SPOC001",
        "no 'é'",
        fixes=(Fix("fix", (TextEdit(TOML, _at(1, 6, 7), "e"),)),),
    )
    elsewhere = Diagnostic(
        TOML,
        _at(0, 6, 9),
        "error",
        "SPOC011",
        "missing",
        fixes=(Fix("stub", (TextEdit(Path("/p/m.py"), _at(3, 0, 0), "def f(): ..."),)),),
    )
    cache = ConvertedDiagnostics()
    items = [first, second, elsewhere]
    published = cache.convert(TOML, items, TextConverter(text, "utf-16"), {})
    again = cache.convert(TOML, items, TextConverter(text, "utf-16"), {})
    assert again[0] is published[0] and again[1] is published[1]
    assert again[2] is not published[2] and again[2] == published[2]  # another file: redone
    # Text inserted before the second entry, on its line: its columns are read again.
    edited = 'a = ["x.y"]\nb = [ "é.z"]\n'
    moved = Diagnostic(TOML, _at(1, 7, 10), "error", "SPOC001", "no 'é'", fixes=second.fixes)
    after = cache.convert(TOML, [first, moved], TextConverter(edited, "utf-16"), {})
    assert after[0] is published[0]
    assert after[1].range.start.character == 7
    # Same object, but its line changed (a wider character before it): converted again.
    widened = 'a = ["x.y"]\nb = ["\U0001f600.z"]\n'
    redone = cache.convert(TOML, [first, second], TextConverter(widened, "utf-16"), {})
    assert redone[1] is not published[1]
    assert redone[1].range.end.character == 10  # the emoji counts two UTF-16 units
