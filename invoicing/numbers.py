"""Decimals as people and JSON read them: the same digits, no trailing zeros, never in exponent form."""

from __future__ import annotations

from decimal import Decimal


def plain_decimal(value: Decimal) -> Decimal:
    """The same number without trailing zeros and never in exponent form: 1500.000000 → 1500."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    return normalized.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normalized
