"""Validators made by factories: the plugins are the functions the factories return."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def create_email_validator(domain_whitelist: Iterable[str] = ()) -> Callable[[str], bool]:
    """A validator accepting well-formed addresses, only in ``domain_whitelist`` if given."""
    allowed = frozenset(domain_whitelist)

    def validate_email(email: str) -> bool:
        if not EMAIL_PATTERN.match(email):
            return False
        return not allowed or email.rpartition("@")[2] in allowed

    return validate_email


def create_phone_validator(country_code: str = "+1") -> Callable[[str], bool]:
    """A validator for ten-digit numbers after ``country_code`` (dashes and spaces allowed)."""

    def validate_phone(phone: str) -> bool:
        if not phone.startswith(country_code):
            return False
        number = phone[len(country_code) :].replace("-", "").replace(" ", "")
        return number.isdigit() and len(number) == 10

    return validate_phone


validate_email = create_email_validator(["shop.example", "staff.shop.example"])
validate_phone = create_phone_validator(country_code="+1")
