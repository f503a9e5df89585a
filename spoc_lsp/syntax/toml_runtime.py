"""The runtime's own TOML parser — ``tomllib``, or ``tomli`` on Python 3.10 — and its dialect.

The language server checks ``spoc.toml`` against what the runtime will accept, so wherever a
TOML rule could differ between parsers (TOML 1.1 adds the ``\\e`` and ``\\xHH`` escapes, which
recent ``tomli`` releases read and ``tomllib`` does not), the parser itself is asked.
"""

from __future__ import annotations

import functools
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError


def loads(text: str) -> dict[str, object]:
    """Parse TOML as the runtime does (raises :class:`TOMLDecodeError`, or RecursionError)."""
    return tomllib.loads(text)


@functools.lru_cache(maxsize=1024)
def accepts(text: str) -> bool:
    """Whether the runtime's parser accepts ``text`` (cached: used for scalars and dialect)."""
    try:
        tomllib.loads(text)
    except (TOMLDecodeError, ValueError, RecursionError):
        return False
    return True


def has_toml_11_escapes() -> bool:
    """Whether basic strings may use ``\\e`` and ``\\xHH`` (TOML 1.1) with this parser."""
    return accepts('v = "\\e\\x41"')
