"""An in-memory audit log, used as a whole module by the ``hooks`` plugin group.

The application calls ``startup()`` when it starts and ``shutdown()`` when it stops.
"""

from __future__ import annotations

from datetime import datetime, timezone

EVENTS: list[tuple[str, str]] = []


def record(event: str) -> None:
    """Append ``event`` with a UTC timestamp."""
    EVENTS.append((datetime.now(timezone.utc).isoformat(), event))


def startup() -> None:
    record("shop started")


def shutdown() -> None:
    record("shop stopped")
