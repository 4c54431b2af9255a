"""Which factors apply to one invoice, per category and per calendar year of its period (docs/emissions.md).

`plan` splits the billing period by calendar year and gives, for each year part, the factors
("components") the category adds up, each with its own year rule and fallbacks:

- stationary: the fuel's combustion factor (Scope 1), or for purchased heat and steam the DESNZ
  heat-and-steam factor (Scope 2);
- stationary_generation: the fuel's well-to-tank factor (3a), or for purchased heat its WTT (3b)
  plus distribution losses and their WTT (3c);
- electricity: the market-based hierarchy (GHG Protocol Scope 2 Guidance, Table 6.3);
- electricity_location_based: direct emissions of grid generation;
- electricity_generation: WTT of generation (3b);
- electricity_transmission_and_distribution: T&D losses plus the WTT of T&D losses (3c).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from invoicing.choices import PURCHASED_HEAT_FUEL, Scope, scope_of
from invoicing.choices import ActivityCategory as C
from invoicing.errors import CalculationFailureCode
from invoicing.models import FactorBasis, FactorCategory, FactorKind

from .lookup import FactorPool, FactorUse, Failure, best, unreachable
from .units import KWH_PER, SYMBOL, conversion

GOO_DOCUMENT = "GHG Protocol Scope 2 Guidance (2015)"
GOO_LOCATION = "Table 6.3: electricity covered by energy attribute certificates (guarantees of origin) counts 0"


@dataclass(frozen=True)
class InvoiceFacts:
    id: uuid.UUID
    organization_id: uuid.UUID
    type: str
    quantity: Decimal
    unit: str
    kwh_per_m3: Decimal | None
    start_date: date
    end_date: date
    country: str
    region: str
    fuel: str
    supplier_id: Any
    supplier_legal_name: str
    covered_by_goo: bool


@dataclass(frozen=True)
class YearPart:
    """The days of a billing period that fall in one calendar year (both ends included)."""

    year: int
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def split_by_year(start: date, end: date) -> list[YearPart]:
    """[2023-12-15 … 2024-01-14] → [2023: 15-31 Dec (17 days), 2024: 1-14 Jan (14 days)]."""
    parts = []
    while start.year < end.year:
        last = date(start.year, 12, 31)
        parts.append(YearPart(start.year, start, last))
        start = last + timedelta(days=1)
    parts.append(YearPart(start.year, start, end))
    return parts


@dataclass(frozen=True)
class Component:
    """One published factor a category adds up: which rows, its scope, and what to call it in messages."""

    name: str
    category: FactorCategory
    scope: Scope
    what: str
    kind: FactorKind = FactorKind.STANDARD
    of_the_fuel: bool = False  # rows of the invoice's facility fuel only (else rows without a fuel)


F, S, K = FactorCategory, Scope, FactorKind
LOCATION_BASED = Component(
    "grid_generation", F.ELECTRICITY_GENERATION_DIRECT, S.SCOPE_2_LOCATION_BASED, "grid electricity generation"
)
# (category, purchased heat and steam?) → the factors the category adds up
COMPONENTS: dict[tuple[str, bool], tuple[Component, ...]] = {
    (C.STATIONARY, False): (
        Component("combustion", F.FUEL_COMBUSTION, S.SCOPE_1, "fuel combustion", of_the_fuel=True),
    ),
    (C.STATIONARY, True): (
        Component(
            "heat_and_steam", F.HEAT_AND_STEAM, S.SCOPE_2_HEAT_AND_STEAM, "purchased heat and steam", of_the_fuel=True
        ),
    ),
    (C.STATIONARY_GENERATION, False): (
        Component("fuel_wtt", F.FUEL_WTT, S.SCOPE_3_3A, "well-to-tank", of_the_fuel=True),
    ),
    (C.STATIONARY_GENERATION, True): (
        Component(
            "heat_and_steam_wtt",
            F.HEAT_AND_STEAM_WTT,
            S.SCOPE_3_3B,
            "well-to-tank of purchased heat and steam",
            of_the_fuel=True,
        ),
        Component(
            "distribution_losses",
            F.HEAT_AND_STEAM_TD,
            S.SCOPE_3_3C,
            "district heat distribution losses",
            of_the_fuel=True,
        ),
        Component(
            "distribution_losses_wtt",
            F.HEAT_AND_STEAM_WTT,
            S.SCOPE_3_3C,
            "well-to-tank of district heat distribution losses",
            K.DISTRIBUTION_LOSSES_WTT,
            of_the_fuel=True,
        ),
    ),
    (C.ELECTRICITY_LOCATION_BASED, False): (LOCATION_BASED,),
    (C.ELECTRICITY_GENERATION, False): (
        Component(
            "grid_generation_wtt",
            F.ELECTRICITY_WTT_GENERATION,
            S.SCOPE_3_3B,
            "well-to-tank of grid electricity generation",
        ),
    ),
    (C.ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION, False): (
        Component("td_losses", F.ELECTRICITY_TD_LOSSES, S.SCOPE_3_3C, "T&D losses"),
        Component("td_losses_wtt", F.ELECTRICITY_WTT_TD, S.SCOPE_3_3C, "well-to-tank of T&D losses"),
    ),
}
MARKET_CATEGORIES = {F.SUPPLIER_MIX, F.RESIDUAL_MIX}


def components(category: str, fuel: str) -> tuple[Component, ...]:
    """The factors that `category` adds up for an invoice of `fuel` (its facility fuel code, if any)."""
    heat = category in (C.STATIONARY, C.STATIONARY_GENERATION) and fuel == PURCHASED_HEAT_FUEL
    return COMPONENTS[(category, heat)]


def factor_categories(category: str) -> set[str]:
    """The factor categories a calculation of `category` reads (for the pool)."""
    if category == C.ELECTRICITY:
        return {*MARKET_CATEGORIES, LOCATION_BASED.category}
    return {c.category for (of, _), parts in COMPONENTS.items() if of == category for c in parts}


def plan(pool: FactorPool, category: str, facts: InvoiceFacts) -> list[tuple[YearPart, list[FactorUse]]]:
    """The year parts of the invoice's period, each with the factors applied to it; raises Failure."""
    if category in (C.STATIONARY, C.STATIONARY_GENERATION) and not facts.fuel:
        raise Failure(
            CalculationFailureCode.NO_FUEL, "The heat invoice has no facility fuel, so no fuel factor applies."
        )
    if facts.type == "electricity" and facts.unit not in KWH_PER:
        unit = SYMBOL.get(facts.unit, facts.unit)
        raise Failure(
            CalculationFailureCode.UNIT_MISMATCH, f"An electricity quantity in {unit} is not an amount of energy."
        )
    custom = None if category == C.ELECTRICITY and facts.covered_by_goo else custom_use(pool, category, facts)
    parts = []
    for part in split_by_year(facts.start_date, facts.end_date):
        if custom is not None:
            uses = [custom]
        elif category == C.ELECTRICITY:
            uses = [
                guarantee_of_origin(pool, facts, part.year)
                if facts.covered_by_goo
                else market_based(pool, facts, part.year)
            ]
        else:
            uses = [
                resolve(pool, facts, category, component, part.year) for component in components(category, facts.fuel)
            ]
        parts.append((part, uses))
    return parts


def resolve(pool: FactorPool, facts: InvoiceFacts, category: str, component: Component, year: int) -> FactorUse:
    """The published factor of one component for `year` or the nearest earlier year (recorded)."""
    key = (
        "resolve",
        facts.organization_id,
        facts.country,
        facts.region,
        facts.unit,
        facts.fuel,
        facts.kwh_per_m3,
        category,
        component,
        year,
    )
    if key not in pool.memo:
        allowed = pool.allowed_datasets(facts.organization_id, category)
        fuel = facts.fuel if component.of_the_fuel else None
        rows = pool.rows(
            component.category,
            country=facts.country,
            region=facts.region,
            year=year,
            kinds={component.kind},
            fuel=fuel,
            allowed=allowed,
        )
        found = best(rows, unit=facts.unit, fuel=facts.fuel, kwh_per_m3=facts.kwh_per_m3)
        if found is None:
            if rows:
                raise unreachable(rows, unit=facts.unit, fuel=facts.fuel, what=component.what)
            of_fuel = f" for {fuel}" if fuel else ""
            raise Failure(
                CalculationFailureCode.NO_FACTOR,
                f"No {component.what} factor{of_fuel} in {facts.country} for {year} or an earlier year: no loaded "
                "dataset publishes one (docs/emissions.md: Known gaps).",
            )
        row, step = found
        pool.memo[key] = FactorUse.of_row(
            row, step, component=component.name, scope=component.scope, rung="dataset", year=year
        )
    return pool.memo[key]  # type: ignore[no-any-return]


def custom_use(pool: FactorPool, category: str, facts: InvoiceFacts) -> FactorUse | None:
    """The organization's own factor valid for the whole period, if any (it replaces every component)."""
    customs = pool.custom_for(
        facts.organization_id,
        category,
        start=facts.start_date,
        end=facts.end_date,
        fuel=facts.fuel,
        supplier_id=facts.supplier_id,
    )
    for custom in customs:
        step = conversion(facts.unit, custom.unit.code, fuel=facts.fuel, kwh_per_m3=facts.kwh_per_m3)
        if step is not None:
            validity = f"valid {custom.valid_from} to {custom.valid_to or 'open'}"
            return FactorUse(
                "custom_factor",
                scope_of(category, facts.fuel),
                custom.kg_co2e,
                custom.unit.code,
                step,
                FactorBasis.CO2E,
                "custom_factor",
                custom=custom,
                source_document=f"Organization custom factor ({validity})",
                source_location=custom.evidence,
            )
    return None


def guarantee_of_origin(pool: FactorPool, facts: InvoiceFacts, year: int) -> FactorUse:
    """GoO-covered supply counts 0; the country's renewable-GoO row is cited when a dataset prints one."""
    allowed = pool.allowed_datasets(facts.organization_id, C.ELECTRICITY)
    rows = pool.rows(
        FactorCategory.SUPPLIER_MIX,
        country=facts.country,
        region=facts.region,
        year=year,
        kinds={FactorKind.RENEWABLE_GOO},
        fuel=None,
        allowed=allowed,
    )
    found = best(rows, unit=facts.unit, fuel="", kwh_per_m3=None)
    if found is not None:
        row, step = found
        return FactorUse.of_row(
            row,
            step,
            component="guarantee_of_origin",
            scope=Scope.SCOPE_2_MARKET_BASED,
            rung="guarantee_of_origin",
            year=year,
        )
    to_kwh = conversion(facts.unit, "kwh")
    assert to_kwh is not None  # electricity units are energy units (checked in plan)
    return FactorUse(
        "guarantee_of_origin",
        Scope.SCOPE_2_MARKET_BASED,
        Decimal(0),
        "kwh",
        to_kwh,
        FactorBasis.CO2E,
        "guarantee_of_origin",
        source_document=GOO_DOCUMENT,
        source_location=GOO_LOCATION,
    )


def market_based(pool: FactorPool, facts: InvoiceFacts, year: int) -> FactorUse:
    """Supplier factor → residual mix of the country → grid average (recorded as a fallback).

    The hierarchy year is the latest year ≤ `year` for which the best-ranked dataset with market rows
    for the country publishes any; the supplier must be listed for that year, otherwise the residual
    mix applies (MITECO: "Mix sin GdO" also for unlisted suppliers and several suppliers).
    """
    key = ("market", facts.organization_id, facts.country, facts.region, facts.unit, facts.supplier_legal_name, year)
    if key in pool.memo:
        return pool.memo[key]  # type: ignore[no-any-return]
    allowed = pool.allowed_datasets(facts.organization_id, C.ELECTRICITY)
    market = ((FactorCategory.SUPPLIER_MIX, FactorKind.SUPPLIER), (FactorCategory.RESIDUAL_MIX, FactorKind.STANDARD))
    rows = [
        row
        for category, kind in market
        for row in pool.rows(
            category, country=facts.country, region=facts.region, year=year, kinds={kind}, fuel=None, allowed=allowed
        )
    ]
    use = None
    if rows:
        rank = min(row.dataset.rank for row in rows)
        hierarchy_year = max(row.year for row in rows if row.dataset.rank == rank)
        in_year = [row for row in rows if row.dataset.rank == rank and row.year == hierarchy_year]
        name = facts.supplier_legal_name.strip().upper()
        suppliers = [r for r in in_year if r.kind == FactorKind.SUPPLIER and name and r.item.strip().upper() == name]
        residual = [r for r in in_year if r.category == FactorCategory.RESIDUAL_MIX]
        for rung, candidates in (("supplier", suppliers), ("residual_mix", residual)):
            found = best(candidates, unit=facts.unit, fuel="", kwh_per_m3=None)
            if found is not None:
                row, step = found
                use = FactorUse.of_row(
                    row, step, component=rung, scope=Scope.SCOPE_2_MARKET_BASED, rung=rung, year=year
                )
                break
    if use is None:
        grid = resolve(pool, facts, C.ELECTRICITY_LOCATION_BASED, LOCATION_BASED, year)
        reason = f"no supplier factor or residual mix for {facts.country} in {year} or earlier"
        use = replace(
            grid,
            component="grid_average",
            scope=Scope.SCOPE_2_MARKET_BASED,
            rung="grid_average",
            fallbacks=[*grid.fallbacks, {"type": "grid_average", "reason": reason}],
        )
    pool.memo[key] = use
    return use


def energy_kwh(facts: InvoiceFacts) -> tuple[Decimal, str]:
    """The energy category: the quantity in kWh (gross), with the conversion used; raises Failure."""
    step = conversion(facts.unit, "kwh", fuel=facts.fuel, kwh_per_m3=facts.kwh_per_m3)
    if step is None:
        what = f" of {facts.fuel}" if facts.fuel else ""
        message = f"No sourced calorific value converts {SYMBOL.get(facts.unit, facts.unit)}{what} to kWh."
        if facts.fuel == "natural_gas" and facts.unit == "m3":
            message += " Send the bill's conversion factor in kWh/m³ as kwh_per_m3, or the quantity in kWh."
        raise Failure(CalculationFailureCode.NO_CALORIFIC_VALUE, message)
    return step.apply(facts.quantity), step.description
