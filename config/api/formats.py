"""The formats of the values the API reads, each written once: how a value is checked, what the
client is told when it is wrong, and the JSON Schema that documents it. Query parameters
(config.api.params) and body fields (config.api.fields) both use them.

Every parser takes the text as sent (no stripping, ASCII digits only: `int()` and `\\d` would also
read "1_0", " 7" or other scripts' digits) and raises ValueError with the message for the client.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

DIGITS = re.compile(r"[0-9]+")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
POSTGRES_INTEGER_MAX = 2**31 - 1
POSTGRES_BIGINT_MAX = 2**63 - 1

_YEAR = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"  # 0001-9999, Python's date range
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
# A YYYY-MM-DD date that exists, as a regular expression (ECMA-262 and Python read it alike): for
# schemas where `format: date` cannot be used because the value has more than the date.
EXISTING_DATE = (
    f"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    f"|02-(?:0[1-9]|1[0-9]|2[0-8]))|{_LEAP_YEAR}-02-29)"
)

# Text PostgreSQL can store: no NUL character (Django's and DRF's text fields refuse it too).
TEXT_PATTERN = r"^[^\u0000]*$"
# The same with at least one character that is not a space.
NON_BLANK_TEXT_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"

DATE_SCHEMA: dict[str, Any] = {"type": "string", "format": "date", "example": "2024-01-31"}
UUID_SCHEMA: dict[str, Any] = {"type": "string", "format": "uuid"}


def parse_iso_date(text: str) -> date:
    """A date written YYYY-MM-DD; a well-formed date that does not exist (2023-02-29) is named as such."""
    if not ISO_DATE.fullmatch(text):
        raise ValueError(f"Enter a date as YYYY-MM-DD, not {text!r}.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a date that exists.") from None


def parse_uuid(text: str) -> uuid.UUID:
    """A UUID in its usual form, 8-4-4-4-12 hexadecimal digits (any case)."""
    if not UUID_TEXT.fullmatch(text):
        raise ValueError(f"Must be a UUID such as 550e8400-e29b-41d4-a716-446655440000, not {text!r}.")
    return uuid.UUID(text)


def parse_whole_number(text: str, *, maximum: int) -> int:
    """A whole number from 1 to `maximum`, written in digits only."""
    message = f"Must be a whole number from 1 to {maximum}, written in digits, not {text!r}."
    # The length check first: int() refuses more than 4,300 digits with an error of its own.
    if not DIGITS.fullmatch(text) or len(text.lstrip("0")) > len(str(maximum)):
        raise ValueError(message)
    value = int(text)
    if not 1 <= value <= maximum:
        raise ValueError(message)
    return value


def whole_number_schema(*, maximum: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": maximum}


def not_one_of(value: Any, allowed: Iterable[str]) -> str:
    """The message for a value outside a fixed set: it names every allowed value."""
    return f"{value!r} is not one of the allowed values: {', '.join(allowed)}."
