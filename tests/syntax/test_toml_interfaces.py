"""``[spoc.interfaces]`` read tolerantly: entries with the spans of key and value, wrong types as
SPOC009 with the runtime's own messages, and half-typed values kept for completion."""

from __future__ import annotations

import pytest

from spoc.config import key_problem
from spoc_lsp.syntax import parse_config
from spoc_lsp.syntax.model import Position


def test_entries_in_file_order_with_spans() -> None:
    text = '[spoc.interfaces]\nmiddleware = "callable"\ndatabase = "app.db.Plugin"\n'
    parsed = parse_config("toml", text, None)
    assert [(i.group, i.value) for i in parsed.interfaces] == [
        ("middleware", "callable"),
        ("database", "app.db.Plugin"),
    ]
    database = parsed.interfaces[1]
    assert (database.key.start, database.key.end) == (Position(2, 0), Position(2, 8))
    assert database.site.span.start == Position(2, 12)
    assert database.site.span.end == Position(2, 25)
    assert parsed.problems == ()
    assert "interfaces" in parsed.key_spans


@pytest.mark.parametrize(
    ("text", "group", "value"),
    [
        ('[spoc]\ninterfaces = {db = "class"}\n', "db", "class"),
        ('[spoc]\ninterfaces.db = "module"\n', "db", "module"),
        ('spoc.interfaces.db = "a.B"\n', "db", "a.B"),
        ('[spoc.interfaces]\n"db" = "a.\\u0042"\n', "db", "a.B"),
    ],
)
def test_every_way_toml_writes_the_table(text: str, group: str, value: str) -> None:
    parsed = parse_config("toml", text, None)
    assert [(i.group, i.value) for i in parsed.interfaces] == [(group, value)]


@pytest.mark.parametrize(
    ("text", "runtime_value"),
    [
        ("[spoc.interfaces]\ndb = 3\n", {"db": 3}),
        ("[spoc.interfaces]\ndb = ['a.B']\n", {"db": ["a.B"]}),
        ("[spoc.interfaces.db]\nx = 'a'\n", {"db": {}}),
        ("[spoc]\ninterfaces = 4\n", 4),
        ("[spoc]\ninterfaces = ['x']\n", ["x"]),
    ],
)
def test_wrong_types_are_spoc009_with_the_runtime_message(text: str, runtime_value: object) -> None:
    parsed = parse_config("toml", text, None)
    assert [(p.code, p.message) for p in parsed.problems] == [
        ("SPOC009", key_problem("interfaces", runtime_value))
    ]
    assert parsed.interfaces == ()


def test_a_half_typed_value_is_a_site_and_the_rest_still_reads() -> None:
    text = (
        '[spoc.interfaces]\ndb = "app.db.Plu\nmiddleware = "callable"\n'
        '[spoc.plugins]\nm = ["a.b"]\n'
    )
    parsed = parse_config("toml", text, None)
    site = parsed.interface_at(Position(1, 10))
    assert site is not None and site.group == "db" and site.text == "app.db.Plu"
    assert not site.terminated
    assert [(i.group, i.value) for i in parsed.interfaces] == [("middleware", "callable")]
    assert [e.uri for e in parsed.entry_spans] == ["a.b"]


def test_the_runtime_rejects_what_the_parser_rejects() -> None:
    assert key_problem("interfaces", {"db": "a.B", "m": "callable"}) is None
    assert key_problem("interfaces", {"db": 1}) is not None
