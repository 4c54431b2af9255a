"""Import invoices from a CSV or XLSX file: validate every row, then insert the new ones in bulk."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction

from invoicing.choices import InvoiceSource
from invoicing.errors import ConflictError
from invoicing.models import Invoice, Organization

from .calculation import new_invoices_calculation_start
from .readers import read_import_file
from .validation import RowError, RowValidator, ValidRow

INSERT_BATCH = 2000
KEY_LOOKUP_BATCH = 5000

# Called as progress(stage, done, total) with stage "validate" or "insert".
Progress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or when blocked by invalid rows, would do)."""

    rows_total: int = 0
    dry_run: bool = False
    skip_invalid: bool = False
    new: list[ValidRow] = field(default_factory=list)  # created, or to be created
    already_imported: list[ValidRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created_ids: list[uuid.UUID] = field(default_factory=list)
    job_ids: list[uuid.UUID] = field(default_factory=list)
    calculation_problems: list[str] = field(default_factory=list)

    @property
    def invalid_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    @property
    def blocked(self) -> bool:
        """Invalid rows stop the whole import unless they are to be skipped."""
        return bool(self.errors) and not self.skip_invalid

    @property
    def created(self) -> int:
        return len(self.created_ids)


def invoice_import(
    *,
    organization: Organization,
    source: str | Path | IO[bytes],
    filename: str | None = None,
    uploaded_by: AbstractBaseUser | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    trigger: str = "command",
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row of the file, then (unless `dry_run` or blocked) insert the new invoices.

    The natural key is organization + facility + invoice number + period: rows already in the database
    are reported as already imported and skipped, rows repeated inside the file are errors. Imported
    invoices get source=bulk_file and `uploaded_by`; their emissions are then calculated by background
    jobs (one recalculation per invoice type). Raises ImportFileError when the file itself is unusable.
    """
    table = read_import_file(source, filename=filename)
    report = ImportReport(rows_total=len(table.rows), dry_run=dry_run, skip_invalid=skip_invalid)
    validator = RowValidator(organization)
    valid: list[ValidRow] = []
    first_row_of_key: dict[tuple[uuid.UUID, str, date, date], int] = {}
    for index, (row_number, cells) in enumerate(table.rows, start=1):
        result = validator.validate(row_number, cells)
        if isinstance(result, list):
            report.errors.extend(result)
        elif (first := first_row_of_key.setdefault(result.natural_key, row_number)) != row_number:
            reason = f"Duplicate of row {first} (same facility, invoice number and period)."
            report.errors.append(RowError(row_number, "invoice_number", reason))
        else:
            valid.append(result)
        if progress and (index % 500 == 0 or index == report.rows_total):
            progress("validate", index, report.rows_total)

    existing = _existing_keys(organization, valid)
    report.new = [row for row in valid if row.natural_key not in existing]
    report.already_imported = [row for row in valid if row.natural_key in existing]
    if dry_run or report.blocked or not report.new:
        return report

    invoices = [_invoice(organization, row, uploaded_by) for row in report.new]
    try:
        with transaction.atomic():
            # Imports into one organization run one at a time, so the check for existing keys holds.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('invoice_import'), hashtext(%s))", [str(organization.id)]
                )
            existing = _existing_keys(organization, report.new)
            if existing:
                report.already_imported += [row for row in report.new if row.natural_key in existing]
                report.new = [row for row in report.new if row.natural_key not in existing]
                invoices = [invoice for invoice in invoices if _key(invoice) not in existing]
            for start in range(0, len(invoices), INSERT_BATCH):
                batch = invoices[start : start + INSERT_BATCH]
                Invoice.objects.bulk_create(batch)
                if progress:
                    progress("insert", start + len(batch), len(invoices))
    except IntegrityError as error:  # a rule the validation missed: report it rather than crash
        raise ConflictError(f"The database refused the import, nothing was saved: {error}".strip()) from None
    report.created_ids = [invoice.id for invoice in invoices]

    ids_by_type: dict[str, list[uuid.UUID]] = defaultdict(list)
    for invoice in invoices:
        ids_by_type[invoice.type].append(invoice.id)
    started = new_invoices_calculation_start(
        organization=organization, invoice_ids_by_type=ids_by_type, trigger=trigger, triggered_by=uploaded_by
    )
    report.job_ids, report.calculation_problems = started.job_ids, started.problems
    return report


def _key(invoice: Invoice) -> tuple[uuid.UUID, str, date, date]:
    return (invoice.facility_id, invoice.invoice_number, invoice.start_date, invoice.end_date)


def _existing_keys(organization: Organization, rows: list[ValidRow]) -> set[tuple[uuid.UUID, str, date, date]]:
    numbers = sorted({row.invoice_number for row in rows})
    found: set[tuple[uuid.UUID, str, date, date]] = set()
    for start in range(0, len(numbers), KEY_LOOKUP_BATCH):
        found.update(
            Invoice.objects.filter(
                organization=organization, invoice_number__in=numbers[start : start + KEY_LOOKUP_BATCH]
            )
            .order_by()
            .values_list("facility_id", "invoice_number", "start_date", "end_date")
        )
    return found


def _invoice(organization: Organization, row: ValidRow, uploaded_by: AbstractBaseUser | None) -> Invoice:
    return Invoice(
        organization=organization,
        type=row.type,
        status=row.status,
        source=InvoiceSource.BULK_FILE,
        quantity=row.quantity,
        unit=row.unit,
        original_quantity=row.quantity,
        original_unit=row.unit,
        start_date=row.start_date,
        end_date=row.end_date,
        invoice_number=row.invoice_number,
        facility=row.facility,
        supplier_id=row.supplier_id,
        supply_contract_id=row.supply_contract_id,
        facility_fuel_id=row.facility_fuel_id,
        cups=row.cups,
        uploaded_by_id=getattr(uploaded_by, "pk", None),
    )
