"""Middleware of the core app.

``authenticate`` is re-exported here, so it is configured as ``core.middleware.authenticate``.
"""

from .auth import authenticate

__all__ = ["authenticate"]
