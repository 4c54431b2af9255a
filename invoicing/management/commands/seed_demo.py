from typing import Any

from django.core.management.base import CommandParser

from invoicing.errors import ValidationError
from invoicing.management.base import DomainCommand
from invoicing.services.demo import demo_seed
from invoicing.text import counted


class Command(DomainCommand):
    help = (
        "Create the demo organization (Spanish and UK sites, catalogue suppliers, contracts with and without "
        "guarantees of origin, fuels, valid CUPS) and top its invoices up to N across types, statuses, sources "
        "and two years; starts the emission jobs of the new invoices and prints a fresh API key (older demo "
        "keys are revoked). Idempotent. Example: manage.py seed_demo --invoices 300"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--invoices", type=int, default=300, help="Total demo invoices wanted (default 300).")
        parser.add_argument(
            "--no-calculate", action="store_true", help="Do not start the emission jobs of the new invoices."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        invoices = options["invoices"]
        if invoices < 0:
            raise ValidationError("--invoices must be 0 or more.")
        result = demo_seed(invoices=invoices, calculate=not options["no_calculate"])
        self.stdout.write(
            f"Demo organization {result.organization.name} ({result.organization.id}): "
            f"{counted(result.invoices_created, 'invoice')} created, {result.invoices_total} in all."
        )
        if result.job_ids:
            self.stdout.write(
                f"Emissions of the new invoices: {counted(len(result.job_ids), 'background job')} started."
            )
        for problem in result.calculation_problems:
            self.stderr.write(f"Emissions not started for {problem}")
        self.stdout.write(f"x-organization-id: {result.organization.id}\nx-api-key: {result.api_key}")
        self.stdout.write("(a new demo key on every run: the previous one is revoked, since keys are stored hashed)")
