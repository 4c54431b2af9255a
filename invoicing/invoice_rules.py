"""Rules every invoice obeys, whichever path entered it (API create and PATCH, the import).

Each function returns the problems it finds as `(field, message)` pairs; the caller decides how to
report them (an API error's `errors`, an import row error). Messages name the value and what is
expected. The natural key's normalised number is defined here once, for the model's unique index
and every lookup of an existing bill.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Expression
from django.db.models.functions import Trim, Upper
from django.utils import timezone

MAX_INTEGER_DIGITS = 14  # Invoice.quantity is DECIMAL(20, 6)
MAX_DECIMAL_PLACES = 6
FIRST_PLAUSIBLE_YEAR = 2000

Problem = tuple[str, str]


def normalized_number() -> Expression:
    """The invoice number as the natural key compares it: without surrounding spaces, upper-case (SQL)."""
    return Upper(Trim("invoice_number"))


def quantity_problems(quantity: Decimal) -> list[Problem]:
    """A quantity must be a finite number, 0 or more, and fit DECIMAL(20, 6)."""
    if not quantity.is_finite():
        return [("quantity", f"{quantity} is not a number; expected a number of 0 or more.")]
    problems: list[Problem] = []
    if quantity < 0:
        problems.append(("quantity", f"{quantity} is negative; expected 0 or more."))
    exponent = quantity.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > MAX_DECIMAL_PLACES:
        problems.append(
            ("quantity", f"{quantity} has {-exponent} decimal places; expected at most {MAX_DECIMAL_PLACES}.")
        )
    if abs(quantity) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        problems.append(("quantity", f"{quantity} has more than {MAX_INTEGER_DIGITS} digits before the decimal point."))
    return problems


def billing_period_problems(start_date: date, end_date: date, *, today: date | None = None) -> list[Problem]:
    """A billing period must be plausible: both dates in a year from 2000 to next year, the end not before
    the start, and at most `settings.INVOICE_MAX_PERIOD_DAYS` days long (both ends counted).

    Catches typed years (0024, 2204, 2042) that would otherwise be calculated with the wrong year's
    factors or never calculated at all.
    """
    last_year = (today or timezone.localdate()).year + 1
    problems: list[Problem] = []
    for field, value in (("start_date", start_date), ("end_date", end_date)):
        if not FIRST_PLAUSIBLE_YEAR <= value.year <= last_year:
            problems.append(
                (field, f"{value.isoformat()} is not a plausible billing date; expected a year from "
                 f"{FIRST_PLAUSIBLE_YEAR} to {last_year}.")
            )  # fmt: skip
    if end_date < start_date:
        problems.append(
            ("end_date", f"{end_date.isoformat()} is before the start date {start_date.isoformat()}; "
             "expected the last day of the period, on or after its first.")
        )  # fmt: skip
    elif not problems:
        days = (end_date - start_date).days + 1
        longest = settings.INVOICE_MAX_PERIOD_DAYS
        if days > longest:
            problems.append(
                ("end_date", f"The period {start_date.isoformat()} to {end_date.isoformat()} lasts {days} days; "
                 f"expected at most {longest} (INVOICE_MAX_PERIOD_DAYS).")
            )  # fmt: skip
    return problems
