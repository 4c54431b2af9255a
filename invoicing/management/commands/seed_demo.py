from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoicing.services.demo import demo_seed


class Command(BaseCommand):
    help = (
        "Create the demo organization (Spanish and UK sites, suppliers, contracts, fuels) and top its "
        "invoices up to N; prints a fresh API key. Idempotent. Example: manage.py seed_demo --invoices 300"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--invoices", type=int, default=300, help="Total demo invoices wanted (default 300).")

    def handle(self, *args: object, **options: object) -> None:
        invoices = options["invoices"]
        assert isinstance(invoices, int)
        if invoices < 0:
            raise CommandError("--invoices must be 0 or more.")
        result = demo_seed(invoices=invoices)
        self.stdout.write(
            f"Demo organization {result.organization.name} ({result.organization.id}): "
            f"{result.invoices_created} invoices created, {result.invoices_total} in all.\n"
            f"x-organization-id: {result.organization.id}\n"
            f"x-api-key: {result.api_key}"
        )
