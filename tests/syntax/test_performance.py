"""Big inputs parse completely (a sanity check, with no timing assertion)."""

from __future__ import annotations

from spoc_lsp.syntax import parse_settings, parse_toml_config

ENTRIES = 10_000


def test_a_toml_array_of_ten_thousand_entries() -> None:
    lines = ["[spoc]", 'mode = "development"', "[spoc.plugins]", "middleware = ["]
    lines += [
        f'    "myapp.middleware.module_{i:05d}.Handler",  # entry {i}' for i in range(ENTRIES)
    ]
    lines += ["]", "[tool.other]", "x = 1"]
    parsed = parse_toml_config("\n".join(lines) + "\n", None)
    assert parsed.problems == ()
    [group] = parsed.source.groups
    assert len(group.entries) == ENTRIES
    assert group.entries[-1].uri == f"myapp.middleware.module_{ENTRIES - 1:05d}.Handler"
    assert group.entries[-1].provenance.line == ENTRIES + 4


def test_a_settings_module_with_ten_thousand_entries() -> None:
    lines = ["import os", "", "PLUGINS = {", '    "middleware": [']
    lines += [f'        "myapp.middleware.module_{i:05d}.Handler",' for i in range(ENTRIES // 2)]
    lines += ["    ],", "}"]
    lines += [
        f'PLUGINS["middleware"].append("myapp.extra.module_{i:05d}")' for i in range(ENTRIES // 2)
    ]
    parsed = parse_settings("\n".join(lines) + "\n", None)
    assert parsed.problems == ()
    [group] = parsed.source.groups
    assert len(group.entries) == ENTRIES
    assert group.entries[-1].uri == f"myapp.extra.module_{ENTRIES // 2 - 1:05d}"


def test_a_broken_big_file_still_parses() -> None:
    lines = ["PLUGINS = {", '    "mw": [']
    lines += [f'        "m.e{i}",' if i % 100 else f'        "m.e{i}' for i in range(ENTRIES)]
    parsed = parse_settings("\n".join(lines) + "\n", None)
    assert len(parsed.source.groups[0].entries) == ENTRIES - ENTRIES // 100
    assert sum(not site.terminated for site in parsed.strings) == ENTRIES // 100
