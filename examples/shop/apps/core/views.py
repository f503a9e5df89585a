"""Core views."""

from __future__ import annotations

from shopkit.http import Request, Response


def health(request: Request) -> Response:
    """Report that the shop is up."""
    return Response(200, {"status": "ok", "path": request.path})
