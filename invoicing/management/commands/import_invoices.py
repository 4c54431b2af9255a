from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import ngettext

from invoicing.imports import ImportReport, ImportRowsInvalid, RowError, RowOutcome, invoice_import
from invoicing.imports.numbers import plain_number
from invoicing.management.base import DomainCommand, ProgressBars, organization_from_option, user_from_option
from invoicing.text import counted


class Command(DomainCommand):
    help = (
        "Import invoices from a CSV or XLSX file in the documented template (docs/imports.md), one row per "
        "invoice. Every row is checked first; if any is invalid nothing is imported unless --skip-invalid. "
        "Rows already imported (same facility, invoice number and period) are skipped. New invoices get "
        "source=bulk_file and their emissions are calculated by background jobs. --dry-run lists every row "
        "with its quantity as written and as read. "
        "Example: manage.py import_invoices invoices.xlsx --organization 3f2c...e1 --user alice --dry-run"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The .csv or .xlsx file (its first row names the columns).")
        parser.add_argument("--organization", required=True, help="Id of the organization the invoices belong to.")
        parser.add_argument("--user", help="Username recorded as uploaded_by on the new invoices.")
        parser.add_argument(
            "--sheet",
            help="The workbook's sheet to read (default: the first whose first non-empty row names the columns).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and list what each row would do; write nothing."
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid rows and report the invalid ones as skipped."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_from_option(options["organization"])
        user = user_from_option(options["user"])
        dry_run = options["dry_run"]
        with ProgressBars(enabled=not options["no_progress"]) as bars:
            report = invoice_import(
                organization=organization,
                source=options["path"],
                sheet=options["sheet"],
                uploaded_by=user,
                dry_run=dry_run,
                skip_invalid=options["skip_invalid"],
                trigger="command",
                progress=bars,
                on_row=self._show_row if dry_run else None,
                on_error=self._show_error,
            )
        if report.blocked:
            raise ImportRowsInvalid(
                f"{report.invalid_rows_count} of {counted(report.rows_total, 'row')} "
                f"{ngettext('is', 'are', report.invalid_rows_count)} invalid; nothing was imported "
                "(fix them, or use --skip-invalid to import the others)."
            )
        self.stdout.write(self._summary(report))

    def _show_error(self, error: RowError) -> None:
        self.stderr.write(str(error))

    def _show_row(self, outcome: RowOutcome) -> None:
        row = outcome.row
        read = f"quantity {row.quantity_text!r} read as {plain_number(row.quantity)} {row.unit.code}"
        if outcome.is_new:
            self.stdout.write(f"row {row.row}, {row.invoice_number}: {read}; would be created.")
        else:
            self.stdout.write(
                f"row {row.row}, {row.invoice_number}: {read}; already imported as invoice "
                f"{outcome.existing_number!r} ({outcome.existing_id}), skipped."
            )

    @staticmethod
    def _summary(report: ImportReport) -> str:
        verb = "would be created (dry run: nothing was written)" if report.dry_run else "created"
        new = report.new_count if report.dry_run else report.created
        lines = [f"{counted(report.rows_total, 'row')} read; {counted(new, 'invoice')} {verb}."]
        if report.sheet:
            lines.append(f"Read from sheet {report.sheet!r}.")
        if report.already_imported_count:
            rows = _row_list([outcome.row.row for outcome in report.already_imported], report.already_imported_count)
            lines.append(f"{report.already_imported_count} already imported, skipped ({_rows_word(rows)}).")
        if report.invalid_rows_count:
            invalid = _row_list(sorted({error.row for error in report.errors}), report.invalid_rows_count)
            lines.append(f"{counted(report.invalid_rows_count, 'invalid row')} skipped ({_rows_word(invalid)}).")
        if report.job_ids:
            lines.append(f"Emissions are being calculated by {counted(len(report.job_ids), 'background job')}:")
            lines += [f"  {job_id}" for job_id in report.job_ids]
        lines += [f"Emissions not started for {problem}" for problem in report.calculation_problems]
        return "\n".join(lines)


def _rows_word(listed: str) -> str:
    """`row 3` or `rows 3, 5`: the list as _row_list writes it."""
    return f"{'rows' if ',' in listed or ' and ' in listed else 'row'} {listed}"


def _row_list(rows: list[int], count: int, limit: int = 20) -> str:
    shown = ", ".join(str(row) for row in rows[:limit])
    return shown + (f" and {count - min(limit, len(rows))} more" if count > min(limit, len(rows)) else "")
