"""Authentication middleware: a bearer token names the user."""

from __future__ import annotations

from shopkit.http import Request

TOKENS: dict[str, str] = {"secret-admin-token": "admin"}


def authenticate(request: Request) -> Request:
    """Set ``request.user`` from the ``Authorization: Bearer <token>`` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme == "Bearer":
        request.user = TOKENS.get(token)
    return request
