"""A job's before/after is the sum of its own activity category over its invoices, in that category's unit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from invoicing.models import Invoice, InvoiceEmission
from jobs.models import ProcessingJob
from tests.factories import make_invoice, supplier
from tests.jobs.scenarios import recalculated

pytestmark = pytest.mark.django_db


def category_sum(invoices, category: str) -> Decimal:  # type: ignore[no-untyped-def]
    column = "kwh" if category == "energy" else "kg_co2e"
    rows = InvoiceEmission.objects.filter(invoice__in=invoices, category=category)
    return rows.aggregate(total=Sum(column))["total"] or Decimal(0)


@pytest.fixture
def bills(acme):  # type: ignore[no-untyped-def]
    """Two 1,500 kWh bills of January 2024 on the Iberdrola contract (MITECO v31: 0.275 kg/kWh), each with
    a headline co2e written by an old generator and no per-category rows behind it."""
    return [
        make_invoice(
            acme.facility,
            supplier=supplier("iberdrola-clientes"),
            supply_contract=acme.contract,
            start_date=date(2024, 1, 1),
            end_date=date(2024, 1, 31),
            co2e=Decimal("120352384.6"),
        )
        for _ in range(2)
    ]


def test_an_electricity_job_and_an_energy_job_each_total_their_own_category(acme, bills, run_jobs) -> None:
    electricity = recalculated(acme, bills, "electricity", run_jobs)
    energy = recalculated(acme, bills, "energy", run_jobs)

    assert (electricity.category_total_before, electricity.category_total_after) == (0, Decimal("825"))
    assert electricity.category_total_after == category_sum(bills, "electricity")
    assert electricity.category_total_unit == "kg_co2e"
    assert (energy.category_total_before, energy.category_total_after) == (0, Decimal("3000"))
    assert energy.category_total_after == category_sum(bills, "energy")
    assert energy.category_total_unit == "kwh"

    # A corrected quantity: each job's "before" is what its category held, its "after" what it holds now.
    Invoice.objects.filter(id=bills[0].id).update(quantity=Decimal("3000"))
    before = {category: category_sum(bills, category) for category in ("electricity", "energy")}
    electricity = recalculated(acme, bills, "electricity", run_jobs)
    energy = recalculated(acme, bills, "energy", run_jobs)

    assert electricity.category_total_before == before["electricity"] == Decimal("825")
    assert electricity.category_total_after == category_sum(bills, "electricity") == Decimal("1237.5")
    assert energy.category_total_before == before["energy"] == Decimal("3000")
    assert energy.category_total_after == category_sum(bills, "energy") == Decimal("4500")


def test_the_api_and_the_admin_show_the_totals_with_their_unit(client, acme, bills, run_jobs, superuser) -> None:
    energy = recalculated(acme, bills, "energy", run_jobs)
    electricity = recalculated(acme, bills, "electricity", run_jobs)

    body = client.get(f"/v1/processing-jobs/{energy.id}", **acme.headers).json()
    assert (body["category_total_before"], body["category_total_after"], body["category_total_unit"]) == (
        0,
        3000,
        "kwh",
    )
    listed = {item["id"]: item for item in client.get("/v1/processing-jobs", **acme.headers).json()["items"]}
    assert (
        listed[str(electricity.id)]["category_total_after"],
        listed[str(electricity.id)]["category_total_unit"],
    ) == (
        825,
        "kg_co2e",
    )

    client.force_login(superuser)
    page = client.get(reverse("admin:jobs_processingjob_change", args=[energy.id])).content.decode()
    assert ">3000 kWh<" in page
    assert ">0 kWh<" in page
    listing = client.get(reverse("admin:jobs_processingjob_changelist")).content.decode()
    assert ">825 kg CO2e<" in listing


def test_a_job_from_before_the_totals_keeps_them_unrecorded(client, acme, bills, run_jobs, superuser) -> None:
    from invoicing.services.recalculation import invoice_recalculation_start

    result = invoice_recalculation_start(
        organization=acme.organization, invoices=[b.id for b in bills], activity_categories=["energy"], trigger="api"
    )
    # As migration jobs.0005 leaves a job of the old meaning, even one that was still running.
    ProcessingJob.objects.filter(id__in=result.processing_job_ids).update(
        category_total_before=None, category_total_after=None
    )
    (job,) = run_jobs(result.processing_job_ids)

    assert (job.category_total_before, job.category_total_after) == (None, None)
    body = client.get(f"/v1/processing-jobs/{job.id}", **acme.headers).json()
    assert (body["category_total_before"], body["category_total_after"]) == (None, None)
    client.force_login(superuser)
    page = client.get(reverse("admin:jobs_processingjob_change", args=[job.id])).content.decode()
    assert "not recorded (job older than per-category totals)" in page
