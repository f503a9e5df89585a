"""Order views."""

from __future__ import annotations

from shopkit.http import Request, Response


def place_order(request: Request) -> Response:
    """Accept an order from an authenticated user."""
    if request.user is None:
        return Response(401, {"error": "authentication required"})
    return Response(201, {"status": "accepted", "user": request.user})
