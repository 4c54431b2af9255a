"""Per-category choice of factor for one invoice (domain.md §2; docs/emissions.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from invoicing.choices import ActivityCategory as C
from invoicing.errors import CalculationFailureCode

from .lookup import Choice, FactorPool, LookupError_, from_datasets, year_fallback
from .units import KWH_PER, SYMBOL, conversion

GOO_SOURCE = "GHG Protocol Scope 2 Guidance, Table 6.3: electricity covered by guarantees of origin → 0"
STANDARD_KINDS: dict[str, set[str]] = {
    C.STATIONARY: {"standard"},
    C.STATIONARY_GENERATION: {"standard"},
    C.ELECTRICITY_LOCATION_BASED: {"grid_average"},
    C.ELECTRICITY_GENERATION: {"standard"},
    # WTT of T&D rows (kind wtt_td) are stored but not added: the category is kWh x T&D factor.
    C.ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION: {"standard"},
}
NEEDS_FUEL = {C.STATIONARY, C.STATIONARY_GENERATION}
ELECTRICITY_CATEGORIES = {
    C.ELECTRICITY,
    C.ELECTRICITY_LOCATION_BASED,
    C.ELECTRICITY_GENERATION,
    C.ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION,
}


@dataclass(frozen=True)
class InvoiceFacts:
    id: uuid.UUID
    organization_id: uuid.UUID
    type: str
    quantity: Decimal
    unit: str
    start_date: date
    end_date: date
    country: str
    region: str
    fuel: str
    supplier_id: Any
    supplier_legal_name: str
    covered_by_goo: bool

    @property
    def year(self) -> int:
        """The year rule uses the year in which the invoice period starts."""
        return self.start_date.year


def no_factor(category: str, facts: InvoiceFacts, what: str = "") -> LookupError_:
    subject = f" for {what}" if what else ""
    return LookupError_(
        CalculationFailureCode.NO_FACTOR,
        f"No {category} factor{subject} in {facts.country} for {facts.year} or an earlier year.",
    )


def choose(pool: FactorPool, category: str, facts: InvoiceFacts) -> Choice:
    if category in NEEDS_FUEL and not facts.fuel:
        raise LookupError_(
            CalculationFailureCode.NO_FUEL, "The heat invoice has no facility fuel, so no fuel factor applies."
        )
    if category in ELECTRICITY_CATEGORIES and facts.unit not in KWH_PER:
        unit = SYMBOL.get(facts.unit, facts.unit)
        raise LookupError_(
            CalculationFailureCode.UNIT_MISMATCH, f"An electricity quantity in {unit} is not an amount of energy."
        )
    if category == C.ELECTRICITY and facts.covered_by_goo:
        return guarantee_of_origin(pool, facts)
    custom = custom_choice(pool, category, facts)
    if custom is not None:
        return custom
    if category == C.ELECTRICITY:
        # Invoices of one site and year share the answer; the hierarchy scans a few hundred rows.
        key = (facts.organization_id, facts.country, facts.region, facts.year, facts.unit, facts.supplier_legal_name)
        if key not in pool.memo:
            pool.memo[key] = market_based(pool, facts)
        return pool.memo[key]
    rows = pool.rows(category, facts.country, facts.region, STANDARD_KINDS[category])
    if category in NEEDS_FUEL:
        rows = [r for r in rows if r.fuel is not None and r.fuel.code == facts.fuel]
    datasets = pool.datasets_for(facts.organization_id, category)
    found = from_datasets(
        pool, datasets, rows, year=facts.year, invoice_unit=facts.unit, fuel=facts.fuel, region=facts.region
    )
    if found is None:
        unit_problem([r for r in rows if r.dataset_id in {d.id for d in datasets}], facts)
        raise no_factor(category, facts, facts.fuel)
    row, step, year = found
    return Choice(row.kg_co2e, row.unit.code, step, factor=row, fallbacks=year_fallback(facts.year, year))


def unit_problem(rows: list[Any], facts: InvoiceFacts) -> None:
    """A factor exists for the period but in a unit the invoice's quantity cannot be converted to."""
    units = sorted({r.unit.code for r in rows if r.year <= facts.year})
    if units:
        readable = ", ".join(SYMBOL[u] for u in units)
        raise LookupError_(
            CalculationFailureCode.UNIT_MISMATCH,
            f"The quantity in {SYMBOL.get(facts.unit, facts.unit)} cannot be converted to the factor's unit "
            f"({readable}){' for ' + facts.fuel if facts.fuel else ''}.",
        )


def custom_choice(pool: FactorPool, category: str, facts: InvoiceFacts) -> Choice | None:
    customs = pool.custom_for(
        facts.organization_id,
        category,
        start=facts.start_date,
        end=facts.end_date,
        fuel=facts.fuel,
        supplier_id=facts.supplier_id,
    )
    for custom in customs:
        step = conversion(facts.unit, custom.unit.code, fuel=facts.fuel)
        if step is not None:
            return Choice(custom.kg_co2e, custom.unit.code, step, custom=custom, rung="custom_factor")
    return None


def guarantee_of_origin(pool: FactorPool, facts: InvoiceFacts) -> Choice:
    """GoO-covered supply counts 0; the country's renewable-GoO row is cited when a dataset has one."""
    rows = pool.rows(C.ELECTRICITY, facts.country, facts.region, {"renewable_goo"})
    datasets = pool.datasets_for(facts.organization_id, C.ELECTRICITY)
    found = from_datasets(pool, datasets, rows, year=facts.year, invoice_unit=facts.unit, fuel="", region=facts.region)
    if found is not None:
        row, step, year = found
        return Choice(row.kg_co2e, row.unit.code, step, factor=row, rung="guarantee_of_origin",
                      fallbacks=year_fallback(facts.year, year))  # fmt: skip
    to_kwh = conversion(facts.unit, "kwh")
    assert to_kwh is not None  # electricity units are energy units (checked in choose)
    return Choice(Decimal(0), "kwh", to_kwh, rung="guarantee_of_origin", source=GOO_SOURCE)


def market_based(pool: FactorPool, facts: InvoiceFacts) -> Choice:
    """Supplier factor of the year → residual mix of the country → grid average (recorded as a fallback).

    The hierarchy year is the invoice's year if the dataset publishes market rows for it, else the
    latest earlier year it does; the supplier must be listed for that year, otherwise the residual
    mix applies (MITECO: "Mix sin GdO" also for unlisted suppliers).
    """
    market = pool.rows(C.ELECTRICITY, facts.country, facts.region, {"supplier", "residual_mix"})
    for dataset in pool.datasets_for(facts.organization_id, C.ELECTRICITY):
        rows = [r for r in market if r.dataset_id == dataset.id and r.year <= facts.year]
        if not rows:
            continue
        year = max(r.year for r in rows)
        fallbacks = year_fallback(facts.year, year)
        name = facts.supplier_legal_name.strip().upper()
        for kind, rung in (("supplier", "supplier"), ("residual_mix", "residual_mix")):
            if kind == "supplier" and not name:
                continue
            candidates = [r for r in rows if r.year == year and r.kind == kind]
            if kind == "supplier":
                candidates = [r for r in candidates if r.supplier_name.strip().upper() == name]
            if candidates:
                row = min(candidates, key=lambda r: (r.region == "", r.unit.code != facts.unit, str(r.id)))
                step = conversion(facts.unit, row.unit.code)
                assert step is not None
                return Choice(row.kg_co2e, row.unit.code, step, factor=row, rung=rung, fallbacks=fallbacks)
    grid = grid_average_choice(pool, facts)
    reason = f"no supplier factor or residual mix for {facts.country} in {facts.year} or earlier"
    return Choice(
        grid.kg_per_unit, grid.unit, grid.conversion, factor=grid.factor, rung="grid_average",
        fallbacks=[*grid.fallbacks, {"type": "grid_average", "reason": reason}],
    )  # fmt: skip


def grid_average_choice(pool: FactorPool, facts: InvoiceFacts) -> Choice:
    category = C.ELECTRICITY_LOCATION_BASED
    rows = pool.rows(category, facts.country, facts.region, {"grid_average"})
    datasets = pool.datasets_for(facts.organization_id, category)
    found = from_datasets(pool, datasets, rows, year=facts.year, invoice_unit=facts.unit, fuel="", region=facts.region)
    if found is None:
        raise LookupError_(
            CalculationFailureCode.NO_FACTOR,
            f"No electricity factor in {facts.country} for {facts.year} or earlier: no supplier factor, "
            "no residual mix and no grid average.",
        )
    row, step, year = found
    return Choice(row.kg_co2e, row.unit.code, step, factor=row, fallbacks=year_fallback(facts.year, year))


def energy_kwh(facts: InvoiceFacts) -> tuple[Decimal, str]:
    """The energy category: the quantity in kWh (gross), with the conversion used."""
    step = conversion(facts.unit, "kwh", fuel=facts.fuel)
    if step is None:
        what = f" of {facts.fuel}" if facts.fuel else ""
        raise LookupError_(
            CalculationFailureCode.NO_CALORIFIC_VALUE,
            f"No sourced calorific value converts {SYMBOL.get(facts.unit, facts.unit)}{what} to kWh.",
        )
    return step.apply(facts.quantity), step.description
