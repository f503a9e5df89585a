"""From code to config, as plain data: code lenses and references of plugin symbols.

Real projects on disk and the real resolver: the point is that a URI going through a
re-export still lands on the symbol it finally names.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from spoc_lsp.analysis.analyze import ProjectAnalysis, analyze
from spoc_lsp.analysis.model import TextEdit
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.analysis.references import (
    config_declaration,
    config_references,
    plugin_lenses,
    references,
    symbol_declaration,
    top_level,
)
from spoc_lsp.index import Resolver, open_resolver
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.text import LineIndex

TOML = """
[spoc.plugins]
middleware = ["shop.timing.timer", "shop.auth.Auth"]
hooks = ["shop.Auth"]
"""

SETTINGS = """
PLUGINS = {
    "middleware": ["shop.auth.Auth", "shop.timing.LIMIT"],
    "hooks": ["shop.hooks"],
}
"""

AUTH = '''
import os


class Auth:
    """Checks tokens."""

    def __call__(self, request):
        return request


def helper():
    return os.sep
'''

TIMING = """
def timer(request):
    return request


LIMIT, OTHER = 3, 4
"""

SHOP = {
    "config/spoc.toml": TOML,
    "config/settings.py": SETTINGS,
    "apps/shop/__init__.py": "from .auth import Auth\n",
    "apps/shop/auth.py": AUTH,
    "apps/shop/timing.py": TIMING,
    "apps/shop/hooks.py": '"""Hooks."""\n',
}


@dataclass
class Built:
    root: Path
    analysis: ProjectAnalysis
    resolver: Resolver

    def path(self, relative: str) -> Path:
        return self.root / relative

    def text(self, relative: str) -> str:
        return self.path(relative).read_text("utf-8")

    def at(self, relative: str, needle: str, offset: int = 0) -> Position:
        """The position of the first ``needle`` in a file, plus ``offset`` characters."""
        return position_of(self.text(relative), needle, offset)

    def span_text(self, file: Path, span: Span) -> str:
        index = LineIndex(file.read_text("utf-8"))
        return index.text[index.offset(span.start) : index.offset(span.end)]


def write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def build(tmp_path: Path, files: Mapping[str, str] = SHOP) -> Built:
    root = (tmp_path / "proj").resolve()
    write(root, files)
    return rebuild(root)


def rebuild(root: Path) -> Built:
    """A fresh resolver and analysis of the project as it is on disk now."""
    resolver = open_resolver(root, Path(sys.executable))
    return Built(root, analyze(take_snapshot(root), resolver), resolver)


def position_of(text: str, needle: str, offset: int = 0) -> Position:
    index = text.index(needle)
    return LineIndex(text).position(index + offset)


def apply_edits(root: Path, edits: tuple[TextEdit, ...] | list[TextEdit]) -> None:
    """Apply analysis edits to the files on disk (last first in each file)."""
    by_file: dict[Path, list[TextEdit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    for file, items in by_file.items():
        text = file.read_text("utf-8")
        index = LineIndex(text)
        for edit in sorted(items, key=lambda e: e.span.start, reverse=True):
            start, end = index.offset(edit.span.start), index.offset(edit.span.end)
            text = text[:start] + edit.new_text + text[end:]
        file.write_text(text, "utf-8")


def errors(built: Built) -> list[str]:
    return [
        f"{d.code} {d.message}" for d in built.analysis.all_diagnostics() if d.severity == "error"
    ]


# --- code lenses ------------------------------------------------------------------------------


def test_lens_lists_every_membership_direct_and_through_a_re_export(tmp_path: Path) -> None:
    built = build(tmp_path)
    path = built.path("apps/shop/auth.py")
    lenses = plugin_lenses(built.analysis, built.resolver, path, built.text("apps/shop/auth.py"))
    assert [(lens.name, lens.title) for lens in lenses] == [
        ("Auth", "plugin in middleware #2, hooks #1")
    ]
    (lens,) = lenses
    assert lens.span == Span(Position(3, 6), Position(3, 10))
    assert [m.uri for m in lens.memberships] == ["shop.auth.Auth", "shop.Auth"]
    assert [m.source for m in lens.memberships] == ["toml", "toml"]


def test_lenses_for_functions_tuple_assignments_and_the_module(tmp_path: Path) -> None:
    built = build(tmp_path)
    timing = built.path("apps/shop/timing.py")
    lenses = plugin_lenses(
        built.analysis, built.resolver, timing, built.text("apps/shop/timing.py")
    )
    assert [(lens.name, lens.title, lens.span.start) for lens in lenses] == [
        ("timer", "plugin in middleware #1", Position(0, 4)),
        ("LIMIT", "plugin in middleware #3", Position(4, 0)),
    ]
    hooks = built.path("apps/shop/hooks.py")
    (module,) = plugin_lenses(
        built.analysis, built.resolver, hooks, built.text("apps/shop/hooks.py")
    )
    assert module.name is None
    assert module.title == "plugin in hooks #2"
    assert module.span == Span(Position(0, 0), Position(0, 0))


def test_lenses_follow_unsaved_edits_that_move_lines(tmp_path: Path) -> None:
    built = build(tmp_path)
    path = built.path("apps/shop/auth.py")
    shown = '"""Edited, not saved."""\n\n\n' + built.text("apps/shop/auth.py")
    (lens,) = plugin_lenses(built.analysis, built.resolver, path, shown)
    assert lens.span.start == Position(6, 6)


@pytest.mark.parametrize(
    ("relative", "text"),
    [
        ("apps/shop/auth.py", "class Auth(:\n"),  # does not parse
        ("config/settings.py", None),  # a config file, not code
        ("apps/shop/__init__.py", None),  # only re-exports: nothing defined here
    ],
)
def test_no_lenses(tmp_path: Path, relative: str, text: str | None) -> None:
    built = build(tmp_path)
    shown = text if text is not None else built.text(relative)
    assert plugin_lenses(built.analysis, built.resolver, built.path(relative), shown) == []


def test_no_lenses_outside_the_project(tmp_path: Path) -> None:
    built = build(tmp_path)
    outside = tmp_path / "elsewhere.py"
    outside.write_text("class Auth:\n    pass\n")
    assert plugin_lenses(built.analysis, built.resolver, outside, outside.read_text()) == []


# --- references -------------------------------------------------------------------------------


def test_references_from_a_class_list_direct_re_exported_and_duplicate_entries(
    tmp_path: Path,
) -> None:
    built = build(tmp_path)
    path = built.path("apps/shop/auth.py")
    found = references(built.analysis, built.resolver, path, built.at("apps/shop/auth.py", "Auth:"))
    assert [(file.name, built.span_text(file, span), span.start.line) for file, span in found] == [
        ("spoc.toml", "shop.auth.Auth", 1),
        ("spoc.toml", "shop.Auth", 2),
        ("settings.py", "shop.auth.Auth", 1),
    ]
    declaration = symbol_declaration(path, built.at("apps/shop/auth.py", "Auth:", 2))
    assert declaration == (path, Span(Position(3, 6), Position(3, 10)))


def test_references_use_the_unsaved_text_for_the_cursor(tmp_path: Path) -> None:
    built = build(tmp_path)
    path = built.path("apps/shop/timing.py")
    shown = "\n\n" + built.text("apps/shop/timing.py")
    cursor = position_of(shown, "LIMIT")
    found = references(built.analysis, built.resolver, path, cursor, {path: shown})
    assert [built.span_text(file, span) for file, span in found] == ["shop.timing.LIMIT"]


@pytest.mark.parametrize("needle", ["helper", "os", "return request", "OTHER"])
def test_no_references_for_what_no_uri_names(tmp_path: Path, needle: str) -> None:
    built = build(tmp_path)
    relative = "apps/shop/timing.py" if needle == "OTHER" else "apps/shop/auth.py"
    cursor = built.at(relative, needle)
    assert references(built.analysis, built.resolver, built.path(relative), cursor) == []


def test_references_from_a_uri_list_entries_with_the_same_target(tmp_path: Path) -> None:
    built = build(tmp_path)
    toml = built.path("config/spoc.toml")
    found = config_references(
        built.analysis, built.resolver, toml, built.at("config/spoc.toml", "shop.Auth", 6)
    )
    assert [built.span_text(file, span) for file, span in found] == [
        "shop.auth.Auth",
        "shop.Auth",
        "shop.auth.Auth",
    ]
    declaration = config_declaration(
        built.analysis, built.resolver, toml, built.at("config/spoc.toml", "shop.Auth")
    )
    assert declaration == (built.path("apps/shop/auth.py"), Span(Position(3, 6), Position(3, 10)))


def test_references_of_an_unresolved_uri_match_its_text(tmp_path: Path) -> None:
    files = dict(SHOP)
    files["config/settings.py"] = 'PLUGINS = {"a": ["shop.nope"], "b": ["shop.nope"]}\n'
    built = build(tmp_path, files)
    settings = built.path("config/settings.py")
    cursor = built.at("config/settings.py", "shop.nope", 1)
    found = config_references(built.analysis, built.resolver, settings, cursor)
    assert [(span.start.column, built.span_text(f, span)) for f, span in found] == [
        (18, "shop.nope"),
        (38, "shop.nope"),
    ]
    assert config_declaration(built.analysis, built.resolver, settings, cursor) is None


def test_top_level_names_include_conditional_blocks_not_bodies() -> None:
    text = textwrap.dedent(
        """
        import a.b, c as d
        from e import f as g, h
        try:
            from fast import speed
        except ImportError:
            def speed(): ...
        if True:
            X: int = 1
        Y: int
        async def run(): ...
        class K:
            inner = 1
        """
    ).lstrip("\n")
    symbols = top_level(text)
    assert symbols is not None
    assert [(s.name, s.kind, s.occurrence) for s in symbols] == [
        ("a", "import", 0),
        ("d", "import", 0),
        ("g", "import", 0),
        ("h", "import", 0),
        ("speed", "import", 0),
        ("speed", "function", 1),
        ("X", "variable", 0),
        ("run", "function", 0),
        ("K", "class", 0),
    ]
    run = next(s for s in symbols if s.name == "run")
    assert run.span == Span(Position(9, 10), Position(9, 13))


def test_lenses_match_definitions_on_their_line_whatever_the_reported_column(
    tmp_path: Path,
) -> None:
    # Short names that also occur in their keyword (`f` in `def`, `sync` in `async`).
    files = {
        "spoc.toml": '[spoc.plugins]\na = ["m.f", "m.sync"]\n',
        "apps/m/__init__.py": "def f():\n    pass\n\n\nasync def sync():\n    pass\n",
    }
    built = build(tmp_path, files)
    path = built.path("apps/m/__init__.py")
    lenses = plugin_lenses(built.analysis, built.resolver, path, built.text("apps/m/__init__.py"))
    assert [(lens.name, lens.span.start, lens.title) for lens in lenses] == [
        ("f", Position(0, 4), "plugin in a #1"),
        ("sync", Position(4, 10), "plugin in a #2"),
    ]


def test_top_level_columns_are_code_points() -> None:
    symbols = top_level('S = "🎉"; Auth = 1\nclass Ünïcode: pass\n')
    assert symbols is not None
    assert [(s.name, s.span.start) for s in symbols] == [
        ("S", Position(0, 0)),
        ("Auth", Position(0, 9)),
        ("Ünïcode", Position(1, 6)),
    ]


def test_a_string_backing_several_entries_is_one_reference(tmp_path: Path) -> None:
    # `PLUGINS["b"] = PLUGINS["a"]`: groups a and b both hold the one string of line 1.
    files = {
        **SHOP,
        "config/settings.py": 'PLUGINS = {"a": ["shop.auth.Auth"]}\nPLUGINS["b"] = PLUGINS["a"]\n',
    }
    built = build(tmp_path, files)
    settings = built.path("config/settings.py")
    path = built.path("apps/shop/auth.py")
    found = references(built.analysis, built.resolver, path, built.at("apps/shop/auth.py", "Auth:"))
    assert [(f.name, s.start.line) for f, s in found if f == settings] == [("settings.py", 0)]
    from_uri = config_references(
        built.analysis, built.resolver, settings, built.at("config/settings.py", "shop.auth", 1)
    )
    assert [(f.name, s.start.line) for f, s in from_uri if f == settings] == [("settings.py", 0)]
    lenses = plugin_lenses(built.analysis, built.resolver, path, built.text("apps/shop/auth.py"))
    assert "a #1" in lenses[0].title and "b #1" in lenses[0].title  # two plan entries, two places
