"""Choosing a factor: datasets in the organization's configured order, then the year rule, region and unit.

Works on factor rows fetched once per calculation (a few hundred rows), so choosing a factor for an
invoice costs no query.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from invoicing.errors import CalculationFailureCode
from invoicing.models import (
    EmissionFactor,
    EmissionFactorDataset,
    OrganizationCustomFactor,
    OrganizationFactorConfig,
)

from .units import Conversion, conversion, same_dimension


class LookupError_(Exception):  # internal: carries a per-invoice failure code
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Choice:
    """The factor chosen for one invoice and how its quantity reaches the factor's unit."""

    kg_per_unit: Decimal
    unit: str
    conversion: Conversion
    factor: EmissionFactor | None = None
    custom: OrganizationCustomFactor | None = None
    rung: str = "dataset"
    fallbacks: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""

    @property
    def biogenic_per_unit(self) -> Decimal | None:
        if self.custom is not None:
            return self.custom.biogenic_co2_kg
        return self.factor.biogenic_co2_kg if self.factor is not None else None


def latest_of(datasets: Iterable[EmissionFactorDataset]) -> EmissionFactorDataset | None:
    return max(datasets, key=lambda d: (d.year, d.loaded_at, str(d.id)), default=None)


class FactorPool:
    """Factor rows, datasets, configurations and custom factors for one calculation."""

    def __init__(self, *, categories: list[str], countries: set[str], organization_ids: set[uuid.UUID]) -> None:
        self.memo: dict[tuple[Any, ...], Choice] = {}
        self.datasets = {d.id: d for d in EmissionFactorDataset.objects.all()}
        self.factors: dict[tuple[str, str], list[EmissionFactor]] = defaultdict(list)
        rows = EmissionFactor.objects.filter(category__in=categories, country__in=countries).select_related(
            "unit", "fuel"
        )
        for row in rows.order_by("id"):
            row.dataset = self.datasets[row.dataset_id]
            self.factors[(row.category, row.country)].append(row)
        self.configs = {
            (c.organization_id, c.category): c
            for c in OrganizationFactorConfig.objects.filter(
                organization_id__in=organization_ids, category__in=categories
            )
        }
        self.customs: dict[tuple[uuid.UUID, str], list[OrganizationCustomFactor]] = defaultdict(list)
        customs = OrganizationCustomFactor.objects.filter(organization_id__in=organization_ids, category__in=categories)
        for custom in customs.select_related("unit", "fuel", "supplier").order_by("-valid_from", "-created_at", "id"):
            self.customs[(custom.organization_id, custom.category)].append(custom)

    def datasets_for(self, organization_id: uuid.UUID, category: str) -> list[EmissionFactorDataset]:
        """The configured dataset, or the latest version of every dataset by rank when none is configured."""
        config = self.configs.get((organization_id, category))
        if config is not None and config.dataset_id:
            return [self.datasets[config.dataset_id]]
        if config is not None:
            matching = [
                d for d in self.datasets.values() if d.publisher == config.publisher and d.name == config.dataset_name
            ]
            latest = latest_of(matching)
            if latest is None:
                raise LookupError_(
                    CalculationFailureCode.NO_FACTOR,
                    f"The {category} configuration asks for the latest {config.publisher} {config.dataset_name}, "
                    "which is not loaded.",
                )
            return [latest]
        by_name: dict[tuple[str, str], list[EmissionFactorDataset]] = defaultdict(list)
        for dataset in self.datasets.values():
            by_name[(dataset.publisher, dataset.name)].append(dataset)
        latest_versions = [latest_of(group) for group in by_name.values()]
        return sorted((d for d in latest_versions if d), key=lambda d: (d.rank, d.publisher, d.name))

    def rows(self, category: str, country: str, region: str, kinds: set[str]) -> list[EmissionFactor]:
        return [
            row
            for row in self.factors.get((category, country), [])
            if row.kind in kinds and row.region in ("", region) and row.calorific_basis != "net"
        ]

    def custom_for(
        self, organization_id: uuid.UUID, category: str, *, start: date, end: date, fuel: str, supplier_id: Any
    ) -> list[OrganizationCustomFactor]:
        """Valid custom factors for the whole invoice period, most specific first."""
        valid = [
            c
            for c in self.customs.get((organization_id, category), [])
            if c.valid_from <= start
            and (c.valid_to is None or c.valid_to >= end)
            and (c.fuel_id is None or (c.fuel is not None and c.fuel.code == fuel))
            and (c.supplier_id is None or c.supplier_id == supplier_id)
            and c.calorific_basis != "net"
        ]
        return sorted(valid, key=lambda c: (c.fuel_id is None, c.supplier_id is None))


def best_in_year(
    rows: list[EmissionFactor], *, year: int, invoice_unit: str, fuel: str, region: str
) -> tuple[EmissionFactor, Conversion, int] | None:
    """Nearest year ≤ `year` with a factor the invoice's unit converts to; region and own unit preferred."""
    usable = []
    for row in rows:
        if row.year > year:
            continue
        step = conversion(invoice_unit, row.unit.code, fuel=fuel)
        if step is not None:
            usable.append((row, step))
    if not usable:
        return None
    chosen_year = max(row.year for row, _ in usable)

    def preference(item: tuple[EmissionFactor, Conversion]) -> tuple[Any, ...]:
        row, _ = item
        own_unit = row.unit.code == invoice_unit
        return (row.region == "", not own_unit, not same_dimension(invoice_unit, row.unit.code), row.unit.code)

    row, step = min((item for item in usable if item[0].year == chosen_year), key=preference)
    return row, step, chosen_year


def year_fallback(requested: int, used: int) -> list[dict[str, Any]]:
    return [] if used == requested else [{"type": "year", "requested": requested, "used": used}]


def from_datasets(
    pool: FactorPool,
    datasets: list[EmissionFactorDataset],
    rows: list[EmissionFactor],
    *,
    year: int,
    invoice_unit: str,
    fuel: str,
    region: str,
) -> tuple[EmissionFactor, Conversion, int] | None:
    for dataset in datasets:
        found = best_in_year(
            [r for r in rows if r.dataset_id == dataset.id],
            year=year,
            invoice_unit=invoice_unit,
            fuel=fuel,
            region=region,
        )
        if found is not None:
            return found
    return None
