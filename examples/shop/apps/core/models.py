"""Core models."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    """A shop customer or staff member."""

    username: str
    email: str
    is_staff: bool = False


USERS: dict[str, User] = {}


def startup() -> None:
    """Seed the in-memory user table with the shop's administrator."""
    USERS.setdefault("admin", User("admin", "admin@shop.example", is_staff=True))


def shutdown() -> None:
    USERS.clear()
