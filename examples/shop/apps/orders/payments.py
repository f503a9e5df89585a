"""Payment gateways; the plugin is the gateway class, instantiated by the application."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Charge:
    """The outcome of charging a card."""

    amount: Decimal
    currency: str
    approved: bool
    descriptor: str


class CardGateway:
    """A fake card gateway: approves every charge up to ``limit``."""

    def __init__(
        self, currency: str = "EUR", statement_descriptor: str = "", limit: Decimal = Decimal(1000)
    ) -> None:
        self.currency = currency
        self.statement_descriptor = statement_descriptor
        self.limit = limit

    def charge(self, amount: Decimal) -> Charge:
        """Charge ``amount`` in the gateway's currency."""
        return Charge(amount, self.currency, amount <= self.limit, self.statement_descriptor)
