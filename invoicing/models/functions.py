"""ORM wrappers for the SQL functions installed by migration invoicing.0001."""

from collections.abc import Sequence
from typing import cast

from django.db import models
from django.db.models.expressions import RawSQL


class CupsIsValid(models.Func):
    function = "invoicing_cups_is_valid"
    output_field = models.BooleanField()


class CupsListIsValid(models.Func):
    function = "invoicing_cups_all_valid"
    output_field = models.BooleanField()


def id_in_array(ids: Sequence[object]) -> RawSQL:
    """Invoice filter `id = ANY(ids)`: one array parameter; an `IN (…)` of thousands of placeholders
    costs more to build than the query takes to run."""
    return RawSQL('"invoicing_invoice"."id" = ANY(%s::uuid[])', (list(ids),), output_field=models.BooleanField())


def cups_absent_or_valid(field: str = "cups") -> models.Q:
    """CHECK condition: no CUPS, or one whose check letters match."""
    # Q | boolean expression is a valid condition; django-stubs types the result as Combinable.
    return cast(models.Q, models.Q(**{f"{field}__isnull": True}) | CupsIsValid(field))
