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
from invoicing.services.recalculation import new_invoices_calculation_start

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
    calculate: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row of the file, then (unless `dry_run` or blocked) insert the new invoices.

    The natural key is organization + facility + invoice number + period: rows already in the database
    are reported as already imported and skipped, rows repeated inside the file are errors. Imported
    invoices get source=bulk_file and `uploaded_by`; their emissions are then calculated by background
    jobs (one recalculation per invoice type) unless `calculate` is false. Raises ImportFileError when
    the file itself is unusable.
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
            report.created_ids = _copy_invoices(organization, report.new, uploaded_by, progress)
    except IntegrityError as error:  # a rule the validation missed: report it rather than crash
        raise ConflictError(f"The database refused the import, nothing was saved: {error}".strip()) from None
    if not calculate:
        return report

    ids_by_type: dict[str, list[uuid.UUID]] = defaultdict(list)
    for row, invoice_id in zip(report.new, report.created_ids, strict=True):
        ids_by_type[row.type].append(invoice_id)
    started = new_invoices_calculation_start(
        organization=organization, invoice_ids_by_type=ids_by_type, trigger=trigger, triggered_by=uploaded_by
    )
    report.job_ids, report.calculation_problems = started.job_ids, started.problems
    return report


def _existing_keys(organization: Organization, rows: list[ValidRow]) -> set[tuple[uuid.UUID, str, date, date]]:
    numbers = sorted({row.invoice_number for row in rows})
    if not numbers:
        return set()
    # One array parameter instead of 10,000 placeholders; served by the natural-key unique index.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT facility_id, invoice_number, start_date, end_date FROM {Invoice._meta.db_table} "
            "WHERE organization_id = %s AND invoice_number = ANY(%s)",
            [organization.id, numbers],
        )
        return set(cursor.fetchall())


COPY_COLUMNS = (
    "id",
    "organization_id",
    "type",
    "status",
    "source",
    "quantity",
    "unit_id",
    "original_quantity",
    "original_unit_id",
    "start_date",
    "end_date",
    "invoice_number",
    "facility_id",
    "supplier_id",
    "supply_contract_id",
    "facility_fuel_id",
    "cups",
    "uploaded_by_id",
)


def _copy_invoices(
    organization: Organization, rows: list[ValidRow], uploaded_by: AbstractBaseUser | None, progress: Progress | None
) -> list[uuid.UUID]:
    """COPY the rows into the invoice table (created_at/updated_at take their database defaults).

    COPY rather than bulk_create: building a 10,000-row INSERT costs more than the database's work.
    The table's CHECK, foreign-key and unique constraints still apply to every row.
    """
    ids = [uuid.uuid4() for _ in rows]
    user_id = getattr(uploaded_by, "pk", None)
    statement = f"COPY {Invoice._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for done, (invoice_id, row) in enumerate(zip(ids, rows, strict=True), start=1):
            copy.write_row(
                (
                    invoice_id,
                    organization.id,
                    row.type,
                    row.status,
                    InvoiceSource.BULK_FILE.value,
                    row.quantity,
                    row.unit.id,
                    row.quantity,
                    row.unit.id,
                    row.start_date,
                    row.end_date,
                    row.invoice_number,
                    row.facility.id,
                    row.supplier_id,
                    row.supply_contract_id,
                    row.facility_fuel_id,
                    row.cups,
                    user_id,
                )
            )
            if progress and (done % INSERT_BATCH == 0 or done == len(rows)):
                progress("insert", done, len(rows))
    return ids
