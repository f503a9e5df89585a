"""Close names for a name that does not exist ("did you mean ...?")."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_names(missing: str, candidates: Iterable[str], limit: int = 3) -> tuple[str, ...]:
    """Up to ``limit`` names from ``candidates`` similar to ``missing``, best first.

    Names that differ only in case come first: they are the most likely typo on a
    case-sensitive file system.
    """
    pool = sorted({name for name in candidates if name != missing})
    same_case = [name for name in pool if name.lower() == missing.lower()]
    close = difflib.get_close_matches(missing, pool, n=limit, cutoff=0.6)
    # A typo and a wrong case at once ('Knwon' for 'KNOWN'): compare case-blind too.
    lowered: dict[str, str] = {}
    for name in pool:
        lowered.setdefault(name.lower(), name)
    blind = difflib.get_close_matches(missing.lower(), list(lowered), n=limit, cutoff=0.75)
    close += [lowered[name] for name in blind]
    ordered = same_case + [name for name in dict.fromkeys(close) if name not in same_case]
    return tuple(ordered[:limit])
