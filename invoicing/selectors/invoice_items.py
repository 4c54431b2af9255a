"""Invoices as API items, rendered to JSON by PostgreSQL: the list, the detail and write responses.

The item format (domain.md §3) is defined once, in _ITEM: periods as `2024-01-01T00:00:00` /
`2024-01-31T23:59:59`, timestamps in UTC with `Z`, decimals as exact JSON numbers, null for
what is unknown. One statement finds a page, writes its JSON and counts the total when the page
does not tell it, so a page of 100 costs Python no more than a page of 1.

`InvoiceQuery` is the organization's invoices narrowed by SQL conditions, in one order; the API's
filterset (invoicing.api.filters) adds a condition per query parameter. Its statements carry their
values written in and run on a prepared cursor (invoicing.db), so a repeated request reuses its
plan while each organization and filter still gets a plan of its own.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from django.db.models import Field

from invoicing.db import fetch_one, with_values_written_in
from invoicing.models import FacilityFuel, Invoice
from invoicing.selectors.invoices import invoice_not_found

INVOICES = Invoice._meta.db_table
FACILITY_FUELS = FacilityFuel._meta.db_table

# One API item per row `i` of the page. The inner query finds and sorts the page's rows; the JSON
# is built only for the rows it keeps (PostgreSQL would otherwise format every matching row before
# sorting).
_ITEM = """CROSS JOIN LATERAL (SELECT
    i.id,
    i.type,
    i.status,
    trim_scale(i.quantity) AS quantity,
    i.unit_id,
    to_char(i.start_date, 'YYYY-MM-DD"T00:00:00"') AS start_date,
    to_char(i.end_date, 'YYYY-MM-DD"T23:59:59"') AS end_date,
    i.invoice_number AS invoice_id,
    i.facility_id,
    i.supplier_id,
    trim_scale(i.co2e) AS co2e,
    trim_scale(i.total_energy_kwh) AS total_energy_kwh,
    i.cups,
    to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
    to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at,
    i.facility_fuel_id,
    i.supply_contract_id,
    i.uploaded_by_id AS uploaded_by,
    i.source
) item"""
_ITEM = " ".join(_ITEM.split())


@functools.cache
def _sort_column(name: str) -> str:
    """`-start_date` → `i.start_date DESC`, for a concrete Invoice field only."""
    model_field = Invoice._meta.get_field(name.lstrip("-"))  # FieldDoesNotExist for anything else
    assert isinstance(model_field, Field)
    return f"i.{model_field.column} {'DESC' if name.startswith('-') else 'ASC'}"


@dataclass(frozen=True)
class InvoiceQuery:
    """One organization's invoices, narrowed by `where` conditions (`%s` placeholders), in one order."""

    organization_id: uuid.UUID
    conditions: tuple[str, ...] = ()
    params: tuple[Any, ...] = ()
    order: tuple[str, ...] = field(default=(_sort_column("-created_at"), _sort_column("-id")))

    model: ClassVar = Invoice  # what django-filter reads off the "queryset" it is given

    def all(self) -> InvoiceQuery:
        return self

    def where(self, condition: str, *params: Any) -> InvoiceQuery:
        return replace(self, conditions=(*self.conditions, condition), params=(*self.params, *params))

    def order_by(self, *names: str) -> InvoiceQuery:
        """Django-style names: `order_by("-start_date", "-id")`."""
        return replace(self, order=tuple(_sort_column(name) for name in names))

    def _where_sql(self) -> str:
        conditions = " AND ".join(("i.organization_id = %s", *(f"({c})" for c in self.conditions)))
        return with_values_written_in(f"FROM {INVOICES} i WHERE {conditions}", (self.organization_id, *self.params))

    def page_sql(self, offset: int, limit: int) -> str:
        """One row: the page's items (JSON objects joined by commas, NULL for none) and the total.

        The total is counted only when the page does not tell it: a page that is short, and not
        past the end, is the last one (the same rule as PagePagination.paginate_queryset).
        """
        where = self._where_sql()  # values written in once, used twice
        order = ", ".join(self.order)
        offset, limit = int(offset), int(limit)
        return (
            f"WITH page AS (SELECT i.* {where} ORDER BY {order} LIMIT {limit} OFFSET {offset}) "
            f"SELECT items.json, CASE WHEN page_rows.n < {limit} AND (page_rows.n > 0 OR {offset} = 0) "
            f"THEN {offset} + page_rows.n ELSE (SELECT count(*) {where}) END "
            "FROM (SELECT count(*) AS n FROM page) page_rows, "
            f"(SELECT string_agg(row_to_json(item)::text, ',' ORDER BY {order}) AS json FROM page i {_ITEM}) items"
        )


@dataclass(frozen=True)
class InvoicePage:
    items: str  # the page's items: JSON objects joined by commas
    total: int

    @property
    def items_json(self) -> str:
        return f"[{self.items}]"


def invoice_page(query: InvoiceQuery, *, offset: int, limit: int) -> InvoicePage:
    items, total = fetch_one(query.page_sql(offset, limit))  # type: ignore[misc]  # an aggregate: one row
    return InvoicePage(items=items or "", total=int(total))


def invoice_item_json(*, organization_id: uuid.UUID, invoice_id: uuid.UUID | str) -> str:
    """One invoice of the organization as an API item (JSON text); NotFoundError if it has none."""
    try:
        invoice_id = uuid.UUID(str(invoice_id))
    except ValueError:
        raise invoice_not_found() from None
    query = InvoiceQuery(organization_id=organization_id).where("i.id = %s", invoice_id)
    # A page of two: the primary key matches at most one row, so the page is short and its total
    # is known without a COUNT (see InvoiceQuery.page_sql).
    page = invoice_page(query, offset=0, limit=2)
    if not page.total:
        raise invoice_not_found()
    return page.items
