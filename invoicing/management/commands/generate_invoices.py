"""Generate synthetic organizations and invoices (COPY-based) for benchmarks and demos."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from invoicing.errors import ValidationError
from invoicing.management.base import DomainCommand
from invoicing.services.generation import invoices_generate


def _count(name: str, raw: str) -> int:
    try:
        return int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise ValidationError(f"--{name} must be a whole number, not {raw!r}.") from None


class Command(DomainCommand):
    help = (
        "Create K new organizations (with facilities, supply contracts and fuels) holding N invoices in "
        "total, streamed with PostgreSQL COPY. Prints a JSON summary.\n"
        "Example: manage.py generate_invoices --organizations 10 --invoices 1000000"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organizations", required=True, help="K: organizations to create.")
        parser.add_argument("--invoices", required=True, help="N: invoices in total, e.g. 1_000_000.")
        parser.add_argument("--name-prefix", default="Generated", help='Organizations are named "<prefix> 01"...')
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

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
        summary = {
            "organizations": [str(o.id) for o in result.organizations],
            "facilities": result.facilities,
            "invoices": result.invoices,
            "seconds": round(result.seconds, 1),
        }
        self.stdout.write(json.dumps(summary))
