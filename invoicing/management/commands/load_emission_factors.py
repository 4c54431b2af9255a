from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoicing.errors import DomainError
from invoicing.services.emission_factors import emission_factor_dataset_load

MAX_ROWS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Load an emission-factor dataset, all or nothing: a CSV in the documented format (docs/emissions.md, "
        "'Dataset file format') or the official DESNZ flat-file spreadsheet (.xlsx). Loading the same file twice "
        "changes nothing; a dataset version already loaded with other figures is refused (load it as a new "
        "version). Stored results change only when invoices are recalculated. "
        "Example: manage.py load_emission_factors ghg-conversion-factors-2024-flat-format.xlsx"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="A .csv in our format or the DESNZ flat file (.xlsx).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = emission_factor_dataset_load(path=Path(options["path"]))
        except DomainError as error:
            rows = [f"  {where}: {'; '.join(reasons)}" for where, reasons in error.errors.items()]
            for line in rows[:MAX_ROWS_SHOWN]:
                self.stderr.write(line)
            if len(rows) > MAX_ROWS_SHOWN:
                self.stderr.write(f"  … and {len(rows) - MAX_ROWS_SHOWN} more bad rows")
            raise CommandError(f"{error.detail} [{error.code}]") from None
        if outcome.created:
            self.stdout.write(f"Loaded {outcome.label}: {outcome.rows} factors (dataset {outcome.dataset_id}).")
        else:
            self.stdout.write(f"Unchanged: {outcome.label} is already loaded with the same {outcome.rows} factors.")
