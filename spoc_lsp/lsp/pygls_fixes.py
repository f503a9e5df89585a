"""Two defects of pygls 2.1 that a long editing session meets, worked around here.

- **Line breaks.** pygls applies incremental changes to its copy of a buffer line by line,
  splitting the text with ``str.splitlines``. That also breaks at form feeds, vertical tabs,
  ``\\x1c``-``\\x1e``, NEL (``\\x85``), U+2028 and U+2029, while the protocol (and every editor)
  counts only ``\\r\\n``, ``\\r`` and ``\\n``. After a form feed in a settings module (an Emacs page
  break) each ranged edit landed on the wrong line and the server's buffer silently diverged
  from the editor's. :func:`use_lsp_line_breaks` makes pygls' documents split like the protocol.
- **A future per notification, kept forever.** pygls files the future of every notification
  whose handler is a generator (its own ``didOpen``/``didChange``/``didClose``/``didSave``) or a
  coroutine under a random id in ``_request_futures`` and never removes it: about 2 KiB per
  keystroke, for the life of the server. :class:`Protocol` forgets the futures once done.

Both were found by ``tests/reliability/test_edit_storms.py``; drop them when pygls fixes its own.
"""

from __future__ import annotations

import re
from concurrent.futures import Future
from typing import Any

from pygls.protocol import LanguageServerProtocol
from pygls.workspace.text_document import TextDocument

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines() breaks there too


def lsp_lines(text: str) -> tuple[str, ...]:
    """``text`` split after each ``\\r\\n``, ``\\r`` or ``\\n`` (line breaks kept)."""
    if not any(character in text for character in _OTHER_BREAKS):
        return tuple(text.splitlines(True))  # the same split here, and several times faster
    return tuple(_LINE.findall(text))


def _lines(document: TextDocument) -> tuple[str, ...]:
    return lsp_lines(document.source)


def use_lsp_line_breaks() -> None:
    """Make ``TextDocument.lines`` (used to apply edits and convert positions) LSP-correct."""
    setattr(TextDocument, "lines", property(_lines))  # noqa: B010


class Protocol(LanguageServerProtocol):
    """pygls' protocol, less the notification futures it never lets go of.

    A finished notification's future is noted when pygls reports it done, and dropped from
    ``_request_futures`` when the next notification comes in: never while pygls iterates over
    that dict (at shutdown it cancels every future there, which runs this very callback).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._finished: list[Future[Any]] = []

    def _check_handler_result(self, future: Future[Any]) -> None:
        # pygls calls this when a notification's handler is done (and only then).
        super()._check_handler_result(future)
        self._finished.append(future)

    def _handle_notification(self, method_name: str, params: Any) -> None:
        self._forget_finished()
        super()._handle_notification(method_name, params)

    def _forget_finished(self) -> None:
        finished, self._finished = self._finished, []
        if not finished:
            return
        done = {id(future) for future in finished}  # the list keeps them alive: ids are unique
        for key, value in list(self._request_futures.items()):
            if id(value) in done:
                del self._request_futures[key]
