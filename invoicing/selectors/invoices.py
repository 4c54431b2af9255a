"""Reads of invoices, always scoped to one organization."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
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


class InvoiceRowPages:
    """Pages and the total of a filtered, ordered invoice queryset, compiled to SQL once.

    The ORM would compile the queryset twice per list request (page, then COUNT) and convert every
    value through its iterables; for a page of 50 that cost more than the SQL. The count reuses the
    page query's FROM and WHERE, which holds while the select list and ORDER BY carry no parameters
    and the WHERE no subquery (INVOICE_ITEM_COLUMNS and the sort fields are plain columns);
    anything else falls back to the ORM's count.
    """

    def __init__(self, queryset: QuerySet[Invoice]) -> None:
        self._queryset = queryset
        self._db = queryset.db
        try:
            self._sql, self._params = invoice_rows(queryset).query.get_compiler(self._db).as_sql()
        except EmptyResultSet:
            self._sql = ""

    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]:
        if not self._sql:
            return []
        with connections[self._db].cursor() as cursor:
            cursor.execute(f"{self._sql} LIMIT %s OFFSET %s", (*self._params, limit, offset))
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count(self) -> int:
        if not self._sql:
            return 0
        sql = self._sql
        if sql.count(" FROM ") != 1 or sql.count(" ORDER BY ") != 1:
            return self._queryset.count()
        count_sql = "SELECT COUNT(*)" + sql[sql.index(" FROM ") : sql.index(" ORDER BY ")]
        with connections[self._db].cursor() as cursor:
            cursor.execute(count_sql, self._params)
            return int(cursor.fetchone()[0])


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
