"""Editor answers inside ``[spoc.interfaces]`` values, without a client: completion (kinds and
dotted paths, half-typed values too), hover (a kind's meaning, a class as for plugins) and go
to definition of a segment."""

from __future__ import annotations

from pathlib import Path

from spoc.interfaces import KINDS
from spoc_lsp.analysis.analyze import analyze
from spoc_lsp.analysis.completion import complete
from spoc_lsp.analysis.hover import hover
from spoc_lsp.analysis.navigation import definition
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.index.model import Child, Definition, Resolution, Status, Symbol
from spoc_lsp.syntax.model import Position, Span
from tests.analysis.test_analyze import ScriptedResolver

TREE = {
    None: [Child("app", "module", "app", True)],
    "app": [Child("db", "module", "app/db", True)],
    "app.db": [Child("Plugin", "class", "class Plugin")],
}


def test_a_half_typed_value_offers_the_kinds_first_then_modules() -> None:
    text = '[spoc.interfaces]\nmiddleware = "cal\n[spoc.plugins]\nm = ["a.b"]\n'
    items = complete("toml", text, None, Position(1, 17), ScriptedResolver(children=TREE))  # type: ignore[arg-type]
    assert [item.label for item in items] == [*KINDS, "app"]
    callable_item = items[0]
    assert callable_item.replace == Span(Position(1, 14), Position(1, 17))
    assert callable_item.documentation is not None and "called" in callable_item.documentation
    assert items[-1].documentation is None  # resolved lazily, as for plugin URIs


def test_a_dotted_value_completes_like_a_plugin_uri() -> None:
    text = '[spoc.interfaces]\ndatabase = "app.db.P"\n'
    items = complete("toml", text, None, Position(1, 20), ScriptedResolver(children=TREE))  # type: ignore[arg-type]
    assert [(item.label, item.qualified_name) for item in items] == [("Plugin", "app.db.Plugin")]
    assert items[0].replace == Span(Position(1, 19), Position(1, 20))


def test_no_kinds_in_plugin_strings() -> None:
    text = '[spoc.plugins]\nm = ["ca"]\n'
    items = complete("toml", text, None, Position(1, 8), ScriptedResolver(children=TREE))  # type: ignore[arg-type]
    assert [item.label for item in items] == ["app"]


def _write(root: Path, toml: str) -> Path:
    path = root / "spoc.toml"
    path.write_text(toml)
    return path


def test_hover_on_a_kind_says_what_it_asks(tmp_path: Path) -> None:
    path = _write(tmp_path, '[spoc.interfaces]\nmiddleware = "function"\n')
    resolver = ScriptedResolver()
    result = hover(analyze(take_snapshot(tmp_path), resolver), path, Position(1, 16), resolver)  # type: ignore[arg-type]
    assert result is not None
    assert "interface kind" in result.markdown and "is a function" in result.markdown
    assert result.span == Span(Position(1, 14), Position(1, 22))


def _class_resolver(tmp_path: Path) -> tuple[ScriptedResolver, Path, Path]:
    package, module = tmp_path / "app" / "__init__.py", tmp_path / "app" / "db.py"
    uri = "app.db.Plugin"
    resolver = ScriptedResolver(
        {
            uri: Resolution(
                uri,
                Status.RESOLVED,
                symbol=Symbol(uri, "class", Definition(module, 2, 6)),
                segment_definitions=(Definition(package), Definition(module), None),
            )
        }
    )
    return resolver, package, module


def test_hover_on_a_class_value_resolves_it_as_a_plugin_uri(tmp_path: Path) -> None:
    path = _write(tmp_path, '[spoc.interfaces]\ndatabase = "app.db.Plugin"\n')
    resolver, _, _ = _class_resolver(tmp_path)
    result = hover(analyze(take_snapshot(tmp_path), resolver), path, Position(1, 20), resolver)  # type: ignore[arg-type]
    assert result is not None
    assert "group `database`" in result.markdown and "**class** `app.db.Plugin`" in result.markdown


def test_definition_of_each_segment_of_a_value(tmp_path: Path) -> None:
    path = _write(tmp_path, '[spoc.interfaces]\ndatabase = "app.db.Plugin"\nm = "module"\n')
    resolver, package, module = _class_resolver(tmp_path)
    analysis = analyze(take_snapshot(tmp_path), resolver)  # type: ignore[arg-type]
    first = definition(analysis, path, Position(1, 13), resolver)  # type: ignore[arg-type]
    assert first is not None and first.file == package
    second = definition(analysis, path, Position(1, 17), resolver)  # type: ignore[arg-type]
    assert second is not None and second.file == module and second.line == 0
    last = definition(analysis, path, Position(1, 21), resolver)  # type: ignore[arg-type]
    assert last is not None and (last.file, last.line, last.column) == (module, 2, 6)
    assert definition(analysis, path, Position(2, 7), resolver) is None  # type: ignore[arg-type]
