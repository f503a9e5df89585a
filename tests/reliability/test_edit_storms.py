"""Edit storms: random edits to both config files, in full and in incremental sync, must always
end with the diagnostics a fresh analysis of the final texts gives; long bursts must not make the
server fall behind, and many edits must not make it grow."""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import initialize
from tests.reliability.project import SETTINGS, TOML, MakeProject, shop
from tests.reliability.support import (
    SOAK,
    Oracle,
    converge,
    diff_change,
    failures,
    hover_at,
    line_starts,
    open_text,
    ranged_change,
    record,
    rss_kib,
    send_changes,
    server_pid,
    settle,
    sized,
    snap,
)

Sync = Literal["full", "incremental"]

TOML_SNIPPETS = [
    '"shopapp.hooks.shutdown", ',
    '"shopapp.midleware.cors",\n',
    '"shopapp.db.Backend"',
    '"shopapp.nothing.here"',
    '\n[spoc.plugins]\nextra = ["shopapp.hooks.startup"]\n',
    'hooks = ["shopapp.hooks.startup"]\n',
    "[spoc]\nmode = 3\n",
    '"😀", "shop\tapp"',
    "# a comment 🎉\n",
    '"shopapp.broken.oops", "shopapp.importing.value",',
    "[[spoc.plugins.x]]\n",
    "\r\n",
    "\r",
    '"',
    "[",
    "]",
    ",",
    "{",
    "}",
    ".",
    "=",
]
SETTINGS_SNIPPETS = [
    '"shopapp.hooks.shutdown", ',
    '"shopapp.middleware.timing",\n',
    'PLUGINS = {"hooks": ["shopapp.hooks.startup"]}\n',
    'PLUGINS["extra"] = ["shopapp.db.Backend"]\n',
    'PLUGINS["database"].append("shopapp.db.Backend")\n',
    "PLUGINS = []\n",
    "PLUGINS = {'g': compute()}\n",
    '"shopapp.broken.oops", ',
    "def f(:\n",
    "import os\n",
    '"""',
    "#",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\\\n",
    "\t",
    "\r\n",
]
# Characters str.splitlines() treats as line breaks but the LSP does not, among others.
ALPHABET = st.sampled_from(
    [*"abcxyz._\"'[]{},:= #\n\t", "\r\n", "\r", "\x0c", "\x0b", "\x85", "\u2028", "😀", "é"]
)


@dataclass(frozen=True)
class Edit:
    kind: Literal["insert", "delete", "replace", "revert"]
    doc: int  # 0: spoc.toml, 1: settings module
    where: float
    size: int
    text: str


def _edits() -> st.SearchStrategy[Edit]:
    fragment = st.one_of(
        st.sampled_from(TOML_SNIPPETS + SETTINGS_SNIPPETS),
        st.lists(ALPHABET, max_size=10).map("".join),
    )
    where = st.floats(0, 1)
    doc = st.integers(0, 1)
    return st.one_of(
        st.builds(Edit, st.just("insert"), doc, where, st.just(0), fragment),
        st.builds(Edit, st.just("delete"), doc, where, st.integers(1, 30), st.just("")),
        st.builds(Edit, st.just("replace"), doc, where, st.integers(1, 12), fragment),
        st.builds(Edit, st.just("revert"), doc, st.just(0.0), st.integers(1, 8), st.just("")),
    )


BURSTS = st.lists(
    st.tuples(st.lists(_edits(), min_size=1, max_size=20), st.booleans()),
    min_size=1,
    max_size=3,
)


@dataclass
class Buffer:
    """The client's side of one open document."""

    path: Path
    uri: str
    base: str
    text: str = ""
    version: int = 1
    history: list[str] = field(default_factory=list)

    def apply(self, edit: Edit, sync: Sync) -> types.TextDocumentContentChangeEvent | None:
        """Apply ``edit`` here; the change event that tells the server."""
        old = self.text
        if edit.kind == "revert":
            target = self.history[-min(edit.size, len(self.history))] if self.history else old
            made = diff_change(old, target)
            if made is None:
                return None
            new, change = made
        else:
            start = snap(old, int(edit.where * len(old)))
            end = start if edit.kind == "insert" else snap(old, start + edit.size)
            if end == start and not edit.text:
                return None
            new, change = ranged_change(old, start, end, edit.text)
        self.history.append(old)
        del self.history[:-20]
        self.text = new
        if sync == "full":
            return types.TextDocumentContentChangeWholeDocument(text=new)
        return change


class Storm:
    """One server, two open buffers, and the oracle to compare with."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.oracle = Oracle(root)
        self.buffers = [
            Buffer(root / "config/spoc.toml", (root / "config/spoc.toml").as_uri(), TOML),
            Buffer(root / "config/settings.py", (root / "config/settings.py").as_uri(), SETTINGS),
        ]

    async def start(self) -> None:
        await initialize(self.client, self.root)
        for buffer in self.buffers:
            buffer.text = buffer.base
            open_text(self.client, buffer.path, buffer.text)
        await converge(self.client, self.oracle, self.overlays())

    def overlays(self) -> dict[Path, str]:
        return {buffer.path: buffer.text for buffer in self.buffers}

    def reset(self) -> None:
        for buffer in self.buffers:
            buffer.text, buffer.history = buffer.base, []
            self.send(buffer, [types.TextDocumentContentChangeWholeDocument(text=buffer.text)])

    def send(self, buffer: Buffer, changes: list[types.TextDocumentContentChangeEvent]) -> None:
        buffer.version += 1
        send_changes(self.client, buffer.uri, buffer.version, changes)

    def burst(self, edits: list[Edit], batched: bool, sync: Sync) -> None:
        """Send ``edits``; consecutive ones to one file share a notification when batched."""
        pending: list[types.TextDocumentContentChangeEvent] = []
        current: Buffer | None = None
        for edit in edits:
            buffer = self.buffers[edit.doc]
            if current is not None and (buffer is not current or not batched):
                self.send(current, pending)
                pending = []
            current = buffer
            change = buffer.apply(edit, sync)
            if change is not None:
                pending.append(change)
        if current is not None and pending:
            self.send(current, pending)


@pytest.mark.parametrize("sync", ["full", "incremental"])
@settings(
    max_examples=sized(10, 60),
    deadline=None,
    database=None,
    # Shrinking replays examples against the live server (minutes); only soak runs shrink.
    phases=list(Phase) if SOAK else [Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bursts=BURSTS)
async def test_random_edit_bursts_end_in_fresh_analysis_diagnostics(
    lsp_client: LanguageClient,
    make_project: MakeProject,
    sync: Sync,
    bursts: list[tuple[list[Edit], bool]],
) -> None:
    storm: Storm | None = getattr(lsp_client, "storm", None)
    if storm is None:
        storm = Storm(lsp_client, shop(make_project))
        lsp_client.storm = storm  # type: ignore[attr-defined]
        await storm.start()
    storm.reset()
    for edits, batched in bursts:
        storm.burst(edits, batched, sync)
        await converge(lsp_client, storm.oracle, storm.overlays())
    assert not failures(lsp_client)


@pytest.mark.parametrize(
    "separator", ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
async def test_incremental_edits_after_characters_python_counts_as_line_breaks(
    lsp_client: LanguageClient, make_project: MakeProject, separator: str
) -> None:
    """The LSP's line breaks are \\r\\n, \\r and \\n only. A form feed (common in Python files)
    or U+2028 inside a line must not shift where an incremental edit lands."""
    settings_text = f"# page {separator} break\n" + SETTINGS
    root = shop(make_project, settings=settings_text)
    storm = Storm(lsp_client, root)
    storm.buffers[1].base = settings_text
    await storm.start()
    settings_buffer = storm.buffers[1]
    # Fix the typo 'Missing' -> 'Backend' on line 4 (LSP lines) with a ranged edit.
    text = settings_buffer.text
    start = text.index("Missing")
    new, change = ranged_change(text, start, start + len("Missing"), "Backend")
    settings_buffer.text = new
    storm.send(settings_buffer, [change])
    await converge(lsp_client, storm.oracle, storm.overlays())


@pytest.mark.soak
async def test_a_long_burst_does_not_make_the_server_fall_behind(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    """Type, delete and retype a URI character by character for ``count`` changes, as fast as
    the client can send them; the final diagnostics must follow promptly."""
    count = sized(2000, 2000)
    storm = Storm(lsp_client, shop(make_project))
    await storm.start()
    buffer = storm.buffers[0]
    anchor = buffer.text.index('"shopapp.hooks.startup"')
    word = '"shopapp.hooks.startup", '
    sent = 0
    started = time.monotonic()
    while sent < count:
        for index in range(len(word)):  # type it
            offset = anchor + index
            buffer.text, change = ranged_change(buffer.text, offset, offset, word[index])
            storm.send(buffer, [change])
            sent += 1
        for _ in range(len(word)):  # delete it again, backwards
            if sent >= count:
                break
            end = anchor + len(buffer.text) - len(TOML) - 0
            buffer.text, change = ranged_change(buffer.text, end - 1, end, "")
            storm.send(buffer, [change])
            sent += 1
        if sent % 200 < 50:
            await asyncio.sleep(0)  # let the transport drain now and then
    # The last edit introduces a unique typo, so the final diagnostics are new.
    tail = buffer.text.index("shopapp.hooks.startup")
    final, change = ranged_change(buffer.text, tail + 8, tail + 13, "hookz")
    expected = storm.oracle.expected({**storm.overlays(), buffer.path: final})
    buffer.text = final
    storm.send(buffer, [change])
    last = time.monotonic()
    sending = last - started
    latency = await converge(
        lsp_client, storm.oracle, storm.overlays(), timeout=60, since=last, expected=expected
    )
    record(
        "burst",
        changes=sent + 1,
        send_seconds=round(sending, 2),
        last_change_to_diagnostics_seconds=round(latency, 3),
    )
    # How fast is bench/'s business (edit -> diagnostics p99); converge() fails on a hang.
    await hover_at(lsp_client, buffer.uri, 5, 10, seconds=5)
    assert not failures(lsp_client)


@pytest.mark.soak
async def test_many_edits_do_not_grow_the_server(
    lsp_client: LanguageClient, make_project: MakeProject
) -> None:
    """RSS after ``count`` edits (each analysed now and then, requests in between) stays within
    a few megabytes of RSS after a warm-up."""
    count = sized(2000, 10000)
    storm = Storm(lsp_client, shop(make_project))
    await storm.start()
    pid = server_pid(lsp_client)
    toml, settings_buffer = storm.buffers

    async def edit_for(n: int) -> None:
        for step in range(n):
            buffer = toml if step % 3 else settings_buffer
            # Alternate inserting a distinct URI and removing it: the text never grows, but
            # every analysis sees a text it has not seen before.
            marker = f'"shopapp.hooks.s{step % 997}", '
            start = buffer.text.index('"shopapp.')
            if buffer.text.startswith('"shopapp.hooks.s', start):
                end = buffer.text.index(", ", start) + 2
                buffer.text, change = ranged_change(buffer.text, start, end, "")
            else:
                buffer.text, change = ranged_change(buffer.text, start, start, marker)
            storm.send(buffer, [change])
            if step % 10 == 9:
                await asyncio.sleep(0.03)  # past the debounce: an analysis runs
            if step % 250 == 249:
                await hover_at(lsp_client, buffer.uri, 1, 5)

    await edit_for(500)  # warm-up: caches, the allocator's arenas
    await converge(lsp_client, storm.oracle, storm.overlays())
    gc.collect()
    before = rss_kib(pid)
    started = time.monotonic()
    await edit_for(count)
    await converge(lsp_client, storm.oracle, storm.overlays(), timeout=60)
    await settle(lsp_client, 1.0)
    after = rss_kib(pid)
    record(
        "memory",
        edits=count,
        seconds=round(time.monotonic() - started, 1),
        rss_before_kib=before,
        rss_after_kib=after,
        growth_kib=after - before,
    )
    assert after - before < 20_000, f"RSS grew from {before} KiB to {after} KiB"
    assert not failures(lsp_client)


@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_the_server_splits_lines_where_the_protocol_does(text: str) -> None:
    """The line split pygls applies edits with (patched by spoc_lsp.lsp.pygls_fixes) is the
    protocol's: the lines join back to the text and start where this suite's model says."""
    from spoc_lsp.lsp.pygls_fixes import lsp_lines

    lines = lsp_lines(text)
    assert "".join(lines) == text
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line))
    expected = line_starts(text)
    if text and not text.endswith(("\r", "\n")):
        assert starts == expected
    else:  # after a final line break the protocol has one more (empty) line
        assert starts == expected[: len(starts)]
