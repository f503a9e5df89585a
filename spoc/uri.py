"""What a plugin URI is: one or more Python identifiers joined by dots, nothing else.

These rules are the single source of truth; the language server calls them too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class UriProblem:
    """Why a string is not a valid URI, and where (0-based offset into the string)."""

    message: str
    offset: int
    length: int


# Pure and asked again for every listed URI on every keystroke in the editor: remembered.
@functools.lru_cache(maxsize=65536)
def uri_problem(uri: str) -> UriProblem | None:
    """Return why ``uri`` is not a valid plugin URI, or ``None`` when it is valid."""
    if uri == "":
        return UriProblem("empty plugin URI", 0, 0)
    if uri.strip() == "":
        return UriProblem("plugin URI is only whitespace", 0, len(uri))
    offset = 0
    for segment in uri.split("."):
        problem = _segment_problem(segment, offset)
        if problem is not None:
            return problem
        offset += len(segment) + 1
    return None


def _segment_problem(segment: str, offset: int) -> UriProblem | None:
    if segment == "":
        return UriProblem("empty segment (two dots in a row, or a leading/trailing dot)", offset, 0)
    if segment.isidentifier():
        return None
    stripped = segment.strip()
    if stripped != segment:
        where = offset + (0 if segment[0].isspace() else len(segment.rstrip()))
        return UriProblem(f"whitespace in segment {segment!r}", where, 1)
    bad = next((i for i, ch in enumerate(segment) if not (ch.isalnum() or ch == "_")), None)
    if bad is not None:
        return UriProblem(
            f"{segment[bad]!r} is not allowed in a URI (segment {segment!r})", offset + bad, 1
        )
    return UriProblem(
        f"segment {segment!r} is not a Python identifier (it starts with a digit)",
        offset,
        len(segment),
    )


def is_valid_uri(uri: str) -> bool:
    """True when ``uri`` is one or more identifiers joined by dots."""
    return uri_problem(uri) is None


def segments(uri: str) -> list[str]:
    """The dot-separated segments of a URI (no validation)."""
    return uri.split(".")


def split_uri(uri: str) -> tuple[str | None, str]:
    """Split ``a.b.c`` into the module to import first and the attribute to take.

    A URI with no dot names a module: ``("", "a")`` would be wrong, so the module part is
    ``None`` and the name is the whole URI.
    """
    module, dot, attribute = uri.rpartition(".")
    if not dot:
        return None, uri
    return module, attribute
