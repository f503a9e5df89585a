"""Run ``spoc-lsp`` (server or CLI) with file-system faults injected.

The suite runs as root here, and root reads through ``chmod 000``; so unreadable directories
and files that vanish between listing and reading are simulated at the ``os``/``io`` boundary,
with the errors the kernel would give. ``$SPOC_FAULTS`` is a JSON object:

- ``"locked"``: directories that behave as ``chmod 000`` for an ordinary user: the directory
  itself can be stat'ed, but listing or opening it, and stat'ing or opening anything inside,
  fail with ``EACCES``;
- ``"gone"``: files that a directory listing still shows but that are gone when stat'ed or
  opened (``ENOENT``): deleted between listing and reading;
- ``"vanished"``: files that can be listed and stat'ed but are gone when opened (``ENOENT``):
  deleted between checking and reading.

Usage: ``python faulty.py [spoc-lsp arguments]``.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any

_FAULTS = json.loads(os.environ.get("SPOC_FAULTS", "{}"))
_LOCKED = tuple(os.path.abspath(path) for path in _FAULTS.get("locked", ()))
_GONE = frozenset(os.path.abspath(path) for path in _FAULTS.get("gone", ()))
_VANISHED = frozenset(os.path.abspath(path) for path in _FAULTS.get("vanished", ()))


def _path(argument: Any) -> str | None:
    if isinstance(argument, int):
        return None
    try:
        path = os.fspath(argument)
    except TypeError:
        return None
    text: str = os.fsdecode(path)
    return os.path.abspath(text)


def _check(argument: Any, lists_or_opens: bool, opens: bool) -> None:
    path = _path(argument)
    if path is None:
        return
    for locked in _LOCKED:
        inside = path.startswith(locked + os.sep)
        if inside or (lists_or_opens and path == locked):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    if path in _GONE or (opens and path in _VANISHED):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)


def _guard(function: Callable[..., Any], lists: bool, opens: bool = False) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        path = args[0] if args else kwargs.get("path", kwargs.get("file", "."))
        _check(path, lists or opens, opens)
        return function(*args, **kwargs)

    return guarded


def _install() -> None:
    os.stat = _guard(os.stat, False)
    os.lstat = _guard(os.lstat, False)
    os.scandir = _guard(os.scandir, True)
    os.listdir = _guard(os.listdir, True)
    os.open = _guard(os.open, True, opens=True)
    builtins.open = _guard(builtins.open, True, opens=True)
    io.open = _guard(io.open, True, opens=True)


if __name__ == "__main__":
    _install()
    from spoc_lsp.cli import main

    sys.exit(main(sys.argv[1:]))
