"""Numbers as the file writes them: the decimal mark and thousands grouping of its dialect, or Excel's doubles.

A number is read one way only. When the file's convention does not fix how to read a text (an XLSX text
cell such as `1.500`, which is 1.5 with a decimal point and 1500 with a thousands dot), it is refused with
both readings named, never guessed.
"""

from __future__ import annotations

import re
from contextlib import suppress
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from enum import Enum

from invoicing.invoice_rules import MAX_DECIMAL_PLACES

# Excel keeps 15 significant digits (Microsoft, "Excel specifications and limits": number precision).
EXCEL_SIGNIFICANT_DIGITS = 15
_EXCEL_CONTEXT = Context(prec=EXCEL_SIGNIFICANT_DIGITS, rounding=ROUND_HALF_UP)
_COLUMN_SCALE = Decimal(1).scaleb(-MAX_DECIMAL_PLACES)
_WIDE_CONTEXT = Context(prec=60)

_POINT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")  # 1500, 1500.5, .5
_POINT_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")  # 1,500 and 12,345.67
_COMMA = re.compile(r"[+-]?(\d+(,\d*)?|,\d+)")  # 1500, 1500,5
_COMMA_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")  # 1.500 and 12.345,67


class NumberConvention(Enum):
    """How the text of a number is written; the value is how messages describe it."""

    DECIMAL_COMMA = "in a ;-separated file '.' groups thousands and ',' is the decimal mark (12.345,67)"
    DECIMAL_POINT = "in a ,-separated file '.' is the decimal mark and no thousands mark is accepted (12345.67)"
    UNKNOWN = "a number in a text cell must read the same with either decimal mark"


class NumberProblem(ValueError):
    """Why a text is not a number under the file's convention; the message names the value and what is expected."""


def _point_reading(text: str) -> Decimal | None:
    if _POINT.fullmatch(text):
        return Decimal(text)
    if _POINT_GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    return None


def _comma_reading(text: str) -> Decimal | None:
    if _COMMA.fullmatch(text) or _COMMA_GROUPED.fullmatch(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    return None


def read_decimal_text(text: str, convention: NumberConvention) -> Decimal:
    """The number a text holds under `convention`; raises NumberProblem naming the readings otherwise.

    DECIMAL_COMMA (`;` files, as Spanish Excel writes them): `1.500` = 1500, `12.345,67` = 12345.67.
    DECIMAL_POINT (`,` files): `1500.5` = 1500.5; a comma is refused (`1,500` could be 1500 or 1.5).
    UNKNOWN (text cells of a workbook): accepted when only one reading exists or both agree.
    """
    value = text.strip()
    if not value:
        raise NumberProblem("Empty; expected a number.")
    point, comma = _point_reading(value), _comma_reading(value)
    if convention is NumberConvention.DECIMAL_COMMA:
        if comma is not None:
            return comma
        hint = f" (with a decimal point it would be {plain_number(point)})" if point is not None else ""
        raise NumberProblem(f"{value!r} is not a number as {convention.value}{hint}; write it as in 1.234,5 or 1234,5.")
    if convention is NumberConvention.DECIMAL_POINT:
        if point is not None and "," not in value:
            return point
        if "," in value:
            readings = _readings(value, point, comma)
            raise NumberProblem(f"{value!r} has a comma, but {convention.value}{readings}; write it as in 1234.5.")
        raise NumberProblem(f"{value!r} is not a number; expected digits with '.' as the decimal mark, as in 1234.5.")
    if point is not None and comma is not None and point != comma:
        raise NumberProblem(
            f"{value!r} is ambiguous: {plain_number(point)} with '.' as the decimal mark, or {plain_number(comma)} "
            "with '.' grouping thousands; expected an unambiguous number (a number cell, or digits without a "
            "thousands mark)."
        )
    reading = point if point is not None else comma
    if reading is None:
        raise NumberProblem(f"{value!r} is not a number; expected digits with one decimal mark, as in 1234.5.")
    return reading


def _readings(value: str, point: Decimal | None, comma: Decimal | None) -> str:
    seen = [f"{plain_number(point)} with ',' grouping thousands"] if point is not None else []
    if comma is not None:
        seen.append(f"{plain_number(comma)} with ',' as the decimal mark")
    return f": it could be {' or '.join(seen)}" if seen else ""


def excel_number(stored: str) -> Decimal:
    """A number cell as Excel displays it: the stored double rounded to 15 significant digits, then to the
    quantity column's 6 decimal places. `124599.99999999999` → 124600, `0.30000000000000004` → 0.3.

    Raises NumberProblem for a stored text that is not a number.
    """
    try:
        double = float(stored)
    except ValueError:
        raise NumberProblem(f"{stored!r} is not a number; expected a number cell.") from None
    shown = _EXCEL_CONTEXT.create_decimal_from_float(double)
    if not shown.is_finite():
        raise NumberProblem(f"{stored!r} is not a finite number; expected a number cell.")
    with suppress(InvalidOperation):  # too large to have decimals: the quantity rules refuse it
        shown = shown.quantize(_COLUMN_SCALE, rounding=ROUND_HALF_EVEN, context=_WIDE_CONTEXT)
    return shown.copy_abs() if shown.is_zero() else shown


def plain_number(value: Decimal | None) -> str:
    """A decimal without exponent or trailing zeros: 1500, 1.5."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
