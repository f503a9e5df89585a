"""Catalog models."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Product:
    """Something the shop sells."""

    sku: str
    name: str
    price: Decimal
    tags: tuple[str, ...] = ()


PRODUCTS: dict[str, Product] = {}


def startup() -> None:
    """Stock the in-memory catalog."""
    for product in (
        Product("SKU-1001", "Espresso cup", Decimal("9.50"), ("kitchen",)),
        Product("SKU-1002", "French press", Decimal("34.00"), ("kitchen", "coffee")),
    ):
        PRODUCTS.setdefault(product.sku, product)


def shutdown() -> None:
    PRODUCTS.clear()
