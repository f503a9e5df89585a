"""What the shop's plugin groups promise, declared in ``[spoc.interfaces]`` of config/spoc.toml.

The runtime checks every plugin of these groups after loading (without calling them), and the
editor shows the same verdict as you type (SPOC011).
"""

from __future__ import annotations

from typing import Protocol


class LifecycleHooks(Protocol):
    """A ``hooks`` plugin: called when the application starts and when it stops."""

    def startup(self) -> None: ...

    def shutdown(self) -> None: ...


class Cache(Protocol):
    """A ``cache`` plugin: values by string key."""

    def get(self, key: str) -> object | None: ...

    def set(self, key: str, value: object) -> None: ...
