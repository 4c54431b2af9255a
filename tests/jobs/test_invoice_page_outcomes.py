"""The admin invoice page shows, for each category of the invoice's type, its number, the reason it has
none (code, message, when, job) or that a job has still to calculate it."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from invoicing.models import InvoiceEmission
from jobs.models import ACTIVE_STATUSES, ProcessingJob
from tests.factories import make_facility_fuel, make_invoice
from tests.jobs.scenarios import recalculated

pytestmark = pytest.mark.django_db


def outcome_row(page: str, category: str) -> tuple[str, str]:
    """(data-state, the row's cells as text joined by " | ") of a category in the "by category" table."""
    match = re.search(rf'<tr data-category="{category}" data-state="(\w+)">(.*?)</tr>', page, re.S)
    assert match is not None, category
    cells = re.sub(r"<[^>]+>", "", re.sub(r"</t[hd]>", " | ", match.group(2)))
    return match.group(1), html.unescape(re.sub(r"\s+", " ", cells)).strip(" |")


def test_a_failed_category_shows_its_reason_until_a_correction_and_a_recalculation_give_it_a_number(
    client, acme, superuser, run_jobs, django_capture_on_commit_callbacks
) -> None:
    client.force_login(superuser)
    invoice = make_invoice(acme.facility, type="heat", facility_fuel=None)  # 1,500 kWh, January 2024
    job = recalculated(acme, [invoice], "stationary", run_jobs)
    url = reverse("admin:invoicing_invoice_change", args=[invoice.id])

    page = client.get(url).content.decode()
    state, text = outcome_row(page, "stationary")
    assert state == "failed"
    assert text.startswith("Fuel combustion (Scope 1; purchased heat: Scope 2) | no number | NO_FUEL: ")
    assert "The heat invoice has no facility fuel, so no fuel factor applies." in text
    assert f"job {str(job.id)[:8]}" in text
    assert reverse("admin:jobs_processingjob_change", args=[job.id]) in page
    assert outcome_row(page, "stationary_generation")[0] == "not_calculated"
    assert outcome_row(page, "energy")[0] == "not_calculated"
    assert 'data-category="electricity"' not in page  # not a heat category

    # The correction (through the API) schedules the invoice's categories: pending until the jobs run.
    fuel = make_facility_fuel(acme.facility, "natural_gas")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/v1/invoices/{invoice.id}",
            json.dumps({"facility_fuel_id": str(fuel.id)}),
            content_type="application/json",
            **acme.headers,
        )
    assert response.status_code == 200, response.content
    state, text = outcome_row(client.get(url).content.decode(), "stationary")
    assert state == "pending"
    assert text.startswith("Fuel combustion (Scope 1; purchased heat: Scope 2) | no number | pending: ")
    assert "last outcome: NO_FUEL" in text

    run_jobs(ProcessingJob.objects.filter(status__in=ACTIVE_STATUSES).values_list("id", flat=True))
    page = client.get(url).content.decode()
    row = InvoiceEmission.objects.get(invoice=invoice, category="stationary")
    state, text = outcome_row(page, "stationary")
    assert state == "calculated"
    assert text.startswith("Fuel combustion (Scope 1; purchased heat: Scope 2) | 273 kg CO2e | calculated ")
    assert row.kg_co2e == 273  # 1,500 kWh x MITECO's 0.182 kg/kWh
    assert f"job {str(row.job_id)[:8]}" in text
    state, text = outcome_row(page, "energy")
    assert (state, text.split(" | ")[:2]) == ("calculated", ["Energy use (kWh, not an emission)", "1500 kWh"])


def test_a_water_invoice_says_no_category_applies(client, acme, superuser) -> None:
    client.force_login(superuser)
    invoice = make_invoice(acme.facility, type="water", unit_code="m3")
    page = client.get(reverse("admin:invoicing_invoice_change", args=[invoice.id])).content.decode()
    assert "No activity category applies to Water invoices." in page
