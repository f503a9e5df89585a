"""A storage backend of the core app."""


class MemoryStorage:
    """Keeps everything in a dict. It was written before ``delete`` joined the interface."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def load(self, key: str) -> bytes | None:
        return self.data.get(key)

    def save(self, key: str, data: bytes) -> None:
        self.data[key] = data
