"""Offsets and positions in a text, with the LSP's idea of a line break (``\\r\\n``, ``\\r``,
``\\n``) and columns counted in code points; conversion to UTF-16 or UTF-8 columns too."""

from __future__ import annotations

import functools

from spoc_lsp.syntax.source_text import LineIndex as LineIndex  # the one LSP line rule


@functools.lru_cache(maxsize=16)
def line_index(text: str) -> LineIndex:
    """The index of ``text``, built once however many layers ask for it (the suppression
    check, the quick fixes and the protocol conversion all read the published texts)."""
    return LineIndex(text)


def to_code_units(line_text: str, column: int, encoding: str) -> int:
    """A code-point column of ``line_text`` as a column in ``encoding`` units (utf-16/utf-8)."""
    prefix = line_text[:column]
    if encoding == "utf-32":
        return len(prefix)
    if encoding == "utf-8":
        return len(prefix.encode("utf-8", errors="surrogatepass"))
    return len(prefix.encode("utf-16-le", errors="surrogatepass")) // 2


def from_code_units(line_text: str, units: int, encoding: str) -> int:
    """A column in ``encoding`` units as a code-point column of ``line_text`` (clamped)."""
    if encoding == "utf-32":
        return max(0, min(units, len(line_text)))
    width = 0
    for index, char in enumerate(line_text):
        if width >= units:
            return index
        if encoding == "utf-8":
            width += len(char.encode("utf-8", errors="surrogatepass"))
        else:
            width += 2 if ord(char) > 0xFFFF else 1
    return len(line_text)
