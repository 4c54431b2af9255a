"""Create an organization (if needed) and an API key for it; print both as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoicing.errors import DomainError
from invoicing.services.organizations import api_key_create, organization_get_or_create


class Command(BaseCommand):
    help = (
        "Create an API key for an organization, creating the organization if needed. Prints "
        '{"organization_id": "...", "api_key": "..."}; the key is shown only once.\n'
        'Example: python manage.py create_api_key --organization-name "Acme S.L." --country ES'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization-name", required=True, help="Name of the organization.")
        parser.add_argument("--country", default="ES", help="ISO 3166-1 alpha-2 country for a new organization.")
        parser.add_argument("--key-name", default="default", help="A label for the key (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization, _ = organization_get_or_create(name=options["organization_name"], country=options["country"])
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        key = api_key_create(organization=organization, name=options["key_name"])
        self.stdout.write(json.dumps({"organization_id": str(organization.id), "api_key": key.plaintext}))
