"""One path from a URI offset to a source span: squiggles, fixes and go to definition follow
the parser's map when the URI is written with escapes or in concatenated pieces."""

from __future__ import annotations

from pathlib import Path

import pytest

from spoc_lsp.analysis.analyze import analyze
from spoc_lsp.analysis.navigation import definition
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.analysis.uri_spans import offset_at, segment_at, segment_span
from spoc_lsp.index.model import Definition, Failure, Resolution, Status, Symbol
from spoc_lsp.syntax.model import Position, Span
from tests.analysis.test_analyze import ScriptedResolver

MISSING = Failure(
    "SPOC002",
    2,
    "startuq",
    "core.hooks",
    "module 'core.hooks' has no attribute 'startuq'",
    ("startup",),
)


def write(root: Path, name: str, text: str) -> Path:
    (root / "config").mkdir(exist_ok=True)
    (root / "config" / "spoc.toml").write_text("[spoc.plugins]\n" if name != "spoc.toml" else text)
    path = root / "config" / name
    path.write_text(text, encoding="utf-8")
    return path


def unresolved(uri: str) -> ScriptedResolver:
    return ScriptedResolver({uri: Resolution(uri, Status.UNRESOLVED, failure=MISSING)})


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        # \u0061 is "a": the segment is 7 characters long, written with 12.
        ("spoc.toml", '[spoc.plugins]\nhooks = ["core.hooks.st\\u0061rtuq"]\n', ((1, 21), (1, 33))),
        # The segment is the whole second literal of an implicit concatenation.
        ("settings.py", 'PLUGINS = {"hooks": ["core.hooks." "startuq"]}\n', ((0, 36), (0, 43))),
        # Plain text: the map and the columns agree.
        ("spoc.toml", '[spoc.plugins]\nhooks = ["core.hooks.startuq"]\n', ((1, 21), (1, 28))),
    ],
)
def test_an_unresolved_segment_is_underlined_where_it_is_written(
    tmp_path: Path, name: str, text: str, expected: tuple[tuple[int, int], tuple[int, int]]
) -> None:
    path = write(tmp_path, name, text)
    analysis = analyze(take_snapshot(tmp_path), unresolved("core.hooks.startuq"))
    (diagnostic,) = [d for d in analysis.diagnostics[path] if d.code == "SPOC002"]
    start, end = expected
    assert diagnostic.span == Span(Position(*start), Position(*end))
    # The fix replaces exactly the written segment, escape and all.
    (fix,) = diagnostic.fixes
    assert fix.edits[0].span == diagnostic.span
    assert fix.edits[0].new_text == "startup"


def test_offsets_map_back_through_an_escape(tmp_path: Path) -> None:
    path = write(tmp_path, "spoc.toml", '[spoc.plugins]\nhooks = ["core.hooks.st\\u0061rtuq"]\n')
    analysis = analyze(take_snapshot(tmp_path), unresolved("core.hooks.startuq"))
    parsed = analysis.parsed[path]
    (entry,) = parsed.entry_spans
    assert offset_at(parsed, entry, Position(1, 10)) == 0  # the "c" of core
    assert offset_at(parsed, entry, Position(1, 23)) == 13  # the backslash of \u0061: the "a"
    assert offset_at(parsed, entry, Position(1, 28)) == 13  # its last hex digit: still the "a"
    assert offset_at(parsed, entry, Position(1, 29)) == 14  # the "r" after it
    assert offset_at(parsed, entry, Position(1, 33)) == len(entry.uri)  # right after the text
    assert offset_at(parsed, entry, Position(0, 0)) is None
    assert segment_at(parsed, entry, Position(1, 16)) == 1
    assert segment_span(parsed, entry, 3) is None


def test_definition_picks_the_segment_under_the_cursor_past_an_escape(tmp_path: Path) -> None:
    path = write(tmp_path, "spoc.toml", '[spoc.plugins]\nhooks = ["c\\u006Fre.hooks.start"]\n')
    uri = "core.hooks.start"
    module, hooks = tmp_path / "core" / "__init__.py", tmp_path / "core" / "hooks.py"
    resolver = ScriptedResolver(
        {
            uri: Resolution(
                uri,
                Status.RESOLVED,
                symbol=Symbol(uri, "function", Definition(hooks, 3, 4)),
                segment_definitions=(Definition(module), Definition(hooks), None),
            )
        }
    )
    analysis = analyze(take_snapshot(tmp_path), resolver)
    # Raw columns would put column 23 (the "h" of hooks, after a 6-character escape) in
    # segment 2; the map puts it in segment 1.
    target = definition(analysis, path, Position(1, 23), resolver)
    assert target is not None and target.file == hooks and target.line == 0
    target = definition(analysis, path, Position(1, 30), resolver)
    assert target is not None and (target.file, target.line, target.column) == (hooks, 3, 4)
