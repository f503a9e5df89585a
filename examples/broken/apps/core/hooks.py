"""Lifecycle hooks of the core app."""

EVENTS: list[str] = []


def on_startup() -> None:
    EVENTS.append("startup")


def on_shutdown() -> None:
    EVENTS.append("shutdown")


def log_event(event: str) -> None:
    EVENTS.append(event)
