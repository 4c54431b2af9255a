"""Reads of invoices, always scoped to one organization."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from invoicing.errors import NotFoundError
from invoicing.models import Invoice, InvoiceEmission, Organization

# The columns an API item is built from: no joins, so a page costs one query whatever its size.
INVOICE_ITEM_COLUMNS = (
    "id",
    "type",
    "status",
    "quantity",
    "unit_id",
    "start_date",
    "end_date",
    "invoice_number",
    "facility_id",
    "supplier_id",
    "co2e",
    "total_energy_kwh",
    "cups",
    "created_at",
    "updated_at",
    "facility_fuel_id",
    "supply_contract_id",
    "uploaded_by_id",
    "source",
)


def invoice_list(*, organization: Organization) -> QuerySet[Invoice]:
    """The organization's invoices, newest first (`-created_at`, then `-id`)."""
    return Invoice.objects.filter(organization=organization).order_by("-created_at", "-id")


def invoice_rows(queryset: QuerySet[Invoice]) -> QuerySet[Invoice, dict[str, Any]]:
    """Plain dicts with INVOICE_ITEM_COLUMNS, for fast serialisation of lists."""
    return queryset.values(*INVOICE_ITEM_COLUMNS)


def invoice_get(*, organization: Organization, invoice_id: uuid.UUID | str) -> Invoice:
    invoice = Invoice.objects.filter(organization=organization, pk=invoice_id).first()
    if invoice is None:
        raise NotFoundError("No invoice with this id in your organization.")
    return invoice


def invoice_row_get(*, organization: Organization, invoice_id: uuid.UUID | str) -> dict[str, Any]:
    row = invoice_rows(Invoice.objects.filter(organization=organization, pk=invoice_id)).first()
    if row is None:
        raise NotFoundError("No invoice with this id in your organization.")
    return row


def invoice_emission_list(*, invoice_id: uuid.UUID | str) -> QuerySet[InvoiceEmission]:
    return InvoiceEmission.objects.filter(invoice_id=invoice_id).order_by("category")
