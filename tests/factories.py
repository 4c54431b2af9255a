"""A few factories for rows the tests need; each takes overrides as keyword arguments."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from invoicing.emissions.figures import invoice_figures_refresh
from invoicing.models import (
    Facility,
    FacilityFuel,
    Invoice,
    InvoiceCalculationFailure,
    InvoiceEmission,
    Organization,
    StationaryFuel,
    Supplier,
    SupplyContract,
    Unit,
)

_sequence = itertools.count(1)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def fuel(code: str) -> StationaryFuel:
    return StationaryFuel.objects.get(code=code)


def supplier(code: str) -> Supplier:
    return Supplier.objects.get(code=code)


def make_facility(organization: Organization, **overrides: Any) -> Facility:
    fields: dict[str, Any] = {"name": f"Facility {next(_sequence)}", "country": organization.country}
    fields.update(overrides)
    return Facility.objects.create(organization=organization, **fields)


def make_facility_fuel(facility: Facility, fuel_code: str = "natural_gas") -> FacilityFuel:
    return FacilityFuel.objects.get_or_create(facility=facility, fuel=fuel(fuel_code))[0]


def make_contract(facility: Facility, supplier_code: str = "iberdrola-clientes", **overrides: Any) -> SupplyContract:
    fields: dict[str, Any] = {
        "supplier": supplier(supplier_code),
        "start_date": date(2020, 1, 1),
        "covered_by_guarantees_of_origin": False,
    }
    fields.update(overrides)
    return SupplyContract.objects.create(facility=facility, **fields)


def make_invoice(facility: Facility, **overrides: Any) -> Invoice:
    """An electricity invoice of 1,500 kWh for January 2024 unless told otherwise."""
    quantity = Decimal(str(overrides.pop("quantity", "1500")))
    unit_row = overrides.pop("unit", None) or unit(overrides.pop("unit_code", "kwh"))
    fields: dict[str, Any] = {
        "organization": facility.organization,
        "type": "electricity",
        "status": "active",
        "source": "manual",
        "quantity": quantity,
        "unit": unit_row,
        "original_quantity": quantity,
        "original_unit": unit_row,
        "start_date": date(2024, 1, 1),
        "end_date": date(2024, 1, 31),
        "invoice_number": f"INV-{next(_sequence):06d}",
    }
    fields.update(overrides)
    return Invoice.objects.create(facility=facility, **fields)


def make_result(invoice: Invoice, category: str, **fields: Any) -> InvoiceEmission:
    """A stored result row of `category` (give scope and kg_co2e, or kwh for energy), with the invoice's
    figures refreshed from its rows as the calculator does when it stores one."""
    values: dict[str, Any] = {"quantity": 1, "quantity_unit": "kWh", **fields}
    row = InvoiceEmission.objects.create(invoice=invoice, category=category, **values)
    invoice_figures_refresh(invoice_ids=[invoice.id])
    return row


def make_failure(invoice: Invoice, category: str, code: str = "NO_FACTOR") -> InvoiceCalculationFailure:
    """A recorded calculation failure of `category`, with the invoice's figures refreshed as the calculator does."""
    row = InvoiceCalculationFailure.objects.create(invoice=invoice, category=category, code=code, message="-")
    invoice_figures_refresh(invoice_ids=[invoice.id])
    return row


def invoice_body(facility: Facility, **overrides: Any) -> dict[str, Any]:
    """The JSON body of `POST /v1/invoices`: 1,500 kWh of electricity at `facility` in January 2024."""
    return {
        "type": "electricity",
        "quantity": 1500,
        "unit_id": str(unit("kwh").id),
        "start_date": "2024-01-01",
        "end_date": "2024-01-31",
        "facility_id": str(facility.id),
        **overrides,
    }
