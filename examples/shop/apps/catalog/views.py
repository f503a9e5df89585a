"""Catalog views."""

from __future__ import annotations

from shopkit.http import Request, Response

from catalog.models import PRODUCTS


def list_products(request: Request) -> Response:
    """Every product, by SKU."""
    return Response(200, [{"sku": p.sku, "name": p.name} for p in PRODUCTS.values()])
