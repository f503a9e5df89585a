"""Open documents split into lines the way the LSP counts them.

pygls keeps each open buffer and applies incremental changes to it by line, splitting the text
with ``str.splitlines``. That also breaks lines at form feeds, vertical tabs, ``\\x1c``-``\\x1e``,
NEL (``\\x85``), U+2028 and U+2029, while the protocol (and every editor) counts only ``\\r\\n``,
``\\r`` and ``\\n``. So after a form feed in a settings module (an old Emacs page break) every
ranged edit landed on the wrong line and the server's copy of the buffer silently diverged from
the editor's. :func:`use_lsp_line_breaks` makes pygls' documents use the protocol's line breaks;
``spoc_lsp.lsp.server`` calls it once (found by ``tests/reliability/test_edit_storms.py``).
"""

from __future__ import annotations

import re

from pygls.workspace.text_document import TextDocument

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def lsp_lines(text: str) -> tuple[str, ...]:
    """``text`` split after each ``\\r\\n``, ``\\r`` or ``\\n`` (line breaks kept)."""
    return tuple(_LINE.findall(text))


def _lines(document: TextDocument) -> tuple[str, ...]:
    return lsp_lines(document.source)


def use_lsp_line_breaks() -> None:
    """Make ``TextDocument.lines`` (used to apply edits and convert positions) LSP-correct."""
    setattr(TextDocument, "lines", property(_lines))  # noqa: B010
