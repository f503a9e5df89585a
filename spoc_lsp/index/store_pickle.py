"""Pickling for the persistent cache (``store``): values go in as pickles and come back through
an unpickler that resolves only spoc-lsp's own data classes (dataclasses, enums, slotted value
classes of ``spoc_lsp.index``) and ``pathlib`` paths, never a function, so even a planted file
cannot make loading run code."""

from __future__ import annotations

import dataclasses
import enum
import functools
import io
import pathlib
import pickle
import sys
from typing import Any

# What each allowed (module, name) resolved to: stored answers name the same dozen classes
# thousands of times over.
_RESOLVED: dict[tuple[str, str], Any] = {}


class _DataOnlyUnpickler(pickle.Unpickler):
    """Resolves only data classes of ``spoc_lsp.index`` and ``pathlib`` paths."""

    _PATHS = frozenset({"PosixPath", "PurePosixPath", "WindowsPath", "PureWindowsPath"})
    # Module-level functions that only rebuild a value class (``Symbol.__reduce__``).
    _REBUILDERS = frozenset(
        {("spoc_lsp.index.model", "_symbol"), ("spoc_lsp.index.store_pickle", "path_of")}
    )

    def find_class(self, module: str, name: str) -> Any:
        known = _RESOLVED.get((module, name))
        if known is not None:
            return known
        found = _RESOLVED[(module, name)] = self._find(module, name)  # (refusals raise)
        return found

    def _find(self, module: str, name: str) -> Any:
        if module == "pathlib" and name in self._PATHS:
            return getattr(pathlib, name)
        if module == "builtins" and name in ("frozenset", "set"):
            return frozenset if name == "frozenset" else set
        if (module, name) == ("spoc_lsp.index.store_pickle", "path_of"):
            return path_of
        if module.startswith("spoc_lsp.index.") and "." not in name:
            loaded = sys.modules.get(module)
            found = getattr(loaded, name, None) if loaded is not None else None
            if isinstance(found, type) and found.__module__ == module and _is_data_class(found):
                return found
            if (module, name) in self._REBUILDERS and callable(found):
                return found
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def _is_data_class(cls: type) -> bool:
    """A class whose construction only stores values (no behaviour runs when it is loaded)."""
    if dataclasses.is_dataclass(cls) or issubclass(cls, enum.Enum):
        return True
    return "__slots__" in vars(cls) and "__reduce__" not in vars(cls)


_CONCRETE_PATH = type(pathlib.Path())


@functools.lru_cache(maxsize=16_384)
def path_of(text: str) -> pathlib.Path:
    """The path ``text``, one shared object per text: loaded answers name the same few thousand
    files over and over, and building a ``Path`` parses it (the larger part of loading an
    answer before this)."""
    return pathlib.Path(text)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is _CONCRETE_PATH:
            return path_of, (str(obj),)
        return NotImplemented


def dumps(value: object) -> bytes:
    """``value`` as a pickle (raises when it cannot be pickled)."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def loads(data: bytes) -> object:
    """The value pickled in ``data``; ``pickle.UnpicklingError`` for anything but data classes."""
    return _DataOnlyUnpickler(io.BytesIO(data)).load()
