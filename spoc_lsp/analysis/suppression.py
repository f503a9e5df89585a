"""Inline suppression: ``# spoc: ignore[SPOC002]`` (or a bare ``# spoc: ignore``) on a line
silences those codes for entries on that line, in ``spoc.toml`` and in the settings module."""

from __future__ import annotations

import re

_DIRECTIVE = re.compile(r"#\s*spoc:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?")


def suppressed_codes(line_text: str) -> frozenset[str] | None:
    """Codes (or prefixes) a line suppresses; an empty set means all; ``None`` means none."""
    match = _DIRECTIVE.search(line_text)
    if match is None:
        return None
    codes = match.group("codes")
    if codes is None:
        return frozenset()
    return frozenset(code.strip() for code in codes.split(",") if code.strip())


def is_suppressed(line_text: str, code: str) -> bool:
    codes = suppressed_codes(line_text)
    if codes is None:
        return False
    return not codes or any(code.startswith(item) for item in codes)
