"""The few HTTP types the shop's middleware and views pass around."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Request:
    """An incoming request."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    remote_addr: str = "127.0.0.1"
    user: str | None = None
    meta: dict[str, object] = field(default_factory=dict)


@dataclass
class Response:
    """An outgoing response."""

    status: int = 200
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
