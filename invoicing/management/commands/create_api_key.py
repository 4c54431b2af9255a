"""Create an organization (if needed) and an API key for it; print both as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from invoicing.management.base import DomainCommand
from invoicing.services.organizations import api_key_create, organization_get_or_create


class Command(DomainCommand):
    help = (
        "Create an API key for an organization, creating the organization if no organization has that name "
        "(names match without regard to case). Prints "
        '{"organization_id": "...", "api_key": "...", "organization_created": true|false}; the key is shown only '
        "once. Says on stderr whether the organization was created or found.\n"
        'Example: manage.py create_api_key --organization-name "Acme S.L." --country ES'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization-name", required=True, help="Name of the organization.")
        parser.add_argument(
            "--country",
            help="ISO 3166-1 alpha-2 country: of a new organization (default ES), or checked against an existing one.",
        )
        parser.add_argument("--key-name", default="default", help="A label for the key (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        organization, created = organization_get_or_create(
            name=options["organization_name"], country=options["country"]
        )
        key = api_key_create(organization=organization, name=options["key_name"])
        verb = "Created" if created else "Found"
        self.stderr.write(f"{verb} organization {organization.name} ({organization.country}).")
        self.stdout.write(
            json.dumps(
                {"organization_id": str(organization.id), "api_key": key.plaintext, "organization_created": created}
            )
        )
