"""Serializer fields for the API's formats: exact decimals, UTC timestamps, whole-day periods."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.numbers import plain_decimal

PERIOD_START_FORMAT = "%Y-%m-%dT00:00:00"
PERIOD_END_FORMAT = "%Y-%m-%dT23:59:59"
UTC_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
INPUT_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]


class ExactDecimalField(serializers.DecimalField):
    """A decimal sent as an exact JSON number without trailing zeros (with config.api.renderers)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", None)
        kwargs.setdefault("decimal_places", None)
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        if value is None:
            return None
        return plain_decimal(value if isinstance(value, Decimal) else Decimal(str(value)))


@extend_schema_field({"type": "string", "format": "date-time", "example": "2024-02-01T10:30:00Z"})
class UtcTimestampField(serializers.DateTimeField):
    """`2024-02-01T10:30:00Z`: UTC, whole seconds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=UTC_TIMESTAMP_FORMAT, default_timezone=UTC, **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T00:00:00$", "example": "2024-01-01T00:00:00"})
class PeriodStartField(serializers.DateField):
    """The first day of a period, shown from its first second."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=PERIOD_START_FORMAT, **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T23:59:59$", "example": "2024-01-31T23:59:59"})
class PeriodEndField(serializers.DateField):
    """The last day of a period, shown to its last second (the whole day is included)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=PERIOD_END_FORMAT, **kwargs)
