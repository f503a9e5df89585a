"""Finding top-level statements of a settings module that cannot concern ``PLUGINS``, cheaply.

A settings module may hold thousands of functions and classes that have nothing to do with
``PLUGINS``. Tokenizing them all costs more than the rest of the parse, so before lexing a
compound statement that starts a line in column 0, the lexer asks :func:`skippable_end` for its end:
the start of the next line that begins in column 0 outside brackets and strings (so a
function's indented body goes with it). Only brackets, quotes, comments and line breaks are
looked at on the way. The statement is skipped only when it is *clean* — every string closed,
every bracket matched, no character that is no Python token, so skipping it hides no syntax
error — and when its text names neither ``PLUGINS``, nor a builtin a module could rebind, nor a
name an earlier top-level statement binds (``PLUGINS`` may be built from it).
"""

from __future__ import annotations

import re

from spoc_lsp.syntax import py_strings

# What matters on the way: quotes, comments, brackets, backslashes, line breaks, and what no
# Python token outside a string can hold (control characters, ``$ ? `` ` ``, a lone ``!``,
# any non-ASCII character: a non-ASCII name is rare enough to be lexed as usual).
_SKELETON = re.compile(
    r"'''|\"\"\"|['\"\#()\[\]{}\\\r\n]|!(?!=)|[\x00-\x08\x0b\x0e-\x1f\x7f$?`]|[^\x00-\x7f]"
)
_LINE_END = re.compile(r"[\r\n]")
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_RELEVANT = frozenset({"PLUGINS", "dict", "list", "tuple"})
# Compound statements: what they do may not run, and most of a big module is made of them.
_COMPOUND = re.compile(r"(?:@|(?:def|class|async|if|for|while|try|with)\b)")
_NAME = re.compile(r"[A-Za-z_]\w*")


def skippable_end(text: str, start: int, bound: set[str]) -> int | None:
    """Where the top-level compound statement at ``start`` ends, if it can be skipped.

    It cannot be when it names ``PLUGINS``, ``dict``, ``list``, ``tuple`` or a name in
    ``bound`` (the names earlier top-level statements bind, which ``PLUGINS`` may be built
    from), or when it is not clean (see the module docstring).
    """
    if not _COMPOUND.match(text, start):
        return None
    end = _clean_end(text, start)
    if end is None:
        return None
    names = set(_NAME.findall(text, start, end))
    if not names.isdisjoint(_RELEVANT) or not names.isdisjoint(bound):
        return None
    return end


def _clean_end(text: str, start: int) -> int | None:
    """The end of the statement at ``start`` with its indented lines; None if it is not clean."""
    closers: list[str] = []
    index = start
    length = len(text)
    search = _SKELETON.search
    while True:
        match = search(text, index)
        if match is None:
            return None if closers else length
        found = match.group()
        index = match.end()
        char = found[0]
        if char in "'\"":
            close = py_strings.closing_index(text, index, found)
            if close is None:
                return None  # unterminated: a syntax error the reader should see
            index = close
        elif char == "#":
            line_end = _LINE_END.search(text, index)
            index = line_end.start() if line_end else length
        elif char in _OPENERS:
            closers.append(_OPENERS[char])
        elif char in ")]}":
            if not closers or closers.pop() != char:
                return None
        elif char == "\\":
            if not text.startswith(("\n", "\r"), index):
                return None  # a backslash that continues nothing
            index += 2 if text.startswith("\r\n", index) else 1
        elif char in "\r\n":
            if char == "\r" and text.startswith("\n", index):
                index += 1
            if not closers and index < length and text[index] not in " \t\f\r\n#":
                return index
        else:
            return None  # no Python token holds it: leave it to the lexer to report
