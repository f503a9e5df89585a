"""What the plugins of the ``storage`` group promise ([spoc.interfaces] in config/spoc.toml)."""

from typing import Protocol


class Storage(Protocol):
    """Bytes by key."""

    def load(self, key: str) -> bytes | None: ...

    def save(self, key: str, data: bytes) -> None: ...

    def delete(self, key: str) -> None: ...
