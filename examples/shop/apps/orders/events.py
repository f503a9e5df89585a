"""Order events. The plugin is ``registry``: every function below registers itself on it."""

from __future__ import annotations

from shopkit.registry import PluginRegistry

from orders.models import Order

registry = PluginRegistry()

OUTBOX: list[str] = []


@registry.register("order_placed")
def send_confirmation(order: Order) -> str:
    """Queue the confirmation e-mail."""
    message = f"to {order.email}: order {order.number} confirmed, total {order.total}"
    OUTBOX.append(message)
    return message


@registry.register("order_placed")
def reserve_stock(order: Order) -> list[str]:
    """Reserve the ordered SKUs (here: just report them)."""
    return [sku for sku, _, _ in order.lines]
