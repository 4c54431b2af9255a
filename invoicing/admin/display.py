"""How the admin writes numbers: the digits the API sends (9300.000000 → 9300, 245.500000 → 245.5)."""

from __future__ import annotations

from decimal import Decimal

from invoicing.numbers import plain_decimal


def number(value: Decimal | None) -> str:
    """`1234.5` for Decimal("1234.500000"); `-` for None (not known yet)."""
    if value is None:
        return "-"
    return f"{plain_decimal(value):f}"
