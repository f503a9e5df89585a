"""Order models."""

from dataclasses import dataclass


@dataclass
class Order:
    number: str
    email: str
