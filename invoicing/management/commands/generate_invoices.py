"""Generate synthetic organizations and invoices (COPY-based) for benchmarks and demos."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from invoicing.choices import InvoiceType
from invoicing.errors import ValidationError
from invoicing.management.base import DomainCommand
from invoicing.models import Invoice
from invoicing.services.generation import invoices_generate
from invoicing.services.recalculation import new_invoices_calculation_start


def _count(name: str, raw: str) -> int:
    try:
        return int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise ValidationError(f"--{name} must be a whole number, not {raw!r}.") from None


class Command(DomainCommand):
    help = (
        "Create K new organizations (with facilities, supply contracts and fuels) holding N invoices in "
        "total, streamed with PostgreSQL COPY, uncalculated like any new bill (--calculate starts their emission "
        "jobs). Prints a JSON summary.\n"
        "Example: manage.py generate_invoices --organizations 10 --invoices 1000000"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organizations", required=True, help="K: organizations to create.")
        parser.add_argument("--invoices", required=True, help="N: invoices in total, e.g. 1_000_000.")
        parser.add_argument("--name-prefix", default="Generated", help='Organizations are named "<prefix> 01"...')
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--calculate",
            action="store_true",
            help="Start the emission jobs of the new invoices (a worker calculates them), as for any new bill.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{done:,} invoices")

        result = invoices_generate(
            organizations=_count("organizations", options["organizations"]),
            invoices=_count("invoices", options["invoices"]),
            name_prefix=options["name_prefix"],
            seed=options["seed"],
            progress=progress,
        )
        job_ids: list[str] = []
        if options["calculate"]:
            for organization in result.organizations:
                invoices = Invoice.objects.filter(organization=organization)
                started = new_invoices_calculation_start(
                    organization=organization,
                    invoice_ids_by_type={kind: invoices for kind in InvoiceType.values},
                    trigger="command",
                )
                job_ids.extend(str(job_id) for job_id in started.job_ids)
        summary = {
            "organizations": [str(o.id) for o in result.organizations],
            "facilities": result.facilities,
            "invoices": result.invoices,
            "seconds": round(result.seconds, 1),
            "processing_job_ids": job_ids,
        }
        self.stdout.write(json.dumps(summary))
