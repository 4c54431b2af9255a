"""The calculator the recalculation jobs call: one category for a set of invoices, in the caller's transaction.

Reads in a constant number of queries, chooses factors in Python (formulas.py), then writes with
set-based SQL: one DELETE of stale rows, one INSERT … ON CONFLICT for the results and one
UPDATE … FROM refreshing the invoices' co2e and total_energy_kwh. Never changes an invoice's status.

An invoice that fails for the category loses its previous row for that category, so that its stored
numbers never mix configurations; the failure and its reason are returned to the caller.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from invoicing.choices import CATEGORIES_OUTSIDE_CO2E, CATEGORY_INVOICE_TYPES, ActivityCategory
from invoicing.errors import CalculationFailureCode
from invoicing.models import Invoice
from invoicing.models.functions import id_in_array

from .formulas import InvoiceFacts, choose, energy_kwh
from .lookup import Choice, FactorPool, LookupError_
from .result import CalculationResult, InvoiceFailure
from .units import SYMBOL

KG = Decimal("0.000001")  # InvoiceEmission.kg_co2e has 6 decimals
QUANTITY = Decimal("0.00000001")  # InvoiceEmission.quantity has 8 decimals
COLUMNS = (
    ("invoice_id", "uuid"),
    ("kg_co2e", "numeric"),
    ("biogenic_co2_kg", "numeric"),
    ("quantity", "numeric"),
    ("quantity_unit", "text"),
    ("conversion", "text"),
    ("factor_value", "numeric"),
    ("factor_unit", "text"),
    ("factor_source", "text"),
    ("factor_id", "uuid"),
    ("custom_factor_id", "uuid"),
    ("calorific_basis", "text"),
    ("dataset_publisher", "text"),
    ("dataset_name", "text"),
    ("dataset_version", "text"),
    ("factor_year", "smallint"),
    ("factor_rung", "text"),
    ("fallbacks", "text"),
)


def calculate_invoices(
    *, invoice_ids: Iterable[uuid.UUID | str], category: str, job_id: uuid.UUID | None = None
) -> CalculationResult:
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
        pool = FactorPool(
            categories=[category, ActivityCategory.ELECTRICITY_LOCATION_BASED],
            countries={f.country for f in applicable.values()},
            organization_ids={f.organization_id for f in applicable.values()},
        )
    rows: list[tuple[Any, ...]] = []
    for invoice_id, fact in applicable.items():
        try:
            rows.append(_energy_row(fact) if pool is None else _emission_row(fact, choose(pool, category, fact)))
            result.succeeded_ids.append(invoice_id)
        except LookupError_ as exc:
            result.failures.append(InvoiceFailure(invoice_id, exc.code, exc.message))
    result.failures.sort(key=lambda f: f.invoice_id)
    _write(category, rows, [f.invoice_id for f in result.failures if f.invoice_id in facts], list(facts), job_id)
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


def _emission_row(fact: InvoiceFacts, choice: Choice) -> tuple[Any, ...]:
    quantity = choice.conversion.apply(fact.quantity).quantize(QUANTITY, ROUND_HALF_EVEN)
    kg = (quantity * choice.kg_per_unit).quantize(KG, ROUND_HALF_EVEN)
    biogenic = choice.biogenic_per_unit
    biogenic_kg = None if biogenic is None else (quantity * biogenic).quantize(KG, ROUND_HALF_EVEN)
    unit = SYMBOL[choice.unit]
    conversion = _conversion_text(fact, quantity, unit, choice.conversion.description)
    factor, custom = choice.factor, choice.custom
    if custom is not None:
        source = f"Organization custom factor valid {custom.valid_from}-{custom.valid_to or 'open'}: {custom.evidence}"
        basis, publisher, name, version, year = custom.calorific_basis, "", "", "", None
    elif factor is not None:
        dataset = factor.dataset
        source = factor.source_reference
        basis, publisher, name, version = factor.calorific_basis, dataset.publisher, dataset.name, dataset.version
        year = factor.year
    else:
        source, basis, publisher, name, version, year = choice.source, "", "", "", "", None
    return (
        fact.id,
        kg,
        biogenic_kg,
        quantity,
        unit,
        conversion[:300],
        choice.kg_per_unit,
        f"kg CO2e/{unit}",
        source[:300],
        factor.id if factor is not None and custom is None else None,
        custom.id if custom is not None else None,
        basis,
        publisher,
        name,
        version,
        year,
        choice.rung,
        json.dumps(choice.fallbacks, sort_keys=True),
    )


def _energy_row(fact: InvoiceFacts) -> tuple[Any, ...]:
    kwh, description = energy_kwh(fact)
    quantity = kwh.quantize(QUANTITY, ROUND_HALF_EVEN)
    conversion = _conversion_text(fact, quantity, "kWh", description)
    basis = "gross" if fact.type == "heat" else ""
    kg = quantity.quantize(KG, ROUND_HALF_EVEN)
    return (fact.id, kg, None, quantity, "kWh", conversion, None, "", "", None, None, basis, "", "", "", None,
            "energy", "[]")  # fmt: skip


def _conversion_text(fact: InvoiceFacts, quantity: Decimal, unit: str, description: str) -> str:
    original = f"{fact.quantity.normalize():f} {SYMBOL.get(fact.unit, fact.unit)}"
    if not description:
        return f"{original} (no conversion)"
    return f"{original} → {quantity.normalize():f} {unit} ({description})"


def _write(
    category: str,
    rows: list[tuple[Any, ...]],
    failed_ids: list[uuid.UUID],
    touched_ids: list[uuid.UUID],
    job_id: uuid.UUID | None,
) -> None:
    now = timezone.now()
    with connection.cursor() as cursor:
        if failed_ids:
            cursor.execute(
                "DELETE FROM invoicing_invoiceemission WHERE category = %s AND invoice_id = ANY(%s::uuid[])",
                [category, failed_ids],
            )
        if rows:
            names = [name for name, _ in COLUMNS]
            arrays = [list(column) for column in zip(*rows, strict=True)]
            unnest = ", ".join(f"%s::{sql_type}[]" for _, sql_type in COLUMNS)
            select = ", ".join(f"u.{name}" if name != "fallbacks" else "u.fallbacks::jsonb" for name in names)
            updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in [*names[1:], "calculated_at", "job_id"])
            cursor.execute(
                f"""
                INSERT INTO invoicing_invoiceemission (category, calculated_at, job_id, {", ".join(names)})
                SELECT %s, %s, %s, {select} FROM unnest({unnest}) AS u({", ".join(names)})
                ON CONFLICT (invoice_id, category) DO UPDATE SET {updates}
                """,
                [category, now, job_id, *arrays],
            )
        if touched_ids:
            outside = list(CATEGORIES_OUTSIDE_CO2E)
            cursor.execute(
                """
                UPDATE invoicing_invoice AS i
                SET co2e = s.co2e, total_energy_kwh = s.energy, updated_at = %s
                FROM (
                    SELECT t.id,
                           SUM(e.kg_co2e) FILTER (WHERE e.category <> ALL(%s::text[])) AS co2e,
                           MAX(e.kg_co2e) FILTER (WHERE e.category = %s) AS energy
                    FROM unnest(%s::uuid[]) AS t(id)
                    LEFT JOIN invoicing_invoiceemission AS e ON e.invoice_id = t.id
                    GROUP BY t.id
                ) AS s
                WHERE i.id = s.id
                  AND (i.co2e IS DISTINCT FROM s.co2e OR i.total_energy_kwh IS DISTINCT FROM s.energy)
                """,
                [now, outside, ActivityCategory.ENERGY.value, touched_ids],
            )
