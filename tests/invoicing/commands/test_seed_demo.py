from __future__ import annotations

import re

import pytest
from django.core.management.base import CommandError

from invoicing.cups import is_valid_cups
from invoicing.models import ApiKey, Facility, Invoice, Organization, SupplyContract
from jobs.models import ProcessingJob

pytestmark = pytest.mark.django_db


def printed_key(stdout: str) -> tuple[str, str]:
    organization_id = re.search(r"^x-organization-id: (\S+)$", stdout, re.MULTILINE)
    api_key = re.search(r"^x-api-key: (\S+)$", stdout, re.MULTILINE)
    assert organization_id
    assert api_key
    return organization_id.group(1), api_key.group(1)


def test_it_creates_a_realistic_spanish_and_british_organization(run_command):
    run_command("seed_demo", "--invoices", "120")

    organization = Organization.objects.get()
    facilities = Facility.objects.filter(organization=organization)
    assert {facility.country for facility in facilities} == {"ES", "GB"}
    contracts = SupplyContract.objects.filter(facility__organization=organization)
    assert {contract.covered_by_guarantees_of_origin for contract in contracts} == {True, False}
    all_cups = [c for f in facilities for c in f.cups] + [c.cups for c in contracts if c.cups]
    assert all_cups
    assert all(is_valid_cups(cups) for cups in all_cups)
    invoices = Invoice.objects.filter(organization=organization)
    assert invoices.count() == 120
    assert set(invoices.values_list("type", flat=True)) == {"heat", "electricity", "water", "recharge"}
    assert len(set(invoices.values_list("status", flat=True))) >= 5
    assert {None, "manual", "bulk_file"} <= set(invoices.values_list("source", flat=True))
    assert {invoice.start_date.year for invoice in invoices} == {2023, 2024}
    assert invoices.filter(type="heat", facility_fuel__isnull=True).count() == 0


def test_it_is_idempotent_and_tops_the_invoices_up(run_command):
    run_command("seed_demo", "--invoices", "50")

    again = run_command("seed_demo", "--invoices", "50")
    more = run_command("seed_demo", "--invoices", "80")

    assert Organization.objects.count() == 1
    assert Facility.objects.count() == 5
    assert Invoice.objects.count() == 80
    assert again.stdout.splitlines()[0].endswith(": 0 invoices created, 50 in all.")
    assert more.stdout.splitlines()[0].endswith(": 30 invoices created, 80 in all.")


def test_the_printed_key_is_the_only_working_demo_key(run_command, client):
    first = run_command("seed_demo", "--invoices", "10")
    second = run_command("seed_demo", "--invoices", "10")
    organization_id, key = printed_key(second.stdout)
    _, old_key = printed_key(first.stdout)

    response = client.get("/v1/invoices", HTTP_X_API_KEY=key, HTTP_X_ORGANIZATION_ID=organization_id)
    refused = client.get("/v1/invoices", HTTP_X_API_KEY=old_key, HTTP_X_ORGANIZATION_ID=organization_id)

    assert response.status_code == 200
    assert response.json()["total"] == 10
    assert refused.status_code in (401, 403)
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1


def test_it_starts_the_emission_jobs_of_the_new_invoices_only(run_command):
    run_command("seed_demo", "--invoices", "40")
    jobs_after_first = ProcessingJob.objects.count()

    run_command("seed_demo", "--invoices", "40")

    assert jobs_after_first > 0
    assert set(ProcessingJob.objects.values_list("trigger", flat=True)) == {"system"}
    assert ProcessingJob.objects.count() == jobs_after_first


def test_a_negative_count_is_refused(run_command, db):
    with pytest.raises(CommandError) as error:
        run_command("seed_demo", "--invoices", "-1")

    assert str(error.value) == "--invoices must be 0 or more. [VALIDATION_ERROR]"


def test_the_documented_import_template_imports_into_the_demo_organization_as_it_is(run_command, settings):
    from pathlib import Path

    run_command("seed_demo", "--invoices", "20")
    organization = Organization.objects.get()
    template = Path(settings.BASE_DIR) / "docs" / "import_template.csv"

    output = run_command("import_invoices", str(template), "--organization", str(organization.id), "--dry-run")

    assert output.stdout.splitlines()[-1].startswith("3 rows read; 3 invoices would be created")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_jobs_mostly_succeed_and_fail_only_where_no_source_publishes_a_factor(run_command, queue, drain_queue):
    from jobs.models import ProcessingJobError

    run_command("seed_demo", "--invoices", "120")
    drain_queue()

    jobs = list(ProcessingJob.objects.all())
    clean = [job for job in jobs if job.status == "COMPLETED" and job.items_failed == 0]
    assert len(clean) >= 2 * len(jobs) / 3
    failures = ProcessingJobError.objects.select_related("job").values_list("job__activity_category", "code")
    deliberate = {
        ("stationary_generation", "NO_FACTOR"),  # Spain: no published well-to-tank factor
        ("electricity_generation", "NO_FACTOR"),
        ("electricity_transmission_and_distribution", "NO_FACTOR"),
        ("energy", "NO_CALORIFIC_VALUE"),  # oil in litres, pellets in kg: no sourced calorific value
    }
    assert set(failures) <= deliberate
    for message in ProcessingJobError.objects.filter(code="NO_FACTOR").values_list("message", flat=True):
        assert " in ES " in message
        assert "Known gaps" in message
