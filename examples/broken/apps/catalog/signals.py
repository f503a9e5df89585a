"""Catalog signals."""

SAVED: list[str] = []


def on_product_saved(sku: str) -> None:
    SAVED.append(sku)
