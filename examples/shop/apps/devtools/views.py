"""Development views."""

from __future__ import annotations

import sys

from shopkit.http import Request, Response


def debug_info(request: Request) -> Response:
    """Where the interpreter looks for modules: useful when a plugin does not resolve."""
    return Response(200, {"python": sys.version, "path": list(sys.path)})
