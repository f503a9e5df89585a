"""A field hash computed once per object, for frozen dataclasses used as dictionary keys over
and over (plugin entries and text spans: every analysis looks each one up several times).

A dataclass takes it with ``__hash__ = field_hash`` and ``__getstate__ = state_without_hash``
in its body (a ``__hash__`` defined in the class body is one ``@dataclass`` keeps). The value
equals what the generated hash would compare, so equal objects still hash alike; it is never
pickled or copied, because ``str`` hashes differ from one process to the next.
"""

from __future__ import annotations

import dataclasses
from typing import Any

_SLOT = "_field_hash"


def field_hash(self: Any) -> int:
    """The hash of the compared fields, computed on first use and kept on the object."""
    cached: int | None = self.__dict__.get(_SLOT)
    if cached is None:
        fields = dataclasses.fields(self)
        cached = hash(tuple(getattr(self, f.name) for f in fields if f.compare))
        object.__setattr__(self, _SLOT, cached)  # frozen: set around the guard
    return cached


def state_without_hash(self: Any) -> dict[str, Any]:
    """The object's state for pickling and copying, without the cached hash."""
    return {key: value for key, value in self.__dict__.items() if key != _SLOT}
