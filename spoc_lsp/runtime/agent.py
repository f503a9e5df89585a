"""The runtime-check agent: imports plugin URIs inside the project's own interpreter.

Run it by file path, never with ``-m`` (the project's interpreter may not have ``spoc_lsp``)::

    <python> agent.py --root=<project root> --spoc-path=<directory holding spoc> [--path=<extra>]...

It is standard library only and is never imported by the language server itself.

Requests come on stdin, one JSON object per line (``{"uri": "a.b.c"}``); the agent reads them all
(until end of input) before it imports anything, so a plugin that reads stdin gets end of file.
Replies go to a private duplicate of the original stdout, one JSON object per line:

- ``{"event": "ready", "spoc": <file of spoc.importer>}`` once the import path is set up;
- ``{"event": "fatal", "message": ...}`` when ``spoc.importer`` cannot be imported (then exit);
- for each URI, ``{"event": "start", "uri": ...}`` before importing it, then
  ``{"event": "result", "uri": ..., "ok": true, "kind": "module|class|function|variable"}`` or
  ``{"event": "result", "uri": ..., "ok": false, "type": ..., "message": ...}``;
- ``{"event": "done"}`` at the end, after which the agent leaves with ``os._exit(0)`` (plugin
  threads and ``atexit`` hooks must not keep it alive).

A watchdog thread ends the agent (and its process group) when its parent, the prober, is gone:
a server killed outright leaves no plugin import hanging behind it.

File descriptor 1 is pointed at file descriptor 2 before any plugin runs, so whatever a plugin
prints (from Python or from C) lands on stderr and never in the protocol stream.

``spoc.importer`` is resolved like the runtime would be: the project's interpreter's own ``spoc``
when it has one; otherwise ours, found through a meta path finder placed at the END of
``sys.meta_path`` that serves only the top-level name ``spoc`` from ``--spoc-path`` (so nothing
else in that directory, such as our own dependencies, becomes importable by the plugins).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.machinery
import json
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any, NoReturn

MAX_MESSAGE = 4000  # characters of an exception message sent back (the prober caps it again)

# Bound once, so a plugin that patches ``json`` or ``os`` cannot break the protocol.
_dumps = json.dumps
_loads = json.loads
_write = os.write
_getppid = os.getppid
_sleep = time.sleep
_exit = os._exit
_WATCH_INTERVAL = 0.5  # seconds between looks at the parent process


class _SpocFallback:
    """A meta path finder serving only the top-level package ``spoc`` from one directory."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: types.ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname != "spoc":
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [self.directory])


class _Channel:
    """The protocol stream: a private duplicate of the original stdout, written unbuffered."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        data = (_dumps(message, ensure_ascii=True) + "\n").encode("ascii")
        while data:
            written = _write(self.fd, data)
            data = data[written:]


def _take_stdio() -> _Channel:
    """Keep the real stdout for the protocol; send fd 1 to stderr and fd 0 to nothing later."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    channel = _Channel(os.dup(1))  # not inheritable: a plugin's subprocess cannot write to it
    os.dup2(2, 1)
    return channel


def _read_requests() -> list[str]:
    """Every requested URI, in order, from stdin (until end of input); then stdin is emptied."""
    chunks: list[bytes] = []
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    uris: list[str] = []
    for line in b"".join(chunks).decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            request = _loads(line)
        except ValueError:
            continue
        if isinstance(request, dict) and isinstance(request.get("uri"), str):
            uris.append(request["uri"])
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return uris


def _forget_script_directory() -> None:
    """Drop this file's directory from ``sys.path[0]``: our modules are not the project's."""
    here = os.path.dirname(os.path.realpath(__file__))
    if sys.path and os.path.realpath(sys.path[0] or os.curdir) == here:
        del sys.path[0]


def _safe_str(value: object) -> str:
    try:
        text = str(value)
    except BaseException as error:  # a plugin's __str__ can raise anything
        text = f"<message unavailable: {type(error).__name__}>"
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    return text


def _type_name(error: BaseException) -> str:
    try:
        return type(error).__name__
    except BaseException:
        return "BaseException"


def kind_of(value: object) -> str:
    """``module``, ``class``, ``function`` (anything else callable) or ``variable``."""
    try:
        if isinstance(value, types.ModuleType):
            return "module"
        if isinstance(value, type):
            return "class"
        if callable(value):
            return "function"
    except BaseException:
        pass
    return "variable"


def describe_failure(
    uri: str, error: BaseException, wrapper: type[BaseException] | None
) -> tuple[str, str]:
    """The exception type and message to report for a URI that did not resolve.

    For the runtime's ``PluginImportError`` that is the chained real exception (``__cause__``),
    except when the URI's module exists but has neither the attribute nor such a submodule: then
    it is ``AttributeError`` with the runtime's own message (the chained exception would only be
    the runtime's last attempt, ``No module named 'a.b.c'``).
    """
    if wrapper is not None and isinstance(error, wrapper):
        cause = error.__cause__
        if isinstance(cause, ModuleNotFoundError) and cause.name == uri and "." in uri:
            return "AttributeError", _safe_str(getattr(error, "message", error))
        if cause is not None:
            return _type_name(cause), _safe_str(cause)
    return _type_name(error), _safe_str(error)


def _load_importer(spoc_path: str) -> tuple[Any, type[BaseException] | None]:
    sys.meta_path.append(_SpocFallback(spoc_path))
    module = importlib.import_module("spoc.importer")
    for needed in ("install_search_roots", "Importer"):
        if not hasattr(module, needed):
            raise ImportError(
                f"the 'spoc' package found at {getattr(module, '__file__', '?')} has no "
                f"spoc.importer.{needed} (it is too old, or another package named 'spoc')"
            )
    wrapper: type[BaseException] | None = None
    try:
        candidate = importlib.import_module("spoc.errors").PluginImportError
        if isinstance(candidate, type) and issubclass(candidate, BaseException):
            wrapper = candidate
    except Exception:
        pass
    return module, wrapper


def _place_extra_paths(after: int, extra_paths: Sequence[str]) -> None:
    for offset, entry in enumerate(extra_paths):
        while entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(after + offset, entry)


def _parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="spoc-lsp-runtime-agent")
    parser.add_argument("--root", required=True)
    parser.add_argument("--spoc-path", required=True)
    parser.add_argument("--path", action="append", default=[])
    return parser.parse_args(list(argv))


def _watch_parent(parent: int) -> None:
    """Leave once the process that started us is gone (killed outright, it could not stop us),
    taking our process group along when we lead it, so what the plugins started goes too."""
    while _getppid() == parent:
        _sleep(_WATCH_INTERVAL)
    if os.getpgrp() == os.getpid():  # our own group (the prober starts us in a new session)
        with contextlib.suppress(OSError):
            os.killpg(0, signal.SIGKILL)
    _exit(1)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    _forget_script_directory()
    if sys.platform != "win32":
        threading.Thread(target=_watch_parent, args=(_getppid(),), daemon=True).start()
    arguments = _parse_arguments(sys.argv[1:] if argv is None else argv)
    channel = _take_stdio()
    uris = _read_requests()
    root = os.path.abspath(arguments.root)

    try:
        importer_module, wrapper = _load_importer(arguments.spoc_path)
        placed = importer_module.install_search_roots(Path(root))
        _place_extra_paths(len(placed), [os.path.abspath(p) for p in arguments.path])
        os.chdir(root)
        importer = importer_module.Importer(Path(root))
    except BaseException as error:
        channel.send(
            {
                "event": "fatal",
                "message": f"cannot set up spoc.importer: {_type_name(error)}: {_safe_str(error)}",
            }
        )
        os._exit(2)

    channel.send({"event": "ready", "spoc": str(getattr(importer_module, "__file__", ""))})
    for uri in uris:
        channel.send({"event": "start", "uri": uri})
        with contextlib.suppress(OSError):
            os.chdir(root)  # a plugin imported earlier may have moved it
        try:
            value = importer.load_from_uri(uri)
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            error_type, message = describe_failure(uri, error, wrapper)
            reply: dict[str, Any] = {
                "event": "result",
                "uri": uri,
                "ok": False,
                "type": error_type,
                "message": message,
            }
        else:
            reply = {"event": "result", "uri": uri, "ok": True, "kind": kind_of(value)}
        channel.send(reply)
    channel.send({"event": "done"})
    os._exit(0)


if __name__ == "__main__":
    main()
