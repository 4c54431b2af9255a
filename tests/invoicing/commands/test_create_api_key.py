"""create_api_key: one organization per name whatever its case, and a country that never contradicts it."""

from __future__ import annotations

import json

import pytest
from django.core.management.base import CommandError

from invoicing.models import ApiKey, Organization

pytestmark = pytest.mark.django_db


def test_it_creates_the_organization_and_a_key_and_says_so(run_command):
    output = run_command("create_api_key", "--organization-name", "Acme  S.L.", "--country", "gb")

    body = json.loads(output.stdout)
    organization = Organization.objects.get()
    assert (organization.name, organization.country) == ("Acme S.L.", "GB")
    assert body["organization_id"] == str(organization.id)
    assert body["organization_created"] is True
    assert ApiKey.objects.get().prefix == body["api_key"].split(".")[0]
    assert output.stderr.strip() == "Created organization Acme S.L. (GB)."


def test_a_name_in_another_case_finds_the_same_organization(run_command):
    existing = Organization.objects.create(name="Demo Renovables S.L.", country="ES")

    output = run_command("create_api_key", "--organization-name", "demo renovables s.l.")

    assert Organization.objects.count() == 1
    assert json.loads(output.stdout)["organization_id"] == str(existing.id)
    assert json.loads(output.stdout)["organization_created"] is False
    assert output.stderr.strip() == "Found organization Demo Renovables S.L. (ES)."


def test_a_country_that_contradicts_the_organization_found_is_refused(run_command):
    Organization.objects.create(name="Demo Renovables S.L.", country="ES")

    with pytest.raises(CommandError) as error:
        run_command("create_api_key", "--organization-name", "Demo Renovables S.L.", "--country", "GB")

    assert str(error.value) == "Demo Renovables S.L. already exists with country ES, not GB. [VALIDATION_ERROR]"
    assert not ApiKey.objects.exists()


def test_a_country_that_does_not_exist_is_refused(run_command):
    with pytest.raises(CommandError) as error:
        run_command("create_api_key", "--organization-name", "Nowhere Ltd", "--country", "zz")

    assert str(error.value) == "'ZZ' is not an ISO 3166-1 alpha-2 country code such as ES, GB or FR. [VALIDATION_ERROR]"
    assert not Organization.objects.exists()
