"""Helpers of the reliability suite: an independent model of LSP text positions, the oracle
(a fresh in-process analysis to compare the server's diagnostics with), waiting for quiescence,
the server's process, and sizing for CI versus soak runs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from spoc_lsp.analysis.analyze import analyze, present
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.index import Resolver, open_resolver

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "spoc_lsp"])
SOAK = os.environ.get("SPOC_SOAK", "") not in ("", "0")
T = TypeVar("T")

# A diagnostic as compared: code, range in UTF-16 units, severity, message.
DiagnosticKey = tuple[str, int, int, int, int, int, str]


def sized(ci: int, soak: int) -> int:
    """``soak`` when ``SPOC_SOAK`` is set, else ``ci``."""
    return soak if SOAK else ci


def record(name: str, **figures: Any) -> None:
    """Print a measured figure (shown with ``-s``) and append it to ``$SPOC_FIGURES`` if set."""
    line = json.dumps({"case": name, "soak": SOAK, **figures}, default=str)
    print(f"\nFIGURE {line}")
    target = os.environ.get("SPOC_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")


# --- text positions, written independently of spoc_lsp.text ---------------------------------

_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """Offsets where each LSP line starts (line breaks: \\r\\n, \\r, \\n only)."""
    return [0, *(match.end() for match in _BREAK.finditer(text))]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def position_at(text: str, offset: int) -> types.Position:
    """The LSP position (UTF-16 columns) of a code-point offset."""
    starts = line_starts(text)
    line = max(index for index, start in enumerate(starts) if start <= offset)
    return types.Position(line=line, character=utf16_len(text[starts[line] : offset]))


def snap(text: str, offset: int) -> int:
    """An offset a client can name: never between the \\r and \\n of one line break."""
    offset = max(0, min(offset, len(text)))
    if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n":
        return offset - 1
    return offset


def ranged_change(
    text: str, start: int, end: int, new_text: str
) -> tuple[str, types.TextDocumentContentChangePartial]:
    """Replace ``text[start:end]``: the new text and the incremental change saying so."""
    change = types.TextDocumentContentChangePartial(
        range=types.Range(start=position_at(text, start), end=position_at(text, end)),
        text=new_text,
    )
    return text[:start] + new_text + text[end:], change


def diff_change(old: str, new: str) -> tuple[str, types.TextDocumentContentChangePartial] | None:
    """One ranged change turning ``old`` into ``new`` (as an editor's undo would send)."""
    if old == new:
        return None
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    start, end = snap(old, prefix), len(old) - suffix
    if 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
        end += 1  # keep the \r\n pair whole
    start = min(start, end)
    replacement = new[start : len(new) - (len(old) - end)]
    result, change = ranged_change(old, start, end, replacement)
    assert result == new
    return result, change


# --- the oracle ------------------------------------------------------------------------------


SEVERITY = {"error": 1, "warning": 2, "information": 3, "hint": 4}


def _units(text: str, starts: Sequence[int], line: int, column: int) -> int:
    begin = starts[line] if line < len(starts) else len(text)
    return utf16_len(text[begin : begin + column])


class Oracle:
    """What the server should publish: a fresh analysis of the given texts, in process."""

    def __init__(
        self, root: Path, python: Path | None = None, extra_paths: Sequence[str] = ()
    ) -> None:
        self.root = root
        self.resolver: Resolver = open_resolver(root, python or Path(sys.executable), extra_paths)

    def expected(self, overlays: Mapping[Path, str]) -> dict[str, list[DiagnosticKey]]:
        self.resolver.refresh()
        snapshot = take_snapshot(self.root, overlays)
        shown = present(analyze(snapshot, self.resolver), None, {})
        result: dict[str, list[DiagnosticKey]] = {}
        for document in snapshot.documents():
            text, starts = document.text, line_starts(document.text)
            result[document.path.as_uri()] = sorted(
                (
                    d.code,
                    d.span.start.line,
                    _units(text, starts, d.span.start.line, d.span.start.column),
                    d.span.end.line,
                    _units(text, starts, d.span.end.line, d.span.end.column),
                    SEVERITY[d.severity],
                    d.message,
                )
                for d in shown.get(document.path, [])
            )
        return result


def keys(diagnostics: Iterable[types.Diagnostic]) -> list[DiagnosticKey]:
    return sorted(
        (
            str(d.code),
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            int(d.severity or 1),
            d.message,
        )
        for d in diagnostics
    )


def published(client: LanguageClient, uris: Iterable[str]) -> dict[str, list[DiagnosticKey]]:
    return {uri: keys(client.diagnostics.get(uri, [])) for uri in uris}


# --- waiting ---------------------------------------------------------------------------------


# pytest-lsp's wait_for_notification cannot be given up on: a timed-out wait leaves a cancelled
# future that the client later tries to resolve, which stops the client. So these helpers poll.
POLL = 0.01


def _seen(client: LanguageClient) -> dict[str, object]:
    """The published lists as they are now (held, so identity tells a new publication)."""
    return dict(client.diagnostics)


def _changed(client: LanguageClient, seen: Mapping[str, object]) -> bool:
    now = client.diagnostics
    return now.keys() != seen.keys() or any(now[uri] is not seen[uri] for uri in seen)


async def wait_until(
    client: LanguageClient,
    condition: Callable[[], bool],
    timeout: float,
    describe: Callable[[], str] = lambda: "",
) -> float:
    """Wait until ``condition()`` holds; the seconds it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout} s. {describe()}")
        await asyncio.sleep(POLL)
    return time.monotonic() - start


async def settle(client: LanguageClient, quiet: float = 0.2, limit: float = 30.0) -> None:
    """Wait until no diagnostics have been published for ``quiet`` seconds."""
    start = last = time.monotonic()
    seen = _seen(client)
    while time.monotonic() - last < quiet:
        if time.monotonic() - start > limit:
            raise AssertionError(f"the server kept publishing for {limit} s")
        await asyncio.sleep(POLL)
        if _changed(client, seen):
            seen, last = _seen(client), time.monotonic()


async def converge(
    client: LanguageClient,
    oracle: Oracle,
    overlays: Mapping[Path, str],
    timeout: float = 30.0,
    since: float | None = None,
    expected: Mapping[str, list[DiagnosticKey]] | None = None,
) -> float:
    """Wait until the server's diagnostics match the oracle's for ``overlays``, then until it
    is quiet, and check they still match (no stale publication came late). Returns the seconds
    from ``since`` (a ``time.monotonic()``; default: the call) to the first match. Pass
    ``expected`` (computed before the edit was sent) to time the server alone."""
    start = time.monotonic() if since is None else since
    if expected is None:
        expected = oracle.expected(overlays)
    wanted = dict(expected)

    def describe() -> str:
        now = published(client, wanted)
        return "\n".join(
            f"{uri}:\n  expected {wanted[uri]}\n  published {now[uri]}"
            for uri in wanted
            if wanted[uri] != now[uri]
        )

    await wait_until(client, lambda: published(client, wanted) == wanted, timeout, describe)
    took = time.monotonic() - start
    await settle(client)
    assert published(client, wanted) == wanted, describe()
    return took


async def answers_within(awaitable: Awaitable[T], seconds: float, what: str = "request") -> T:
    """The answer of a request, which must come within ``seconds``."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:
        raise AssertionError(f"the server did not answer the {what} within {seconds} s") from None


async def hover_at(
    client: LanguageClient, uri: str, line: int = 0, character: int = 0, seconds: float = 10.0
) -> types.Hover | None:
    return await answers_within(
        client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=line, character=character),
            )
        ),
        seconds,
        "hover",
    )


def failures(client: LanguageClient) -> list[str]:
    """Log messages that report a handler or an analysis failing (tracebacks)."""
    return [
        message.message
        for message in client.log_messages
        if "failed:" in message.message or "Traceback" in message.message
    ]


# --- documents -------------------------------------------------------------------------------


def open_text(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="toml" if path.suffix == ".toml" else "python",
                version=version,
                text=text,
            )
        )
    )
    return uri


def send_changes(
    client: LanguageClient,
    uri: str,
    version: int,
    changes: Sequence[types.TextDocumentContentChangeEvent],
) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=list(changes),
        )
    )


# --- the server process ----------------------------------------------------------------------


def server_pid(client: LanguageClient) -> int:
    process = client._server
    assert process is not None, "the server process is not running"
    return process.pid


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next((line for line in status.splitlines() if line.startswith("State:")), "")
    return "Z" not in state.split()[1:2]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


# --- the command line ------------------------------------------------------------------------


def run_check(
    path: Path,
    *args: str,
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    command: Sequence[str] = (sys.executable, "-m", "spoc_lsp"),
) -> tuple[int, dict[str, Any] | None, str, float]:
    """``spoc-lsp check PATH --format json``: exit code, parsed JSON (or None), stderr, seconds.
    ``env`` is added to this process' environment."""
    environment = {**os.environ, **(env or {})}
    environment.pop("VIRTUAL_ENV", None)
    start = time.monotonic()
    completed = subprocess.run(
        [*command, "check", str(path), "--format", "json", *args],
        capture_output=True,
        timeout=timeout,
        env=environment,
        cwd=str(cwd or path),
        check=False,
    )
    took = time.monotonic() - start
    stdout = completed.stdout.decode("utf-8", errors="replace")
    stderr = completed.stderr.decode("utf-8", errors="replace")
    try:
        document = json.loads(stdout) if stdout.strip() else None
    except ValueError:
        document = None
    return completed.returncode, document, stderr, took


# --- projects and servers outside the fixtures ------------------------------------------------

FAULTY = Path(__file__).with_name("faulty.py")


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write files exactly as given (no dedent; bytes stay bytes)."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8", errors="surrogatepass"))
    return root


@contextlib.asynccontextmanager
async def serving(
    command: Sequence[str] | None = None, env: Mapping[str, str] | None = None
) -> AsyncIterator[LanguageClient]:
    """A server started with ``command`` (default: ``python -m spoc_lsp``) and extra ``env``."""
    config = ClientServerConfig(
        server_command=list(command or SERVER.server_command),
        server_env={**os.environ, **env} if env is not None else None,
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(params: None) -> None:
        pass

    @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def inlay_hint_refresh(params: None) -> None:
        pass

    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.shutdown_session(), 10)
        await client.stop()
