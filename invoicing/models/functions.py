"""ORM wrappers for the SQL functions installed by migration invoicing.0001."""

from django.db import models


class CupsIsValid(models.Func):
    function = "invoicing_cups_is_valid"
    output_field = models.BooleanField()


class CupsListIsValid(models.Func):
    function = "invoicing_cups_all_valid"
    output_field = models.BooleanField()
