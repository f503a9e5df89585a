"""Request-id middleware: every request gets an id, echoed by the response."""

from __future__ import annotations

import uuid

from shopkit.http import Request


def add_request_id(request: Request) -> Request:
    """Keep the client's ``X-Request-Id`` or make a new one."""
    request.meta["request_id"] = request.headers.get("X-Request-Id") or uuid.uuid4().hex
    return request
