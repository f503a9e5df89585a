"""Hostile files: each gets a clear diagnostic or is ignored, within a time bound, and neither
the command line (exit 0 or 1, never a traceback) nor the server (answers the next request,
logs no failure) falls over."""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.lsp.support import initialize
from tests.reliability.support import (
    FAULTY,
    Oracle,
    answers_within,
    converge,
    failures,
    hover_at,
    open_text,
    position_at,
    ranged_change,
    record,
    run_check,
    send_changes,
    serving,
    sized,
    wait_until,
    write_files,
)

MODULES: dict[str, str | bytes] = {
    "apps/app/__init__.py": "",
    "apps/app/m.py": "def f():\n    pass\n",
}
TOML_FILE = "config/spoc.toml"
APPENDED_TOML = '\n[spoc.plugins.appended]\nzz = ["app.m.zz_appended"]\n'
APPENDED_SETTINGS = '\nPLUGINS["zz"] = ["app.m.zz_appended"]\n'
# Bytes of random garbage (CI keeps it small; the soak size is 100 KB).
GARBAGE = sized(20_000, 100_000)
SETTINGS_FILE = "config/settings.py"


@dataclass(frozen=True)
class Case:
    """A project with something hostile in it, and what must come of it."""

    name: str
    files: Mapping[str, str | bytes]
    codes: Mapping[str, frozenset[str]]  # file -> codes that must be among its diagnostics
    positions: tuple[tuple[str, str, int, int], ...] = ()  # (file, code, line, UTF-16 column)
    settings: Mapping[str, Any] = field(default_factory=dict)  # the server's
    cli_env: Mapping[str, str] = field(default_factory=dict)
    faults: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # see faulty.py
    open_in_editor: bool = True  # open the config files (when they are text) in the client
    bound: float = 20.0  # seconds, for the server's first diagnostics and for the CLI
    oracle: bool = True  # the server must publish exactly what a fresh analysis gives
    setup: Callable[[Path], None] | None = None


def codes(**per_file: str) -> dict[str, frozenset[str]]:
    """codes(toml="SPOC002 SPOC009", settings="SPOC006") -> {file: {codes}}."""
    files = {"toml": TOML_FILE, "settings": SETTINGS_FILE}
    return {files[key]: frozenset(value.split()) for key, value in per_file.items()}


def start_of(text: str, needle: str) -> tuple[int, int]:
    """LSP line and UTF-16 column of ``needle`` in ``text`` (a BOM is not part of the text)."""
    text = text.removeprefix("\ufeff")
    position = position_at(text, text.index(needle))
    return position.line, position.character


def _garbage(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _deep_packages(levels: int) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for depth in range(1, levels + 1):
        files["apps/" + "/".join(f"p{i}" for i in range(depth)) + "/__init__.py"] = ""
    files["apps/" + "/".join(f"p{i}" for i in range(levels)) + "/leaf.py"] = "def f():\n    pass\n"
    return files


def _symlink_loops(root: Path) -> None:
    loops = root / "loops"
    (loops / "x").mkdir(parents=True)
    (loops / "x" / "looped.py").write_text("def f():\n    pass\n")
    (loops / "x" / "back").symlink_to("..")  # loops/x/back/x/back/... forever
    (loops / "self").symlink_to("self")  # ELOOP
    (loops / "ping").symlink_to("pong")
    (loops / "pong").symlink_to("ping")
    (root / "apps" / "app" / "again").symlink_to("..")  # a package containing its parent
    (root / "apps" / "app" / "me.py").symlink_to("me.py")


def cases() -> list[Case]:
    deep_uri = ".".join(f"p{i}" for i in range(50))
    big_toml = '[spoc.plugins]\ng = ["app.m.f", "app.m.nope"]\n' + ("# " + "x" * 97 + "\n") * 52_000
    array = (
        "[spoc.plugins]\ng = [\n"
        + "".join(
            f'    "app.m.{"f" if i % 2 else "g"}{"" if i % 2 else i}",\n' for i in range(10_000)
        )
        + "]\n"
    )
    bom_toml = '\ufeff[spoc.plugins]\ng = ["app.m.nope"]\n'
    bom_settings = '\ufeffPLUGINS = {"h": ["app.m.nope"]}\n'
    crlf_toml = '[spoc.plugins]\r\ng = [\r\n  "app.m.f",\r\n  "app.m.nope",\r\n]\r\n'
    crlf_settings = 'PLUGINS = {\r\n    "h": ["app.m.f", "app.m.nope2"],\r\n}\r\n'
    cr_toml = '[spoc.plugins]\rg = [\r  "app.m.f",\r  "app.m.nope",\r]\r'
    cr_settings = 'PLUGINS = {\r    "h": ["app.m.f", "app.m.nope2"],\r}\r'
    emoji_toml = '[spoc.plugins]\ng = [\t"😀", \t"app.m.nope", "🎉🎉"]  # 🎉\n'
    emoji_settings = 'PLUGINS = {"h": [\t"😀😀",\t"app.m.nope2"]}  # 🎉\n'
    big_settings = (
        "X = 1\n" * 50_000 + 'PLUGINS = {"g": ["app.m.f", "app.m.nope"]}\n' + "Y = 2\n" * 49_999
    )
    return [
        Case(
            "toml_5mb",
            {TOML_FILE: big_toml, **MODULES},
            codes(toml="SPOC002"),
            positions=((TOML_FILE, "SPOC002", *start_of(big_toml, "nope")),),
            bound=30,
        ),
        Case(
            "array_10000_entries_half_duplicates",
            {TOML_FILE: array, **MODULES},
            codes(toml="SPOC002 SPOC004"),
            bound=15,
        ),
        Case(
            "binary_garbage",
            {TOML_FILE: _garbage(1, GARBAGE), SETTINGS_FILE: _garbage(2, GARBAGE), **MODULES},
            codes(toml="SPOC009", settings="SPOC006"),
            open_in_editor=False,
        ),
        Case(
            "invalid_utf8_on_disk",
            {
                TOML_FILE: b'[spoc.plugins]\ng = ["app.m.f", "\xff\xfe", "app.m.nope"]\n',
                SETTINGS_FILE: b'PLUGINS = {"h": ["app.m.f\xc3", "app.m.nope2"]}\n',
                **MODULES,
            },
            codes(toml="SPOC009 SPOC003 SPOC002", settings="SPOC006 SPOC003 SPOC002"),
            open_in_editor=False,
        ),
        Case(
            "bom",
            {TOML_FILE: bom_toml, SETTINGS_FILE: bom_settings, **MODULES},
            codes(toml="SPOC002", settings="SPOC002"),
            positions=(
                (TOML_FILE, "SPOC002", *start_of(bom_toml, "nope")),
                (SETTINGS_FILE, "SPOC002", *start_of(bom_settings, "nope")),
            ),
            open_in_editor=False,  # on disk: the BOM is stripped before positions are counted
        ),
        Case(
            "crlf_line_endings",
            {TOML_FILE: crlf_toml, SETTINGS_FILE: crlf_settings, **MODULES},
            codes(toml="SPOC002", settings="SPOC002"),
            positions=(
                (TOML_FILE, "SPOC002", *start_of(crlf_toml, "nope")),
                (SETTINGS_FILE, "SPOC002", *start_of(crlf_settings, "nope2")),
            ),
        ),
        Case(
            "lone_cr_line_endings",
            {TOML_FILE: cr_toml, SETTINGS_FILE: cr_settings, **MODULES},
            codes(toml="SPOC002", settings="SPOC002"),
            positions=(
                (TOML_FILE, "SPOC002", *start_of(cr_toml, "nope")),
                (SETTINGS_FILE, "SPOC002", *start_of(cr_settings, "nope2")),
            ),
        ),
        Case(
            "tabs_and_emoji_before_uris",
            {TOML_FILE: emoji_toml, SETTINGS_FILE: emoji_settings, **MODULES},
            codes(toml="SPOC002 SPOC003", settings="SPOC002 SPOC003"),
            positions=(
                (TOML_FILE, "SPOC002", *start_of(emoji_toml, "nope")),
                (SETTINGS_FILE, "SPOC002", *start_of(emoji_settings, "nope2")),
            ),
        ),
        Case(
            "nul_bytes_in_modules_and_settings",
            {
                TOML_FILE: '[spoc.plugins]\ng = ["app.nul.f", "app.m.f"]\n',
                SETTINGS_FILE: b'PLUGINS = {"h": ["app.m.f\x00", "app.m.nope"]}\n\x00\n',
                "apps/app/nul.py": b"def f():\n    pass\n\x00\x00x = 1\n",
                **MODULES,
            },
            codes(toml="SPOC007", settings="SPOC003 SPOC002"),
            open_in_editor=False,
        ),
        Case(
            "star_import_cycle",
            {
                TOML_FILE: '[spoc.plugins]\ng = ["app.a.f", "app.a.g", "app.b.f", "app.a.zzz"]\n',
                "apps/app/a.py": "from app.b import *\nfrom .a import *\ndef f():\n    pass\n",
                "apps/app/b.py": "from app.a import *\ndef g():\n    pass\n",
                **MODULES,
            },
            codes(toml="SPOC002"),
        ),
        Case(
            "packages_50_levels_deep",
            {
                TOML_FILE: f'[spoc.plugins]\ng = ["{deep_uri}.leaf.f", "{deep_uri}.leaf.nope"]\n',
                **_deep_packages(50),
                **MODULES,
            },
            codes(toml="SPOC002"),
        ),
        Case(
            "symlink_loops_on_the_search_path",
            {
                TOML_FILE: (
                    '[spoc.plugins]\ng = ["looped.f", "looped.nope", "app.again.app.m.f",'
                    ' "app.me.f", "nothere.x"]\n'
                ),
                **MODULES,
            },
            codes(toml="SPOC001 SPOC002"),
            settings={
                "extraPaths": [
                    "loops/x/back/x/back/x",
                    "loops/self",
                    "loops/ping",
                    "loops/x/back",
                ]
            },
            cli_env={"PYTHONPATH": "loops/x/back/x/back/x:loops/self:loops/ping:loops/x/back"},
            setup=_symlink_loops,
        ),
        Case(
            "unreadable_directories_simulated",
            {
                TOML_FILE: (
                    "[spoc.plugins]\n"
                    'g = ["secret.mod.f", "app.private.x", "app.m.f", "app.m.nope"]\n'
                ),
                "apps/secret/__init__.py": "",
                "apps/secret/mod.py": "def f():\n    pass\n",
                "apps/app/private/__init__.py": "x = 1\n",
                **MODULES,
            },
            codes(toml="SPOC002"),
            faults={"locked": ("apps/secret", "apps/app/private")},
            oracle=False,
        ),
        Case(
            "files_deleted_between_listing_and_reading",
            {
                TOML_FILE: '[spoc.plugins]\ng = ["app.ghost.f", "ghostpkg.x", "app.m.nope"]\n',
                SETTINGS_FILE: 'PLUGINS = {"h": ["app.m.f"]}\n',
                "apps/app/ghost.py": "def f():\n    pass\n",
                "apps/ghostpkg/__init__.py": "x = 1\n",
                **MODULES,
            },
            codes(toml="SPOC002", settings="SPOC006"),
            faults={
                "vanished": ("apps/app/ghost.py", SETTINGS_FILE),
                "gone": ("apps/ghostpkg/__init__.py",),
            },
            open_in_editor=False,
            oracle=False,
        ),
        Case(
            "settings_module_of_100000_lines",
            {TOML_FILE: "[spoc]\n", SETTINGS_FILE: big_settings, **MODULES},
            codes(settings="SPOC002"),
            positions=((SETTINGS_FILE, "SPOC002", *start_of(big_settings, "nope")),),
            bound=30,
        ),
        Case(
            "settings_plugins_nested_5000_deep",
            {
                TOML_FILE: "[spoc]\n",
                SETTINGS_FILE: 'PLUGINS = {"g": ' + "[" * 5000 + '"app.m.f"' + "]" * 5000 + "}\n",
                **MODULES,
            },
            codes(settings="SPOC005"),
        ),
        Case(
            "pyproject_tool_not_a_table",
            {TOML_FILE: '[spoc.plugins]\ng = ["app.m.nope"]\n', "pyproject.toml": "tool = 5\n"}
            | MODULES,
            codes(toml="SPOC002"),
        ),
    ]


CASES = cases()


def _faults_env(case: Case, root: Path) -> dict[str, str]:
    if not case.faults:
        return {}
    return {
        "SPOC_FAULTS": json.dumps(
            {kind: [str(root / path) for path in paths] for kind, paths in case.faults.items()}
        )
    }


def _build(case: Case, tmp_path: Path) -> Path:
    root = write_files(tmp_path.resolve() / "proj", case.files)
    if case.setup is not None:
        case.setup(root)
    return root


def _by_file(diagnostics: list[dict[str, Any]], root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for item in diagnostics:
        path = Path(item["file"])
        relative = (path if path.is_absolute() else root / path).resolve().relative_to(root)
        found.setdefault(relative.as_posix(), set()).add(item["code"])
    return found


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_files_through_the_command_line(case: Case, tmp_path: Path) -> None:
    root = _build(case, tmp_path)
    command = (sys.executable, str(FAULTY)) if case.faults else (sys.executable, "-m", "spoc_lsp")
    env = {**case.cli_env, **_faults_env(case, root)}
    code, document, stderr, took = run_check(root, timeout=case.bound * 3, env=env, command=command)
    record(f"cli:{case.name}", exit=code, seconds=round(took, 2))
    assert "Traceback" not in stderr, stderr
    assert code in (0, 1), f"exit {code}: {stderr}"
    assert document is not None, stderr
    found = _by_file(document["diagnostics"], root)
    for file, wanted in case.codes.items():
        assert wanted <= found.get(file, set()), (file, found)
    has_errors = any(item["severity"] == "error" for item in document["diagnostics"])
    assert code == (1 if has_errors else 0)
    for file, code_name, line, character in case.positions:
        starts = {
            (item["line"] - 1, item["column"] - 1)
            for item in document["diagnostics"]
            if item["code"] == code_name and item["file"].endswith(file)
        }
        # The CLI counts columns in code points; these cases put no astral character before.
        if "😀" not in (root / file).read_text("utf-8", errors="replace"):
            assert (line, character) in starts, (file, code_name, starts)
    assert took < case.bound, f"{took:.1f} s"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_hostile_files_through_the_server(case: Case, tmp_path: Path) -> None:
    root = _build(case, tmp_path)
    command = [sys.executable, str(FAULTY)] if case.faults else None
    async with serving(command, _faults_env(case, root) or None) as client:
        await initialize(client, root, settings=dict(case.settings))
        overlays: dict[Path, str] = {}
        if case.open_in_editor:
            for relative in (TOML_FILE, SETTINGS_FILE):
                path = root / relative
                if path.is_file():
                    overlays[path] = path.read_text("utf-8")
                    open_text(client, path, overlays[path])
        started = time.monotonic()
        uris = {file: (root / file).as_uri() for file in case.codes}

        def found(file: str) -> set[str]:
            return {str(d.code) for d in client.diagnostics.get(uris[file], [])}

        took = await wait_until(
            client,
            lambda: all(wanted <= found(file) for file, wanted in case.codes.items()),
            case.bound,
            lambda: str({file: found(file) for file in case.codes}),
        )
        oracle = Oracle(root, extra_paths=case.settings.get("extraPaths", ()))
        if case.oracle:
            await converge(client, oracle, overlays)
        for file, code_name, line, character in case.positions:
            starts = {
                (d.range.start.line, d.range.start.character)
                for d in client.diagnostics[(root / file).as_uri()]
                if d.code == code_name
            }
            assert (line, character) in starts, (file, code_name, starts)
        # Follow-up requests are answered, on the hostile file itself.
        first = next(iter(case.codes))
        uri = (root / first).as_uri()
        target = client.diagnostics[uri][0].range.start if client.diagnostics[uri] else None
        line, character = (target.line, target.character + 1) if target else (0, 0)
        await hover_at(client, uri, line, character, seconds=case.bound)
        await answers_within(
            client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=line, character=character),
                )
            ),
            case.bound,
            "completion",
        )
        # And an edit to an open hostile buffer (an entry appended at its end, which brings a
        # diagnostic of its own) is followed by fresh diagnostics.
        edited = root / first
        if edited in overlays and case.oracle:
            text = overlays[edited]
            appended = APPENDED_TOML if first == TOML_FILE else APPENDED_SETTINGS
            overlays[edited], change = ranged_change(text, len(text), len(text), appended)
            expected = oracle.expected(overlays)
            sent = time.monotonic()
            send_changes(client, uri, 2, [change])
            edit_took = await converge(client, oracle, overlays, since=sent, expected=expected)
        else:
            edit_took = None
        record(
            f"server:{case.name}",
            first_diagnostics_seconds=round(took, 2),
            total_seconds=round(time.monotonic() - started, 2),
            edit_to_diagnostics_seconds=None if edit_took is None else round(edit_took, 2),
        )
        assert not failures(client), failures(client)


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads through chmod 000; unreadable_directories_simulated covers this case",
)
def test_really_unreadable_directory_through_the_command_line(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "proj",
        {
            TOML_FILE: '[spoc.plugins]\ng = ["secret.mod.f", "app.m.nope"]\n',
            "apps/secret/__init__.py": "",
            "apps/secret/mod.py": "def f():\n    pass\n",
            **MODULES,
        },
    )
    secret = root / "apps/secret"
    secret.chmod(0)
    try:
        code, document, stderr, _ = run_check(root)
    finally:
        secret.chmod(0o755)
    assert "Traceback" not in stderr
    assert code == 1 and document is not None


@pytest.mark.parametrize("depth", [65, 100, 300])
def test_toml_plugins_nested_deeper_than_the_reader_goes(tmp_path: Path, depth: int) -> None:
    root = write_files(
        tmp_path / "proj",
        {
            TOML_FILE: "[spoc.plugins]\ng = " + "[" * depth + '"app.m.f"' + "]" * depth + "\n",
            **MODULES,
        },
    )
    code, document, stderr, _ = run_check(root)
    assert document is not None, stderr
    found = {item["code"] for item in document["diagnostics"]}
    # The runtime refuses this file (spoc.config: 'must hold only strings'): so must the check.
    assert code == 1 and found & {"SPOC005", "SPOC009"}, (code, found)
