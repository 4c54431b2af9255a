"""Small helpers for the engine's tests: read a shipped factor row, calculate one category, read the result."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from invoicing.emissions import calculate_invoices
from invoicing.emissions.loader import DATA_DIR
from invoicing.models import Invoice, InvoiceEmission


def kg(value: str | Decimal) -> Decimal:
    """Rounded as the engine stores kg CO2e: 6 decimals, half to even."""
    return Decimal(value).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)


def quantity(value: str | Decimal) -> Decimal:
    """Rounded as the engine stores quantities: 8 decimals, half to even."""
    return Decimal(value).quantize(Decimal("0.00000001"), ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Published:
    """One row of a shipped factor file (invoicing/emissions/data), as the publication prints it."""

    row: dict[str, str]

    @property
    def value(self) -> Decimal:
        """kg CO2e per unit, or kg CO2 for a CO2-only row."""
        return Decimal(self.row["kg_co2e_per_unit"] or self.row["kg_co2_per_unit"])

    @property
    def biogenic(self) -> Decimal:
        return Decimal(self.row["biogenic_co2_per_unit"])

    @property
    def version(self) -> str:
        return self.row["version"]


def published(file: str, *, year: int | None = None, flat_file_id: str | None = None, **columns: str) -> Published:
    """The one row of `file` with these column values (and DESNZ flat-file id, if given)."""
    with (DATA_DIR / file).open(encoding="utf-8", newline="") as handle:
        rows = [
            row
            for row in csv.DictReader(handle)
            if all(row[name] == value for name, value in columns.items())
            and (year is None or row["year"] == str(year))
            and (flat_file_id is None or f"ID {flat_file_id}:" in row["source_location"])
        ]
    assert len(rows) == 1, f"{len(rows)} rows of {file} match {columns} {year} {flat_file_id}"
    return Published(rows[0])


def calculated(invoice: Invoice, category: str) -> InvoiceEmission:
    result = calculate_invoices(invoice_ids=[invoice.id], category=category, job_id=None)
    assert result.failures == [], result.failures
    assert result.succeeded_ids == [invoice.id]
    return InvoiceEmission.objects.get(invoice=invoice, category=category)


def failure(invoice: Invoice, category: str) -> tuple[str, str]:
    result = calculate_invoices(invoice_ids=[invoice.id], category=category)
    assert result.succeeded_ids == []
    [only] = result.failures
    return only.code, only.message
