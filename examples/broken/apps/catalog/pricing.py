"""Pricing rules. The missing colon after the signature is a planted syntax error."""

from decimal import Decimal


def apply_discount(price: Decimal, percent: int) -> Decimal
    return price * (100 - percent) / 100
