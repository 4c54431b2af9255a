"""The calculator the recalculation jobs call: one category for a set of invoices, in the caller's transaction.

Reads in a constant number of queries, chooses factors in Python (formulas.py), then writes with
set-based SQL: one DELETE of stale rows, one INSERT … ON CONFLICT for the results, and one statement
refreshing what is kept from them (figures.py: the invoices' co2e, total_energy_kwh, counts and failure
codes, and their months for the inventory). Never changes an invoice's status.

An invoice that fails for the category loses its previous row for that category, so that its stored
numbers never mix configurations; the failure and its reason are returned to the caller.

Arithmetic (docs/emissions.md, "Rounding"): a period spanning calendar years is split by days, each
part's quantity rounded to 8 decimals (the last part takes the remainder, so the parts add up to the
invoice's quantity); each factor's quantity in its unit is rounded to 8 decimals and its kg to 6,
half to even; a part's kg and the row's kg are sums of those rounded figures.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from invoicing.choices import CATEGORY_INVOICE_TYPES, ActivityCategory, scope_of
from invoicing.errors import CalculationFailureCode
from invoicing.models import EmissionBasis, FactorBasis, Invoice, InvoiceCalculationFailure
from invoicing.models.functions import id_in_array

from .figures import invoice_figures_refresh
from .formulas import InvoiceFacts, YearPart, energy_kwh, factor_categories, plan
from .lookup import FactorPool, FactorUse, Failure
from .result import CalculationResult, InvoiceFailure
from .units import SYMBOL

KG = Decimal("0.000001")  # InvoiceEmission.kg_co2e has 6 decimals
QUANTITY = Decimal("0.00000001")  # InvoiceEmission.quantity has 8 decimals
JOIN = " | "  # between the differing texts of a row's factors
EXACT = Context(prec=80)  # products of a quantity (24 digits) and a factor (25 digits) are exact
# Stored once per row when the row has a single factor; the API repeats them in that factor's entry.
ROW_LEVEL = (
    "conversion",
    "calorific_basis",
    "dataset_publisher",
    "dataset_name",
    "dataset_version",
    "source_document",
    "source_location",
)
COLUMNS = (
    ("invoice_id", "uuid"),
    ("scope", "text"),
    ("kg_co2e", "numeric"),
    ("kwh", "numeric"),
    ("biogenic_co2_kg", "numeric"),
    ("quantity", "numeric"),
    ("quantity_unit", "text"),
    ("conversion", "text"),
    ("factor_value", "numeric"),
    ("factor_unit", "text"),
    ("basis", "text"),
    ("factor_id", "uuid"),
    ("custom_factor_id", "uuid"),
    ("calorific_basis", "text"),
    ("dataset_publisher", "text"),
    ("dataset_name", "text"),
    ("dataset_version", "text"),
    ("source_document", "text"),
    ("source_location", "text"),
    ("factor_year", "smallint"),
    ("factor_rung", "text"),
    ("fallbacks", "jsonb"),
    ("year_parts", "jsonb"),
)


def calculate_invoices(
    *, invoice_ids: Iterable[uuid.UUID | str], category: str, job_id: uuid.UUID | None = None
) -> CalculationResult:
    """Calculate `category` for the invoices and store the results; per-invoice failures are returned.

    Shapes: ids are invoice UUIDs; the result lists the ids that succeeded and an InvoiceFailure
    (invoice id, CalculationFailureCode, message) per invoice that did not. Units and sources of
    every stored figure: docs/emissions.md.
    """
    if category not in ActivityCategory.values:
        raise ValueError(f"unknown activity category {category!r}")
    ids = sorted({uuid.UUID(str(i)) for i in invoice_ids})
    facts = _load_facts(ids)
    result = CalculationResult()
    for missing in (i for i in ids if i not in facts):
        result.failures.append(InvoiceFailure(missing, CalculationFailureCode.NOT_FOUND, "The invoice does not exist."))
    applicable = {i: f for i, f in facts.items() if f.type in CATEGORY_INVOICE_TYPES[category]}
    for invoice_id, fact in facts.items():
        if invoice_id not in applicable:
            message = f"The {category} category does not apply to {fact.type} invoices."
            result.failures.append(
                InvoiceFailure(invoice_id, CalculationFailureCode.ACTIVITY_CATEGORY_MISMATCH, message)
            )
    pool = None
    if applicable and category != ActivityCategory.ENERGY:
        activity_categories = [category, ActivityCategory.ELECTRICITY_LOCATION_BASED]
        pool = FactorPool(
            factor_categories=factor_categories(category),
            activity_categories=activity_categories,
            countries={f.country for f in applicable.values()},
            organization_ids={f.organization_id for f in applicable.values()},
        )
    rows: list[tuple[Any, ...]] = []
    for invoice_id, fact in applicable.items():
        try:
            rows.append(
                _energy_row(fact) if pool is None else _emission_row(fact, category, plan(pool, category, fact))
            )
            result.succeeded_ids.append(invoice_id)
        except Failure as exc:
            result.failures.append(InvoiceFailure(invoice_id, exc.code, exc.message))
    result.failures.sort(key=lambda f: f.invoice_id)
    _write(category, rows, [f for f in result.failures if f.invoice_id in facts], list(facts), job_id)
    return result


def _load_facts(ids: list[uuid.UUID]) -> dict[uuid.UUID, InvoiceFacts]:
    """One query; locks the invoices (in id order) so that concurrent categories refresh co2e in turn."""
    rows = (
        Invoice.objects.select_for_update(of=("self",))
        .filter(id_in_array(ids))
        .order_by("id")
        .values(
            "id",
            "organization_id",
            "type",
            "quantity",
            "unit__code",
            "kwh_per_m3",
            "start_date",
            "end_date",
            "facility__country",
            "facility__region",
            "facility_fuel__fuel__code",
            "supplier_id",
            "supplier__legal_name",
            "supply_contract__supplier_id",
            "supply_contract__supplier__legal_name",
            "supply_contract__covered_by_guarantees_of_origin",
        )
    )
    facts = {}
    for row in rows:
        supplier_id = row["supplier_id"] or row["supply_contract__supplier_id"]
        legal_name = row["supplier__legal_name"] or row["supply_contract__supplier__legal_name"] or ""
        facts[row["id"]] = InvoiceFacts(
            id=row["id"],
            organization_id=row["organization_id"],
            type=row["type"],
            quantity=row["quantity"],
            unit=row["unit__code"],
            kwh_per_m3=row["kwh_per_m3"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            country=row["facility__country"],
            region=row["facility__region"] or "",
            fuel=row["facility_fuel__fuel__code"] or "",
            supplier_id=supplier_id,
            supplier_legal_name=legal_name,
            covered_by_goo=bool(row["supply_contract__covered_by_guarantees_of_origin"]),
        )
    return facts


def _times(quantity: Decimal, per_unit: Decimal, step: Decimal) -> Decimal:
    """quantity x per_unit, exact, then rounded half to even to `step`."""
    return EXACT.multiply(quantity, per_unit).quantize(step, ROUND_HALF_EVEN)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _split_quantity(quantity: Decimal, parts: list[YearPart]) -> list[Decimal]:
    """The quantity shared by days; the last part takes the remainder so that the parts add up exactly."""
    total_days = sum(part.days for part in parts)
    shares = [_times(quantity, Decimal(part.days) / Decimal(total_days), QUANTITY) for part in parts[:-1]]
    return [*shares, quantity - sum(shares, Decimal(0))]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _factor_entry(
    use: FactorUse, quantity: Decimal, *, single: bool
) -> tuple[dict[str, Any], Decimal, Decimal | None, Decimal]:
    """One factor applied to one year part: its JSON record, kg, biogenic kg and quantity in its unit.

    The record of a row's only factor leaves out the texts the row holds (ROW_LEVEL).
    """
    in_unit = _times(quantity, use.conversion.multiplier, QUANTITY)
    kg = _times(in_unit, use.value, KG)
    per_unit = use.biogenic_per_unit
    biogenic = None if per_unit is None else _times(in_unit, per_unit, KG)
    dataset = use.dataset
    entry = {
        "component": use.component,
        "scope": use.scope,
        "quantity": _text(in_unit),
        "quantity_unit": SYMBOL[use.unit],
        "conversion": use.conversion.description,
        "factor_value": _text(use.value),
        "factor_unit": _factor_unit(use.basis, use.unit),
        "basis": use.basis,
        "calorific_basis": _calorific_basis(use),
        "factor_year": use.year,
        "factor_rung": use.rung,
        "fallbacks": use.fallbacks,
        "kg_co2e": _text(kg),
        "biogenic_co2_kg": _text(biogenic),
        "dataset_publisher": dataset.publisher if dataset else "",
        "dataset_name": dataset.name if dataset else "",
        "dataset_version": dataset.version if dataset else "",
        "source_document": use.source_document,
        "source_location": use.source_location,
        "factor_id": str(use.factor.id) if use.factor is not None else None,
        "custom_factor_id": str(use.custom.id) if use.custom is not None else None,
    }
    if single:
        for name in ROW_LEVEL:
            del entry[name]
    return entry, kg, biogenic, in_unit


def _calorific_basis(use: FactorUse) -> str:
    source = use.factor or use.custom
    return source.calorific_basis if source is not None else ""


def _factor_unit(basis: str, unit: str) -> str:
    return f"kg {'CO2' if basis == FactorBasis.CO2_ONLY else 'CO2e'}/{SYMBOL[unit]}"


def _emission_row(
    fact: InvoiceFacts, category: str, planned: list[tuple[YearPart, list[FactorUse]]]
) -> tuple[Any, ...]:
    parts = [part for part, _ in planned]
    uses = [use for _, part_uses in planned for use in part_uses]
    units = {use.unit for use in uses}
    single = uses[0] if len(uses) == 1 else None
    year_parts, kg_total, biogenic_total, quantity_total = [], Decimal(0), None, Decimal(0)
    for (part, part_uses), quantity in zip(planned, _split_quantity(fact.quantity, parts), strict=True):
        entries, part_kg, part_biogenic = [], Decimal(0), None
        for use in part_uses:
            entry, kg, biogenic, in_unit = _factor_entry(use, quantity, single=single is not None)
            entries.append(entry)
            part_kg += kg
            if biogenic is not None:
                part_biogenic = (part_biogenic or Decimal(0)) + biogenic
        quantity_total += in_unit  # the same quantity for every factor of the part when they share a unit
        kg_total += part_kg
        if part_biogenic is not None:
            biogenic_total = (biogenic_total or Decimal(0)) + part_biogenic
        year_parts.append(
            {
                "year": part.year,
                "start_date": part.start.isoformat(),
                "end_date": part.end.isoformat(),
                "days": part.days,
                "quantity": _text(quantity),
                "quantity_unit": SYMBOL.get(fact.unit, fact.unit),
                "kg_co2e": _text(part_kg),
                "biogenic_co2_kg": _text(part_biogenic),
                "factors": entries,
            }
        )
    [unit] = units if len(units) == 1 else [None]
    bases = {use.basis for use in uses}
    basis = EmissionBasis.MIXED if len(bases) > 1 else EmissionBasis(bases.pop())
    factor_value = None
    if len(planned) == 1 and unit is not None:
        factor_value = sum((use.value for use in planned[0][1]), Decimal(0))
    years = {use.year for use in uses}
    datasets = [use.dataset for use in uses if use.dataset is not None]
    calorific = {_calorific_basis(use) for use in uses}
    fallbacks = [json.loads(text) for text in _unique(json.dumps(f, sort_keys=True) for u in uses for f in u.fallbacks)]
    return (
        fact.id,
        scope_of(category, fact.fuel),
        kg_total,
        None,
        biogenic_total,
        quantity_total if unit is not None else fact.quantity,
        SYMBOL[unit] if unit is not None else SYMBOL.get(fact.unit, fact.unit),
        _conversion_text(
            fact, parts, year_parts, quantity_total, unit, _unique(u.conversion.description for u in uses)
        ),
        factor_value,
        _factor_unit(FactorBasis.CO2_ONLY if basis == EmissionBasis.CO2_ONLY else FactorBasis.CO2E, unit)
        if unit
        else "",
        basis.value,
        single.factor.id if single is not None and single.factor is not None else None,
        single.custom.id if single is not None and single.custom is not None else None,
        calorific.pop() if len(calorific) == 1 else "",
        JOIN.join(_unique(d.publisher for d in datasets)),
        JOIN.join(_unique(d.name for d in datasets)),
        JOIN.join(_unique(d.version for d in datasets)),
        JOIN.join(_unique(u.source_document for u in uses)),
        JOIN.join(_unique(u.source_location for u in uses)),
        years.pop() if len(years) == 1 else None,
        "+".join(_unique(u.rung for u in uses)),
        fallbacks,
        year_parts,
    )


def _energy_row(fact: InvoiceFacts) -> tuple[Any, ...]:
    kwh, description = energy_kwh(fact)
    quantity = kwh.quantize(QUANTITY, ROUND_HALF_EVEN)
    conversion = _conversion_text(fact, [], [], quantity, "kwh", [description] if description else [])
    basis = "gross" if fact.type == "heat" else ""
    return (
        fact.id,
        "",
        None,
        quantity.quantize(KG, ROUND_HALF_EVEN),
        None,
        quantity,
        "kWh",
        conversion,
        None,
        "",
        "",
        None,
        None,
        basis,
        "",
        "",
        "",
        "",
        "",
        None,
        "energy",
        [],
        [],
    )


def _conversion_text(
    fact: InvoiceFacts,
    parts: list[YearPart],
    year_parts: list[dict[str, Any]],
    quantity: Decimal,
    unit: str | None,
    descriptions: list[str],
) -> str:
    """`1000 m³ → 11000 kWh (m³→kWh: x 11 kWh/m³ …)`; a period over two years says how it was split."""
    original = f"{fact.quantity.normalize():f} {SYMBOL.get(fact.unit, fact.unit)}"
    if len(parts) > 1:
        total = sum(part.days for part in parts)
        shares = "; ".join(
            f"{p['year']}: {p['days']} of {total} days, {p['quantity']} {p['quantity_unit']}" for p in year_parts
        )
        original = f"{original} split by calendar year ({shares})"
    how = f" ({'; '.join(descriptions)})" if descriptions else ""
    if unit is None:
        return f"{original}{how}"
    if not descriptions and len(parts) <= 1:
        return f"{original} (no conversion)"
    return f"{original} → {quantity.normalize():f} {SYMBOL[unit]}{how}"


def _write(
    category: str,
    rows: list[tuple[Any, ...]],
    failures: list[InvoiceFailure],
    touched_ids: list[uuid.UUID],
    job_id: uuid.UUID | None,
) -> None:
    """Store the outcome of each invoice: its row, or (replacing any row) the reason it has none."""
    now = timezone.now()
    failed_ids = [failure.invoice_id for failure in failures]
    # A category that does not apply to the invoice's type says nothing about the invoice's numbers.
    recorded = [f for f in failures if f.code != CalculationFailureCode.ACTIVITY_CATEGORY_MISMATCH]
    failure_table = InvoiceCalculationFailure._meta.db_table
    with connection.cursor() as cursor:
        if failed_ids:
            cursor.execute(
                "DELETE FROM invoicing_invoiceemission WHERE category = %s AND invoice_id = ANY(%s::uuid[])",
                [category, failed_ids],
            )
        cursor.execute(
            f"DELETE FROM {failure_table} WHERE category = %s AND invoice_id = ANY(%s::uuid[]) "
            "AND NOT invoice_id = ANY(%s::uuid[])",
            [category, touched_ids, [f.invoice_id for f in recorded]],
        )
        if recorded:
            cursor.execute(
                f"INSERT INTO {failure_table} (invoice_id, category, code, message, failed_at, job_id) "
                "SELECT u.invoice_id, %s, u.code, u.message, %s, %s "
                "FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS u(invoice_id, code, message) "
                "ON CONFLICT (invoice_id, category) DO UPDATE SET code = EXCLUDED.code, "
                "message = EXCLUDED.message, failed_at = EXCLUDED.failed_at, job_id = EXCLUDED.job_id",
                [
                    category,
                    now,
                    job_id,
                    [f.invoice_id for f in recorded],
                    [str(f.code) for f in recorded],
                    [f.message for f in recorded],
                ],
            )
        if rows:
            # One JSON document (decimals and UUIDs as exact strings) rather than an array per column:
            # quoting text arrays element by element was a third of the time of a chunk.
            names = [name for name, _ in COLUMNS]
            document = json.dumps([dict(zip(names, row, strict=True)) for row in rows], default=str)
            record = ", ".join(f"{name} {sql_type}" for name, sql_type in COLUMNS)
            updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in [*names[1:], "calculated_at", "job_id"])
            cursor.execute(
                f"""
                INSERT INTO invoicing_invoiceemission (category, calculated_at, job_id, {", ".join(names)})
                SELECT %s, %s, %s, {", ".join(f"u.{name}" for name in names)}
                FROM jsonb_to_recordset(%s::jsonb) AS u({record})
                ON CONFLICT (invoice_id, category) DO UPDATE SET {updates}
                """,
                [category, now, job_id, document],
            )
    if touched_ids:
        invoice_figures_refresh(invoice_ids=touched_ids, now=now)
