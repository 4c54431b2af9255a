from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from invoicing.imports import ImportReport, ImportRowsInvalid, invoice_import
from invoicing.management.base import DomainCommand, ProgressBars, organization_from_option, user_from_option


class Command(DomainCommand):
    help = (
        "Import invoices from a CSV or XLSX file in the documented template (docs/imports.md), one row per "
        "invoice. Every row is checked first; if any is invalid nothing is imported unless --skip-invalid. "
        "Rows already imported (same facility, invoice number and period) are skipped. New invoices get "
        "source=bulk_file and their emissions are calculated by background jobs. "
        "Example: manage.py import_invoices invoices.xlsx --organization 3f2c...e1 --user alice --dry-run"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The .csv or .xlsx file (first sheet; first row names the columns).")
        parser.add_argument("--organization", required=True, help="Id of the organization the invoices belong to.")
        parser.add_argument("--user", help="Username recorded as uploaded_by on the new invoices.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid rows and report the invalid ones as skipped."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_from_option(options["organization"])
        user = user_from_option(options["user"])
        with ProgressBars(enabled=not options["no_progress"]) as bars:
            report = invoice_import(
                organization=organization,
                source=options["path"],
                uploaded_by=user,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                trigger="command",
                progress=bars,
            )
        for error in report.errors:
            self.stderr.write(str(error))
        if report.blocked:
            raise ImportRowsInvalid(
                f"{len(report.invalid_rows)} of {report.rows_total} rows are invalid; nothing was imported "
                "(fix them, or use --skip-invalid to import the others)."
            )
        self.stdout.write(self._summary(report))

    @staticmethod
    def _summary(report: ImportReport) -> str:
        verb = "would be created (dry run: nothing was written)" if report.dry_run else "created"
        new = len(report.new) if report.dry_run else report.created
        lines = [f"{report.rows_total} rows read; {new} invoices {verb}."]
        if report.already_imported:
            rows = _row_list([row.row for row in report.already_imported])
            lines.append(f"{len(report.already_imported)} already imported, skipped (rows {rows}).")
        if report.errors:
            lines.append(f"{len(report.invalid_rows)} invalid rows skipped (rows {_row_list(report.invalid_rows)}).")
        if report.job_ids:
            lines.append(f"Emissions are being calculated by {len(report.job_ids)} background jobs:")
            lines += [f"  {job_id}" for job_id in report.job_ids]
        lines += [f"Emissions not started for {problem}" for problem in report.calculation_problems]
        return "\n".join(lines)


def _row_list(rows: list[int], limit: int = 20) -> str:
    shown = ", ".join(str(row) for row in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
