"""A naive in-memory product search, used as a whole module by the ``search`` plugin group.

Nothing in the catalog package imports this module; SPOC imports it because the URI
``catalog.search`` names it.
"""

from __future__ import annotations

INDEX: dict[str, set[str]] = {}


def index(sku: str, text: str) -> None:
    """Index ``text`` (lower-cased words) under ``sku``."""
    for word in text.lower().split():
        INDEX.setdefault(word, set()).add(sku)


def search(query: str) -> list[str]:
    """The SKUs whose text contains every word of ``query``, sorted."""
    words = query.lower().split()
    if not words:
        return []
    hits = set.intersection(*(INDEX.get(word, set()) for word in words))
    return sorted(hits)
