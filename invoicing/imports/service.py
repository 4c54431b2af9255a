"""Import invoices from a CSV or XLSX file: validate every row, then insert the new ones in one statement.

The file is read as a stream, one chunk of rows at a time: each chunk is validated in Python, copied
into a temporary table of this database session and classified there (new, already imported, repeated
inside the file) against the natural key's unique index. Memory holds one chunk, whatever the file's
size. Only when every row has been read, and unless the import is a dry run or blocked by invalid
rows, are the new rows inserted into the invoice table, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import RawSQL

from invoicing.choices import InvoiceSource
from invoicing.errors import ConflictError
from invoicing.models import Invoice, Organization
from invoicing.services.audits import invoice_audit_refresh
from invoicing.services.recalculation import new_invoices_calculation_start

from .numbers import NumberConvention
from .readers import ImportTable, open_import_file
from .validation import RowError, RowValidator, ValidRow

CHUNK_ROWS = 5000
PREVIEW_ROWS = 200  # new rows kept in the report for the admin's preview
KEPT_ERRORS = 1000  # row errors kept in the report (all are counted and passed to `on_error`)
KEPT_ALREADY_IMPORTED = 200

# Called as progress(stage, done, total): stage "read" (rows read, estimated rows in the file) or "insert".
Progress = Callable[[str, int, int], None]
ROWS_TABLE = "invoice_import_rows"  # a temporary table: one per database session, dropped after each import


@dataclass(frozen=True)
class RowOutcome:
    """A valid row and what the import does with it: create it, or skip it as the bill `existing_id` holds."""

    row: ValidRow
    existing_id: uuid.UUID | None = None
    existing_number: str | None = None

    @property
    def is_new(self) -> bool:
        return self.existing_id is None


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or when blocked by invalid rows, would do).

    Counts cover the whole file; the lists keep only the first rows of each kind (a 1,000,000-row file
    must not be held in memory), in file order.
    """

    dry_run: bool = False
    skip_invalid: bool = False
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    convention: NumberConvention | None = None
    rows_total: int = 0
    new_count: int = 0
    already_imported_count: int = 0
    invalid_rows_count: int = 0
    errors_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[ValidRow] = field(default_factory=list)
    already_imported: list[RowOutcome] = field(default_factory=list)
    created: int = 0
    job_ids: list[uuid.UUID] = field(default_factory=list)
    calculation_problems: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """Invalid rows stop the whole import unless they are to be skipped."""
        return bool(self.invalid_rows_count) and not self.skip_invalid


def invoice_import(
    *,
    organization: Organization,
    source: str | Path,
    filename: str | None = None,
    sheet: str | None = None,
    uploaded_by: AbstractBaseUser | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    trigger: str = "command",
    calculate: bool = True,
    progress: Progress | None = None,
    on_row: Callable[[RowOutcome], None] | None = None,
    on_error: Callable[[RowError], None] | None = None,
    on_write: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Validate every row of the file at `source`, then (unless `dry_run` or blocked) insert the new invoices.

    `filename` names an upload stored under another name; `sheet` picks a workbook's sheet (else the first
    whose first non-empty row is the template's header). The natural key is organization + facility +
    invoice number (compared without regard to case or surrounding spaces) + period: rows already in
    the database are reported as already imported and skipped, rows repeated inside the file are errors.
    Imported invoices get source=bulk_file and `uploaded_by`; their emissions are then calculated by
    background jobs (one recalculation per invoice type) unless `calculate` is false.

    `on_row` gets every valid row with its outcome and `on_error` every problem, in file order, as they
    are found. `on_write(report)` runs inside the transaction that inserts the invoices, so that a record
    of the import commits with them. Raises ImportFileError when the file itself is unusable (nothing
    is written then), ConflictError if the database refuses a row the checks let through.
    """
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    with open_import_file(source, filename=filename, sheet=sheet) as table:
        report.sheet, report.sheet_names, report.convention = table.sheet, table.sheet_names, table.convention
        validator = RowValidator(organization, table.convention)
        _create_rows_table()
        try:
            _read(table, validator, organization, report, progress, on_row, on_error)
            if not (dry_run or report.blocked or not report.new_count):
                _write(organization, report, uploaded_by, trigger, calculate, progress, on_write)
        finally:
            _drop_rows_table()
    return report


def _read(
    table: ImportTable,
    validator: RowValidator,
    organization: Organization,
    report: ImportReport,
    progress: Progress | None,
    on_row: Callable[[RowOutcome], None] | None,
    on_error: Callable[[RowError], None] | None,
) -> None:
    chunk: list[ValidRow] = []
    chunk_errors: list[RowError] = []

    def flush() -> None:
        outcomes, repeats = _classify(
            organization, chunk, analyze=report.new_count + report.already_imported_count == 0
        )
        report.invalid_rows_count += len(repeats)
        for error in sorted(chunk_errors + repeats, key=lambda error: error.row):  # stable: columns keep their order
            report.errors_count += 1
            if len(report.errors) < KEPT_ERRORS:
                report.errors.append(error)
            if on_error:
                on_error(error)
        for outcome in outcomes:
            if outcome.is_new:
                report.new_count += 1
                if len(report.preview) < PREVIEW_ROWS:
                    report.preview.append(outcome.row)
            else:
                report.already_imported_count += 1
                if len(report.already_imported) < KEPT_ALREADY_IMPORTED:
                    report.already_imported.append(outcome)
            if on_row:
                on_row(outcome)
        chunk.clear()
        chunk_errors.clear()
        if progress:
            fraction = table.fraction_read()
            estimate = round(report.rows_total / fraction) if fraction > 0 else report.rows_total
            progress("read", report.rows_total, max(estimate, report.rows_total))

    for row_number, cells in table.rows:
        report.rows_total += 1
        result = validator.validate(row_number, cells)
        if isinstance(result, list):
            report.invalid_rows_count += 1
            chunk_errors += result
        else:
            chunk.append(result)
        if report.rows_total % CHUNK_ROWS == 0:
            flush()
    flush()


ROW_COLUMNS = (
    "row_number",
    "type",
    "status",
    "quantity",
    "unit_id",
    "start_date",
    "end_date",
    "invoice_number",
    "facility_id",
    "supplier_id",
    "supply_contract_id",
    "facility_fuel_id",
    "cups",
    "kwh_per_m3",
)

# The natural key of a row of the temporary table `t` against the invoice table `i` (its unique index).
_SAME_BILL = (
    "i.facility_id = t.facility_id AND upper(btrim(i.invoice_number)) = t.number_key "
    "AND i.start_date = t.start_date AND i.end_date = t.end_date AND i.invoice_number <> ''"
)


def _create_rows_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{ROWS_TABLE}")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {ROWS_TABLE} (
                row_number integer PRIMARY KEY,
                id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),  -- indexed: new invoices are found by it
                type varchar(12) NOT NULL,
                status varchar(10) NOT NULL,
                quantity numeric(20, 6) NOT NULL,
                unit_id uuid NOT NULL,
                start_date date NOT NULL,
                end_date date NOT NULL,
                invoice_number varchar(100) NOT NULL,
                number_key text GENERATED ALWAYS AS (upper(btrim(invoice_number))) STORED,
                facility_id uuid NOT NULL,
                supplier_id uuid,
                supply_contract_id uuid,
                facility_fuel_id uuid,
                cups varchar(22),
                kwh_per_m3 numeric(12, 6),
                outcome char(1) NOT NULL DEFAULT 'n'  -- n: new, e: already imported, d: repeats an earlier row
            )"""
        )
        cursor.execute(
            f"CREATE INDEX ON {ROWS_TABLE} (facility_id, number_key, start_date, end_date, row_number) "
            "WHERE outcome = 'n'"
        )


def _drop_rows_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{ROWS_TABLE}")


def _classify(
    organization: Organization, rows: list[ValidRow], *, analyze: bool
) -> tuple[list[RowOutcome], list[RowError]]:
    """Copy a chunk into the rows table and find, for each row, an earlier row of the file or an invoice
    holding the same bill. Returns the outcomes of the rows and the errors of the repeats, in file order."""
    if not rows:
        return [], []
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {ROWS_TABLE} ({', '.join(ROW_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row.row,
                        row.type,
                        row.status,
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
                        row.kwh_per_m3,
                    )
                )
        if analyze:
            # Temporary tables are never analysed automatically; without statistics the planner joins
            # them to the invoice table with a scan of the whole table. Later chunks keep the density,
            # and the planner scales the row count with the table's size.
            cursor.execute(f"ANALYZE {ROWS_TABLE}")
        cursor.execute(
            f"""SELECT t.row_number,
                       (SELECT min(p.row_number) FROM {ROWS_TABLE} p
                         WHERE p.outcome = 'n' AND p.facility_id = t.facility_id AND p.number_key = t.number_key
                           AND p.start_date = t.start_date AND p.end_date = t.end_date
                           AND p.row_number < t.row_number),
                       i.id, i.invoice_number
                  FROM {ROWS_TABLE} t
                  LEFT JOIN {Invoice._meta.db_table} i ON i.organization_id = %s AND {_SAME_BILL}
                 WHERE t.row_number BETWEEN %s AND %s
                 ORDER BY t.row_number""",
            [organization.id, rows[0].row, rows[-1].row],
        )
        found = cursor.fetchall()
        by_number = {row.row: row for row in rows}
        outcomes: list[RowOutcome] = []
        repeat_errors: list[RowError] = []
        repeats: list[int] = []
        existing: list[int] = []
        for row_number, first_row, existing_id, existing_number in found:
            row = by_number[row_number]
            if first_row is not None:
                repeats.append(row_number)
                error = RowError(
                    row_number,
                    "invoice_number",
                    row.invoice_number,
                    f"{row.invoice_number!r} repeats row {first_row} (the same facility, invoice number and period; "
                    "numbers are compared without regard to case or surrounding spaces); expected each bill once.",
                )
                repeat_errors.append(error)
            elif existing_id is not None:
                existing.append(row_number)
                outcomes.append(RowOutcome(row, existing_id, existing_number))
            else:
                outcomes.append(RowOutcome(row))
        for outcome, numbers in (("d", repeats), ("e", existing)):
            if numbers:
                cursor.execute(f"UPDATE {ROWS_TABLE} SET outcome = %s WHERE row_number = ANY(%s)", [outcome, numbers])
    return outcomes, repeat_errors


INVOICE_COLUMNS = (
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
    "kwh_per_m3",
    "uploaded_by_id",
)


def _write(
    organization: Organization,
    report: ImportReport,
    uploaded_by: AbstractBaseUser | None,
    trigger: str,
    calculate: bool,
    progress: Progress | None,
    on_write: Callable[[ImportReport], None] | None,
) -> None:
    """Insert the new rows (created_at/updated_at take their database defaults), audit their supply points
    again and start their emissions.

    The table's CHECK, foreign-key and unique constraints still apply to every row.
    """
    if progress:
        progress("insert", 0, report.new_count)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Imports into one organization run one at a time; a bill stored since the rows were
            # classified (by the API, say) is skipped as already imported.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext('invoice_import'), hashtext(%s))", [str(organization.id)]
            )
            cursor.execute(f"ANALYZE {ROWS_TABLE}")
            cursor.execute(
                f"UPDATE {ROWS_TABLE} t SET outcome = 'e' FROM {Invoice._meta.db_table} i "
                f"WHERE t.outcome = 'n' AND i.organization_id = %s AND {_SAME_BILL}",
                [organization.id],
            )
            report.new_count -= cursor.rowcount
            report.already_imported_count += cursor.rowcount
            cursor.execute(
                f"INSERT INTO {Invoice._meta.db_table} ({', '.join(INVOICE_COLUMNS)}) "
                "SELECT id, %s, type, status, %s, quantity, unit_id, quantity, unit_id, start_date, end_date, "
                "invoice_number, facility_id, supplier_id, supply_contract_id, facility_fuel_id, cups, kwh_per_m3, %s "
                f"FROM {ROWS_TABLE} WHERE outcome = 'n' ORDER BY row_number",
                [organization.id, InvoiceSource.BULK_FILE.value, getattr(uploaded_by, "pk", None)],
            )
            report.created = cursor.rowcount
            if report.created:
                new_ids = RawSQL(f"SELECT id FROM {ROWS_TABLE} WHERE outcome = 'n'", ())  # noqa: S611
                invoice_audit_refresh(organization_id=organization.pk, invoices=Invoice.objects.filter(id__in=new_ids))
            if calculate and report.created:
                _start_calculation(organization, report, trigger, uploaded_by)
            if on_write:
                on_write(report)
    except IntegrityError as error:  # a rule the validation missed: report it rather than crash
        raise ConflictError(f"The database refused the import, nothing was saved: {error}".strip()) from None
    if progress:
        progress("insert", report.created, report.created)


def _start_calculation(organization: Organization, report: ImportReport, trigger: str, uploaded_by: Any) -> None:
    """One recalculation per invoice type over the new invoices; their jobs are dispatched after the commit."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT type FROM {ROWS_TABLE} WHERE outcome = 'n'")
        types = [invoice_type for (invoice_type,) in cursor.fetchall()]
    new_ids = RawSQL(f"SELECT id FROM {ROWS_TABLE} WHERE outcome = 'n'", ())  # noqa: S611
    started = new_invoices_calculation_start(
        organization=organization,
        invoice_ids_by_type={t: Invoice.objects.filter(id__in=new_ids, type=t) for t in types},
        trigger=trigger,
        triggered_by=uploaded_by,
    )
    report.job_ids, report.calculation_problems = started.job_ids, started.problems
