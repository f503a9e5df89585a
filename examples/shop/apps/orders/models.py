"""Order models."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Order:
    """A customer's order."""

    number: str
    email: str
    lines: list[tuple[str, int, Decimal]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((price * quantity for _, quantity, price in self.lines), Decimal("0"))
