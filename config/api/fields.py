"""Serializer fields for the API's formats: exact decimals, UTC timestamps, whole-day periods, and
the `Strict*` fields of request bodies.

A `Strict*` field accepts only its own JSON type (DRF's fields also read `0` or `"true"` as a
boolean, `12` as a string, `"12.5"` as a number, an integer as a UUID and any time after a date)
and gives its own JSON Schema (`openapi_schema()`, documented by config.api.schema), written beside
the check so that the two say the same. Values are checked as sent: nothing is stripped.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.numbers import plain_decimal

from .formats import (
    DATE_SCHEMA,
    EXISTING_DATE,
    TEXT_PATTERN,
    UUID_SCHEMA,
    not_one_of,
    parse_iso_date,
    parse_uuid,
)

PERIOD_START_TIME = "T00:00:00"
PERIOD_END_TIME = "T23:59:59"
UTC_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


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


class _PeriodDayField(serializers.DateField):
    """A day written with a time of day (`isoformat`: strftime writes the year 1 as "1", not "0001")."""

    time = ""

    def to_representation(self, value: Any) -> str:
        return f"{value.isoformat()}{self.time}"


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T00:00:00$", "example": "2024-01-01T00:00:00"})
class PeriodStartField(_PeriodDayField):
    """The first day of a period, shown from its first second."""

    time = PERIOD_START_TIME


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T23:59:59$", "example": "2024-01-31T23:59:59"})
class PeriodEndField(_PeriodDayField):
    """The last day of a period, shown to its last second (the whole day is included)."""

    time = PERIOD_END_TIME


class DescribedField:
    """A serializer field that gives its own JSON Schema for request bodies."""

    def openapi_schema(self) -> dict[str, Any]:
        raise NotImplementedError


class StrictBooleanField(DescribedField, serializers.BooleanField):
    """`true` or `false`, JSON booleans only."""

    default_error_messages = {"invalid": "Must be true or false (a JSON boolean), not {input!r}."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data

    def openapi_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class StrictCharField(DescribedField, serializers.CharField):
    """A JSON string, kept as sent; `pattern` (a regular expression that Python and ECMA-262 read
    alike) must match it, else `pattern_message`. Without one, the schema says what DRF checks
    anyway: no NUL character."""

    default_error_messages = {"invalid": "Must be a JSON string."}

    def __init__(self, *, pattern: str | None = None, pattern_message: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.pattern = pattern
        self.pattern_message = pattern_message

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        value: str = super().to_internal_value(data)
        if self.pattern is not None and value and not re.search(self.pattern, value):
            raise serializers.ValidationError(self.pattern_message)
        return value

    def openapi_schema(self) -> dict[str, Any]:
        # drf-spectacular adds maxLength from the field's validators, and "" as an alternative with allow_blank.
        schema: dict[str, Any] = {"type": "string"}
        if not self.allow_blank:
            schema["minLength"] = 1
        schema["pattern"] = self.pattern or TEXT_PATTERN
        return schema


class StrictChoiceField(DescribedField, serializers.ChoiceField):
    """One of fixed values, as a JSON string; the error lists the allowed values."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or data not in self.choice_strings_to_values:
            raise serializers.ValidationError(not_one_of(data, self.allowed_values()))
        return self.choice_strings_to_values[data]

    def allowed_values(self) -> list[str]:
        return [str(value) for value in self.choices]

    def openapi_schema(self) -> dict[str, Any]:
        return build_choice_field(self)  # as drf-spectacular documents choices, so that enums are shared


class StrictUUIDField(DescribedField, serializers.UUIDField):
    """A UUID as a JSON string in its usual 8-4-4-4-12 form."""

    def to_internal_value(self, data: Any) -> uuid.UUID:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        try:
            return parse_uuid(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def openapi_schema(self) -> dict[str, Any]:
        return dict(UUID_SCHEMA)


class StrictDecimalField(DescribedField, serializers.DecimalField):
    """A decimal sent as a JSON number, as the API writes decimals (never a string)."""

    default_error_messages = {"not_a_number": "Must be a JSON number such as 1500.25, not {input!r}."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | Decimal):
            self.fail("not_a_number", input=data)
        return super().to_internal_value(data)  # type: ignore[no-any-return]

    def openapi_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        if self.min_value is not None:
            schema["minimum"] = self.min_value
        if self.max_whole_digits is not None:
            schema.update(maximum=10**self.max_whole_digits, exclusiveMaximum=True)
        if self.decimal_places is not None:
            schema["multipleOf"] = float(Decimal(1).scaleb(-self.decimal_places))
        return schema


class StrictDateField(DescribedField, serializers.DateField):
    """A date written YYYY-MM-DD; with `time`, also followed by that time (`T00:00:00`), so that a
    period can be sent back in the format the API writes it. A date that does not exist is named."""

    default_error_messages = {"not_a_string": "Enter a date as a JSON string, YYYY-MM-DD."}

    def __init__(self, *, time: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.time = time

    def to_internal_value(self, data: Any) -> date:
        if not isinstance(data, str):
            self.fail("not_a_string")
        text = data.removesuffix(self.time) if self.time else data
        try:
            return parse_iso_date(text)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def openapi_schema(self) -> dict[str, Any]:
        if self.time is None:
            return dict(DATE_SCHEMA)
        return {"type": "string", "pattern": f"^{EXISTING_DATE}(?:{self.time})?$", "example": "2024-01-31"}


class StrictListField(DescribedField, serializers.ListField):
    """A JSON array of `child` values, with `min_length` / `max_length` items."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)  # type: ignore[no-any-return]

    def openapi_schema(self) -> dict[str, Any]:
        child = self.child
        items = child.openapi_schema() if isinstance(child, DescribedField) else {}
        schema: dict[str, Any] = {"type": "array", "items": items}
        if self.min_length is not None:
            schema["minItems"] = self.min_length
        elif not self.allow_empty:
            schema["minItems"] = 1
        if self.max_length is not None:
            schema["maxItems"] = self.max_length
        return schema
