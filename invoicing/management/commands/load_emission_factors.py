from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoicing.errors import DomainError
from invoicing.services.emission_factors import emission_factor_dataset_load

MAX_ROWS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Load emission-factor datasets, all or nothing: a CSV in the format of the shipped files "
        "(invoicing/emissions/data; docs/emissions.md, 'Dataset file format') or the official DESNZ flat-file "
        "spreadsheet (.xlsx, 2023 edition on). Loading the same figures twice changes nothing; a dataset version "
        "already loaded with other figures is refused (DATASET_VERSION_CONFLICT): load a corrected publication "
        "with --version, beside the old one. Stored results change only when invoices are recalculated. "
        "Example: manage.py load_emission_factors ghg-conversion-factors-2025-flat-format.xlsx"
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version names a dataset version here; it replaces Django's "show the program's version".
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="A .csv in the shipped format or the DESNZ flat file (.xlsx).")
        parser.add_argument(
            "--version",
            dest="dataset_version",
            metavar="TEXT",
            help="The dataset version to load the file as, instead of its own (e.g. '2024 flat file v1.2, corrected').",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcomes = emission_factor_dataset_load(path=Path(options["path"]), version=options["dataset_version"])
        except DomainError as error:
            rows = [f"  {where}: {'; '.join(reasons)}" for where, reasons in error.errors.items()]
            for line in rows[:MAX_ROWS_SHOWN]:
                self.stderr.write(line)
            if len(rows) > MAX_ROWS_SHOWN:
                self.stderr.write(f"  … and {len(rows) - MAX_ROWS_SHOWN} more bad rows")
            raise CommandError(f"{error.detail} [{error.code}]") from None
        for outcome in outcomes:
            if outcome.created:
                self.stdout.write(f"Loaded {outcome.label}: {outcome.rows} factors (dataset {outcome.dataset_id}).")
            else:
                self.stdout.write(f"Unchanged: {outcome.label} is already loaded with the same {outcome.rows} figures.")
