"""Choosing a published factor: the organization's datasets, country and region, the year rule, rank and unit.

Works on factor rows fetched once per calculation (a few thousand rows), so choosing a factor for an
invoice costs no query. docs/emissions.md, "Choosing a factor", states the order implemented by
`preference`.
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
    CalorificBasis,
    EmissionFactor,
    EmissionFactorDataset,
    OrganizationCustomFactor,
    OrganizationFactorConfig,
)

from .units import KWH_PER, NATURAL_GAS, SYMBOL, Conversion, conversion, same_dimension

# Billed energy is gross (PCS): factors per kWh on a net or unstated calorific basis are never applied.
APPLICABLE_BASES = {CalorificBasis.NONE.value, CalorificBasis.GROSS.value}


class Failure(Exception):
    """Why one invoice gets no result for one category: a CalculationFailureCode and a sentence for the user."""

    def __init__(self, code: CalculationFailureCode, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class FactorUse:
    """One factor applied to one part of a billing period, and how the quantity reaches its unit."""

    component: str
    scope: str
    value: Decimal  # kg per unit of `unit`, CO2e or CO2 as `basis` says
    unit: str
    conversion: Conversion
    basis: str
    rung: str
    fallbacks: list[dict[str, Any]] = field(default_factory=list)
    factor: EmissionFactor | None = None
    custom: OrganizationCustomFactor | None = None
    source_document: str = ""
    source_location: str = ""
    year: int | None = None

    @classmethod
    def of_row(
        cls, row: EmissionFactor, step: Conversion, *, component: str, scope: str, rung: str, year: int
    ) -> FactorUse:
        """A published factor used for `year` (a fallback recorded when the row is of an earlier year)."""
        return cls(
            component,
            scope,
            row.value,
            row.unit.code,
            step,
            row.basis,
            rung,
            year_fallback(year, row.year),
            factor=row,
            source_document=row.source_document,
            source_location=row.source_location,
            year=row.year,
        )

    @property
    def biogenic_per_unit(self) -> Decimal | None:
        if self.custom is not None:
            return self.custom.biogenic_co2_kg
        return self.factor.biogenic_co2_kg if self.factor is not None else None

    @property
    def dataset(self) -> EmissionFactorDataset | None:
        return self.factor.dataset if self.factor is not None else None


def year_fallback(requested: int, used: int) -> list[dict[str, Any]]:
    return [] if used == requested else [{"type": "year", "requested": requested, "used": used}]


def preference(row: EmissionFactor, invoice_unit: str) -> tuple[Any, ...]:
    """Sort key, best first: the region's own factor; the dataset's rank; the nearest year (never a later
    one: rows are filtered before); the newest version of a publication; the invoice's own unit; a unit
    of the same dimension."""
    dataset = row.dataset
    return (
        row.region == "",
        dataset.rank,
        -row.year,
        -dataset.year,
        -dataset.loaded_at.timestamp(),
        row.unit.code != invoice_unit,
        not same_dimension(invoice_unit, row.unit.code),
        row.unit.code,
        str(row.id),
    )


def best(
    rows: Iterable[EmissionFactor], *, unit: str, fuel: str, kwh_per_m3: Decimal | None
) -> tuple[EmissionFactor, Conversion] | None:
    """The preferred row that the invoice's quantity can reach, with the conversion to its unit."""
    usable = []
    for row in rows:
        if row.calorific_basis not in APPLICABLE_BASES:
            continue
        step = conversion(unit, row.unit.code, fuel=fuel, kwh_per_m3=kwh_per_m3)
        if step is not None:
            usable.append((row, step))
    return min(usable, key=lambda item: preference(item[0], unit), default=None)


def unreachable(rows: list[EmissionFactor], *, unit: str, fuel: str, what: str) -> Failure:
    """Why factors exist for the period but the quantity cannot use any of them."""
    shown = SYMBOL.get(unit, unit)
    if fuel == NATURAL_GAS and unit == "m3" and any(row.unit.code in KWH_PER for row in rows):
        publishers = ", ".join(sorted({row.dataset.publisher for row in rows}))
        return Failure(
            CalculationFailureCode.NO_CALORIFIC_VALUE,
            f"Natural gas billed in m³: the {what} factor ({publishers}) is per kWh (gross, PCS). Send the bill's "
            "conversion factor in kWh/m³ (Spanish bills print it as 'factor de conversión') as kwh_per_m3, "
            "or the quantity in kWh.",
        )
    units = sorted({SYMBOL[row.unit.code] for row in rows if row.calorific_basis in APPLICABLE_BASES})
    other = sorted({SYMBOL[row.unit.code] for row in rows if row.calorific_basis not in APPLICABLE_BASES})
    of_fuel = f" of {fuel}" if fuel else ""
    message = f"A quantity in {shown} cannot be converted to the unit of the {what} factor{of_fuel}"
    message += f" ({', '.join(units)}): no density or calorific value is used." if units else "."
    if other:
        message += (
            f" Factors per {', '.join(other)} on a net or unstated calorific basis are not applied to billed energy,"
            " which is gross."
        )
    if units:
        message += f" Send the quantity in {' or '.join(units)}."
    return Failure(CalculationFailureCode.UNIT_MISMATCH, message)


class FactorPool:
    """Factor rows, datasets, configurations and custom factors for one calculation."""

    def __init__(
        self,
        *,
        factor_categories: set[str],
        activity_categories: list[str],
        countries: set[str],
        organization_ids: set[uuid.UUID],
    ) -> None:
        self.memo: dict[tuple[Any, ...], Any] = {}
        self.datasets = {d.id: d for d in EmissionFactorDataset.objects.all()}
        self.factors: dict[tuple[str, str], list[EmissionFactor]] = defaultdict(list)
        rows = EmissionFactor.objects.filter(category__in=factor_categories, country__in=countries)
        for row in rows.select_related("unit", "fuel").order_by("id"):
            row.dataset = self.datasets[row.dataset_id]
            self.factors[(row.category, row.country)].append(row)
        self.configs = {
            (c.organization_id, c.category): c
            for c in OrganizationFactorConfig.objects.filter(
                organization_id__in=organization_ids, category__in=activity_categories
            )
        }
        self.customs: dict[tuple[uuid.UUID, str], list[OrganizationCustomFactor]] = defaultdict(list)
        customs = OrganizationCustomFactor.objects.filter(
            organization_id__in=organization_ids, category__in=activity_categories
        )
        for custom in customs.select_related("unit", "fuel", "supplier").order_by("-valid_from", "-created_at", "id"):
            self.customs[(custom.organization_id, custom.category)].append(custom)

    def allowed_datasets(self, organization_id: uuid.UUID, category: str) -> set[uuid.UUID] | None:
        """The configured dataset, every version of the configured publication, or None (all datasets)."""
        config = self.configs.get((organization_id, category))
        if config is None:
            return None
        if config.dataset_id:
            return {config.dataset_id}
        matching = {
            d.id for d in self.datasets.values() if d.publisher == config.publisher and d.name == config.dataset_name
        }
        if not matching:
            raise Failure(
                CalculationFailureCode.NO_FACTOR,
                f"The {category} configuration asks for {config.publisher} {config.dataset_name}, which is not loaded.",
            )
        return matching

    def rows(
        self,
        factor_category: str,
        *,
        country: str,
        region: str,
        year: int,
        kinds: set[str],
        fuel: str | None,
        allowed: set[uuid.UUID] | None,
    ) -> list[EmissionFactor]:
        """Rows of the country (national or of the region) for `year` or earlier; `fuel` None: any or no fuel."""
        return [
            row
            for row in self.factors.get((factor_category, country), [])
            if row.kind in kinds
            and row.year <= year
            and row.region in ("", region)
            and (fuel is None or (row.fuel is not None and row.fuel.code == fuel))
            and (allowed is None or row.dataset_id in allowed)
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
            and c.calorific_basis in APPLICABLE_BASES
        ]
        return sorted(valid, key=lambda c: (c.fuel_id is None, c.supplier_id is None))
