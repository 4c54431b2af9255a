"""`manage.py generate_invoices`: synthetic data that keeps every database rule."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from invoicing.cups import cups_base, is_valid_cups
from invoicing.models import Facility, FacilityFuel, Invoice, SupplyContract

pytestmark = pytest.mark.django_db


def generate(*args: str) -> dict:  # type: ignore[type-arg]
    out = StringIO()
    call_command("generate_invoices", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_spreads_invoices_over_new_organizations_with_sites_contracts_and_fuels():
    summary = generate("--organizations", "3", "--invoices", "3001")
    assert summary["invoices"] == 3001
    per_org = dict(
        Invoice.objects.values_list("organization_id").annotate(n=Count("id")).values_list("organization_id", "n")
    )
    assert sorted(per_org.values()) == [1000, 1000, 1001]
    assert {str(o) for o in per_org} == set(summary["organizations"])
    assert Facility.objects.count() == summary["facilities"]
    assert SupplyContract.objects.count() == summary["facilities"]
    assert FacilityFuel.objects.exists()


def test_the_rows_are_realistic_and_consistent():
    generate("--organizations", "2", "--invoices", "2000")
    assert set(Invoice.objects.values_list("type", flat=True)) == {"electricity", "heat", "water", "recharge"}
    assert len(set(Invoice.objects.values_list("status", flat=True))) >= 5
    assert None in set(Invoice.objects.values_list("source", flat=True))
    numbers = list(Invoice.objects.values_list("invoice_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    for invoice in Invoice.objects.exclude(cups=None).select_related("facility")[:200]:
        cups = str(invoice.cups)
        assert is_valid_cups(cups)
        assert cups_base(cups) in {cups_base(c) for c in invoice.facility.cups}
    assert not Invoice.objects.exclude(facility__organization=F("organization")).exists()
    heat = Invoice.objects.filter(type="heat")
    assert not heat.filter(facility_fuel=None).exists()
    # As any new bill: no co2e without the emission rows that make it, until a job calculates them.
    assert not Invoice.objects.filter(co2e__isnull=False).exists()
    assert not Invoice.objects.filter(total_energy_kwh__isnull=False).exists()
    electricity = Invoice.objects.filter(type="electricity").select_related("supply_contract")
    assert not electricity.filter(supply_contract=None).exists()
    for invoice in electricity[:50]:
        assert invoice.supply_contract is not None
        assert invoice.supplier_id == invoice.supply_contract.supplier_id


def test_calculate_starts_the_jobs_of_the_new_invoices_per_type_and_category():
    from jobs.models import ProcessingJob

    summary = generate("--organizations", "1", "--invoices", "300", "--calculate")

    jobs = ProcessingJob.objects.filter(id__in=summary["processing_job_ids"])
    assert {job.activity_category for job in jobs} == {
        "stationary",
        "stationary_generation",
        "electricity",
        "electricity_location_based",
        "electricity_generation",
        "electricity_transmission_and_distribution",
        "energy",
    }
    assert (
        sum(job.items_total for job in jobs.filter(activity_category="energy"))
        == Invoice.objects.filter(type__in=["heat", "electricity"]).count()
    )


def test_a_large_load_keeps_every_index():
    def indexes() -> set[str]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'invoicing_invoice'")
            return {row[0] for row in cursor.fetchall()}

    before = indexes()
    generate("--organizations", "1", "--invoices", "60000")
    assert indexes() == before
    assert Invoice.objects.count() == 60000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organizations", "0", "--invoices", "5"], "--organizations must be at least 1."),
        (["--organizations", "x", "--invoices", "5"], "--organizations must be a whole number, not 'x'"),
        (["--organizations", "1", "--invoices", "-5"], "--invoices must be 0 or more."),
    ],
)
def test_bad_input_is_one_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        generate(*args)


def test_a_name_already_taken_is_refused():
    generate("--organizations", "1", "--invoices", "1", "--name-prefix", "Dup")
    with pytest.raises(CommandError, match="already exists"):
        generate("--organizations", "1", "--invoices", "1", "--name-prefix", "Dup")
