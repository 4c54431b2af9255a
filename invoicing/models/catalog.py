"""Reference data shared by every organization. Rows have stable UUIDs (uuid5 of their code)."""

from __future__ import annotations

import uuid

from django.db import models

from invoicing.choices import UnitDimension

from .base import country_code_check, in_choices

# Namespace for the uuid5 ids of catalogue rows: the same id on every install.
CATALOG_NAMESPACE = uuid.UUID("5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90")


def catalog_uuid(kind: str, code: str) -> uuid.UUID:
    return uuid.uuid5(CATALOG_NAMESPACE, f"{kind}:{code}")


class Unit(models.Model):
    id = models.UUIDField(primary_key=True, editable=False)
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=50)
    symbol = models.CharField(max_length=10)
    dimension = models.CharField(max_length=10, choices=UnitDimension.choices)

    class Meta:
        ordering = ["dimension", "code"]
        constraints = [in_choices("dimension", UnitDimension)]

    def __str__(self) -> str:
        return self.symbol


class Supplier(models.Model):
    """An energy retailer (e.g. a Spanish comercializadora)."""

    id = models.UUIDField(primary_key=True, editable=False)
    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    legal_name = models.CharField(
        max_length=200, help_text="Name as published by the regulator (MITECO/CNMC list for Spain)."
    )
    country = models.CharField(max_length=2)

    class Meta:
        ordering = ["name"]
        constraints = [country_code_check()]

    def __str__(self) -> str:
        return self.name


class StationaryFuel(models.Model):
    id = models.UUIDField(primary_key=True, editable=False)
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    is_biomass = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
