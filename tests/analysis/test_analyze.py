"""The analysis as plain data: parse + merge + resolve + diagnose, with a scripted resolver.

The resolver is a stand-in here so each test states exactly what the index answers; the real
resolver has its own tests (tests/index) and the two meet in the end-to-end tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spoc_lsp.analysis.analyze import analyze
from spoc_lsp.analysis.completion import complete
from spoc_lsp.analysis.entry_diagnostics import repair_uri
from spoc_lsp.analysis.fixes import element_removal_span
from spoc_lsp.analysis.inlay import inlay_hints
from spoc_lsp.analysis.model import Diagnostic
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.analysis.rules import RULES, apply_severity, severity_for
from spoc_lsp.index.model import (
    Child,
    Definition,
    Failure,
    ImportProblem,
    Resolution,
    Status,
    Symbol,
)
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.text import LineIndex

CURSOR = "‸"


class ScriptedResolver:
    """Answers from a table; anything not in it resolves to a function."""

    def __init__(
        self,
        answers: dict[str, Resolution] | None = None,
        children: dict[str | None, list[Child]] | None = None,
    ) -> None:
        self.answers = answers or {}
        self.tree = children or {}
        self.asked: list[str] = []

    def resolve(self, uri: str) -> Resolution:
        self.asked.append(uri)
        if uri == "boom.crash":
            raise RuntimeError("resolver bug")
        return self.answers.get(
            uri, Resolution(uri, Status.RESOLVED, symbol=Symbol(uri, "function", Definition(None)))
        )

    def children(self, module: str | None) -> list[Child]:
        return self.tree.get(module, [])


def project(tmp_path: Path, toml: str | None = None, settings: str | None = None) -> Path:
    if toml is not None:
        (tmp_path / "config").mkdir(exist_ok=True)
        (tmp_path / "config" / "spoc.toml").write_text(toml)
    if settings is not None:
        (tmp_path / "config").mkdir(exist_ok=True)
        (tmp_path / "config" / "settings.py").write_text(settings)
    return tmp_path


def by_code(diagnostics: tuple[Diagnostic, ...], code: str) -> Diagnostic:
    return next(d for d in diagnostics if d.code == code)


def test_missing_module_points_at_its_segment_and_offers_each_suggestion(tmp_path: Path) -> None:
    root = project(tmp_path, toml='[spoc.plugins]\nmw = ["core.midleware.timing"]\n')
    failure = Failure(
        "SPOC001",
        1,
        "midleware",
        "core",
        "no module named 'core.midleware'",
        ("middleware", "midware"),
    )
    resolver = ScriptedResolver(
        {
            "core.midleware.timing": Resolution(
                "core.midleware.timing", Status.UNRESOLVED, failure=failure
            )
        }
    )
    analysis = analyze(take_snapshot(root), resolver)
    (diagnostic,) = analysis.diagnostics[root / "config" / "spoc.toml"]
    assert diagnostic.code == "SPOC001"
    assert diagnostic.severity == "error"
    assert diagnostic.message == (
        "no module named 'core.midleware'; did you mean 'middleware' or 'midware'?"
    )
    assert diagnostic.span == Span(Position(1, 12), Position(1, 21))
    assert [fix.title for fix in diagnostic.fixes] == [
        "Change 'midleware' to 'middleware'",
        "Change 'midleware' to 'midware'",
    ]
    assert diagnostic.fixes[0].preferred
    assert diagnostic.fixes[0].edits[0].span == diagnostic.span


@pytest.mark.parametrize(
    ("uri", "repaired"),
    [
        ("core..hooks", "core.hooks"),
        ("core.hooks. startup", "core.hooks.startup"),
        (".core.hooks.", "core.hooks"),
        ("core.2fa", None),
        ("pkg.mod:obj", None),
    ],
)
def test_invalid_uri_repairs_are_offered_only_when_valid(uri: str, repaired: str | None) -> None:
    assert repair_uri(uri) == repaired


def test_invalid_uri_is_spoc003_and_never_resolved(tmp_path: Path) -> None:
    root = project(tmp_path, toml='[spoc.plugins]\nmw = ["core..hooks", "ok.fine"]\n')
    resolver = ScriptedResolver()
    analysis = analyze(take_snapshot(root), resolver)
    diagnostics = analysis.diagnostics[root / "config" / "spoc.toml"]
    assert [d.code for d in diagnostics] == ["SPOC003"]
    assert "empty segment" in diagnostics[0].message
    assert diagnostics[0].message.endswith("; did you mean 'core.hooks'?")
    assert diagnostics[0].fixes[0].edits[0].new_text == "core.hooks"
    # The invalid text is never resolved; its repair is, to be offered only if it resolves.
    assert resolver.asked == ["core.hooks", "ok.fine"]


def test_duplicate_across_files_names_the_first_and_removes_cleanly(tmp_path: Path) -> None:
    settings = 'PLUGINS = {\n    "mw": [\n        "a.b",\n        "c.d",\n    ],\n}\n'
    root = project(tmp_path, toml='[spoc.plugins]\nmw = ["a.b"]\n', settings=settings)
    analysis = analyze(take_snapshot(root), ScriptedResolver())
    settings_path = root / "config" / "settings.py"
    duplicate = by_code(analysis.diagnostics[settings_path], "SPOC004")
    assert duplicate.severity == "warning"
    assert duplicate.message == (
        "duplicate: 'a.b' is already listed in group 'mw' at config/spoc.toml:2; "
        "this entry is ignored at runtime"
    )
    (edit,) = duplicate.fixes[0].edits
    index = LineIndex(settings)
    fixed = settings[: index.offset(edit.span.start)] + settings[index.offset(edit.span.end) :]
    assert fixed == 'PLUGINS = {\n    "mw": [\n        "c.d",\n    ],\n}\n'
    assert analysis.plan.as_dict() == {"mw": ["a.b", "c.d"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('x = ["a.b", "c.d"]', 'x = ["c.d"]'),
        ('x = ["c.d", "a.b"]', 'x = ["c.d"]'),
        ('x = ["a.b"]', "x = []"),
        ('x = ["c.d", "a.b",]', 'x = ["c.d",]'),
        ("x = ['c.d', 'a.b']", "x = ['c.d']"),
    ],
)
def test_element_removal_keeps_the_list_well_formed(text: str, expected: str) -> None:
    start = text.index("a.b")
    span = Span(Position(0, start), Position(0, start + 3))
    index = LineIndex(text)
    removal = element_removal_span(text, span)
    assert text[: index.offset(removal.start)] + text[index.offset(removal.end) :] == expected


@pytest.mark.parametrize(("conditional", "severity"), [(False, "error"), (True, "warning")])
def test_import_problem_is_a_spoc007_naming_the_file(
    tmp_path: Path, conditional: bool, severity: str
) -> None:
    """An error when the failing import is unconditional; a warning when it only runs in an
    ``except ImportError:`` handler (#14 item 8)."""
    root = project(tmp_path, toml='[spoc.plugins]\nmw = ["pay.gateway"]\n')
    problem = ImportProblem(
        "pay",
        root / "pay.py",
        "imports 'stripe_sdk', which is not installed",
        line=3,
        conditional=conditional,
    )
    resolver = ScriptedResolver(
        {
            "pay.gateway": Resolution(
                "pay.gateway",
                Status.RESOLVED,
                symbol=Symbol("pay.gateway", "function"),
                import_problems=(problem,),
            )
        }
    )
    analysis = analyze(take_snapshot(root), resolver)
    (diagnostic,) = analysis.diagnostics[root / "config" / "spoc.toml"]
    assert diagnostic.code == "SPOC007"
    assert diagnostic.severity == severity
    assert diagnostic.message == (
        "'pay.gateway' is found, but importing it will fail at pay.py:3: "
        "imports 'stripe_sdk', which is not installed"
    )


def test_unverifiable_and_resolver_failures_are_not_errors(tmp_path: Path) -> None:
    root = project(tmp_path, toml='[spoc.plugins]\nmw = ["lazy.thing", "boom.crash"]\n')
    resolver = ScriptedResolver(
        {
            "lazy.thing": Resolution(
                "lazy.thing", Status.UNVERIFIABLE, reason="module 'lazy' defines __getattr__"
            )
        }
    )
    analysis = analyze(take_snapshot(root), resolver)
    assert analysis.diagnostics[root / "config" / "spoc.toml"] == ()
    assert analysis.resolutions["boom.crash"].status is Status.UNVERIFIABLE


def test_open_buffer_wins_over_disk(tmp_path: Path) -> None:
    root = project(tmp_path, toml='[spoc.plugins]\nmw = ["a.b"]\n')
    path = root / "config" / "spoc.toml"
    analysis = analyze(
        take_snapshot(root, {path: '[spoc.plugins]\nmw = ["x.y"]\n'}), ScriptedResolver()
    )
    assert analysis.plan.as_dict() == {"mw": ["x.y"]}


def test_inlay_hints_show_merged_positions_and_duplicates(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        toml='[spoc.plugins]\nmw = ["a.b", "c.d"]\n',
        settings='PLUGINS = {"mw": ["e.f", "a.b"]}\n',
    )
    analysis = analyze(take_snapshot(root), ScriptedResolver())
    hints = inlay_hints(analysis, root / "config" / "settings.py", 0, 10)
    assert [(hint.column, hint.label) for hint in hints] == [(23, "#3/3"), (30, "duplicate")]


def split_cursor(text: str) -> tuple[str, Position]:
    offset = text.index(CURSOR)
    clean = text.replace(CURSOR, "")
    return clean, LineIndex(clean).position(offset)


@pytest.mark.parametrize(
    ("text", "kind", "expected_parent", "expected_range"),
    [
        ('[spoc.plugins]\nmw = ["core.mi‸', "toml", "core", (12, 14)),
        ('[spoc.plugins]\nmw = ["core.‸"]', "toml", "core", (12, 12)),
        ('[spoc.plugins]\nmw = ["co‸re.middleware"]', "toml", None, (7, 11)),
        ('PLUGINS = {"mw": ["core.mi‸', "settings", "core", (24, 26)),
    ],
)
def test_completion_replaces_the_segment_being_typed(
    text: str, kind: str, expected_parent: str | None, expected_range: tuple[int, int]
) -> None:
    clean, cursor = split_cursor(text)
    tree = {
        None: [Child("core", "module", "apps/core", True), Child("json", "module", "stdlib")],
        "core": [
            Child("middleware", "module", "core/middleware"),
            Child("_private", "variable", ""),
        ],
    }
    items = complete(kind, clean, None, cursor, ScriptedResolver(children=tree))  # type: ignore[arg-type]
    expected = [c.name for c in tree[expected_parent] if not c.name.startswith("_")]
    assert [item.label for item in items] == expected
    assert items[0].replace == Span(
        Position(cursor.line, expected_range[0]), Position(cursor.line, expected_range[1])
    )


def test_no_completion_outside_plugin_strings() -> None:
    clean, cursor = split_cursor('[spoc]\nmode = "dev‸"\n')
    assert (
        complete(
            "toml",
            clean,
            None,
            cursor,
            ScriptedResolver(children={None: [Child("x", "module", "")]}),
        )
        == []
    )


def test_severity_overrides_take_the_longest_prefix() -> None:
    overrides = {"SPOC00": "hint", "SPOC002": "off", "SPOC004": "error"}
    assert severity_for("SPOC001", overrides) == "hint"
    assert severity_for("SPOC002", overrides) == "off"
    assert severity_for("SPOC004", overrides) == "error"
    assert severity_for("SPOC004", {}) == "warning"
    span = Span(Position(0, 0), Position(0, 1))
    items = [Diagnostic(Path("f"), span, "error", code, "m") for code in ("SPOC001", "SPOC002")]
    assert [(d.code, d.severity) for d in apply_severity(items, overrides)] == [("SPOC001", "hint")]


def test_every_rule_is_documented_and_unique() -> None:
    assert list(RULES) == [f"SPOC{n:03d}" for n in range(1, len(RULES) + 1)]
    assert "SPOC010" in RULES and RULES["SPOC010"].severity == "information"
    for rule in RULES.values():
        page = rule.doc_path.read_text()
        assert page.startswith(f"# {rule.code}")
        assert "## What triggers it" in page and "## Fix" in page
