"""The "Recalculate emissions…" bulk action: intermediate page, the shared service, errors with codes."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from jobs.models import ProcessingJob
from tests.factories import make_facility_fuel, make_invoice, unit

CHANGELIST = reverse("admin:invoicing_invoice_changelist")


def action_post(invoices, **extra):  # type: ignore[no-untyped-def]
    data = {"action": "recalculate_emissions", "index": "0", ACTION_CHECKBOX_NAME: [str(i.pk) for i in invoices]}
    data.update(extra)
    return data


def heat_invoice(tenant, **overrides):  # type: ignore[no-untyped-def]
    fuel = make_facility_fuel(tenant.facility)
    return make_invoice(tenant.facility, type="heat", facility_fuel=fuel, unit=unit("kwh"), **overrides)


@pytest.fixture
def root(client, superuser):  # type: ignore[no-untyped-def]
    client.force_login(superuser)
    return client


def test_the_intermediate_page_counts_the_selection_and_offers_only_applicable_categories(root, acme) -> None:
    invoices = [make_invoice(acme.facility) for _ in range(3)]
    response = root.post(CHANGELIST, action_post(invoices))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="selected-count">3<' in html
    assert 'value="electricity_location_based"' in html
    assert 'value="energy"' in html
    assert 'value="stationary"' not in html
    assert not ProcessingJob.objects.exists()


def test_select_all_across_pages_counts_every_matching_invoice(root, acme) -> None:
    invoices = [make_invoice(acme.facility) for _ in range(55)]
    page = invoices[:50]
    response = root.post(CHANGELIST + "?type__exact=electricity", action_post(page, select_across="1"))
    html = response.content.decode()
    assert 'data-testid="selected-count">55<' in html
    assert 'name="select_across" value="1"' in html


def test_confirming_starts_one_job_per_category_through_the_service_and_shows_them(root, acme, superuser) -> None:
    invoices = [make_invoice(acme.facility) for _ in range(3)]
    response = root.post(
        CHANGELIST,
        action_post(invoices, confirm="yes", activity_categories=["electricity", "energy"]),
    )
    assert response.status_code == 302
    jobs = ProcessingJob.objects.all()
    assert {job.activity_category for job in jobs} == {"electricity", "energy"}
    assert all(job.items_total == 3 and job.trigger == "admin" and job.triggered_by == superuser for job in jobs)
    assert response["Location"].startswith(reverse("admin:jobs_processingjob_changelist") + "?id__in=")
    listing = root.get(response["Location"]).content.decode()
    assert "2 jobs queued" in listing
    for job in jobs:
        assert str(job.id) in listing


def test_confirming_select_all_recalculates_the_whole_filtered_set(root, acme) -> None:
    invoices = [make_invoice(acme.facility) for _ in range(55)]
    make_invoice(acme.facility, status="review")
    root.post(
        CHANGELIST + "?status__exact=active",
        action_post(invoices[:50], select_across="1", confirm="yes", activity_categories=["electricity"]),
    )
    assert ProcessingJob.objects.get().items_total == 55


def test_a_category_that_does_not_apply_is_refused_with_its_code(root, acme) -> None:
    invoices = [make_invoice(acme.facility)]
    response = root.post(
        CHANGELIST, action_post(invoices, confirm="yes", activity_categories=["stationary"]), follow=True
    )
    assert "ACTIVITY_CATEGORY_MISMATCH" in response.content.decode()
    assert not ProcessingJob.objects.exists()


def test_mixed_heat_and_electricity_offer_only_energy_and_refuse_others_with_their_code(root, acme) -> None:
    invoices = [make_invoice(acme.facility), heat_invoice(acme)]
    html = root.post(CHANGELIST, action_post(invoices)).content.decode()
    assert 'value="energy"' in html
    assert 'value="electricity"' not in html
    response = root.post(
        CHANGELIST, action_post(invoices, confirm="yes", activity_categories=["electricity"]), follow=True
    )
    assert "MIXED_INVOICE_TYPES" in response.content.decode()
    assert not ProcessingJob.objects.exists()


def test_water_invoices_are_explained_as_unsupported(root, acme) -> None:
    invoices = [make_invoice(acme.facility, type="water", unit=unit("m3"))]
    html = root.post(CHANGELIST, action_post(invoices)).content.decode()
    assert "UNSUPPORTED_INVOICE_TYPE" in html
    response = root.post(CHANGELIST, action_post(invoices, confirm="yes", activity_categories=["energy"]), follow=True)
    assert "UNSUPPORTED_INVOICE_TYPE" in response.content.decode()
    assert not ProcessingJob.objects.exists()


def test_a_selection_spanning_two_organizations_is_refused(root, acme, borealis) -> None:
    invoices = [make_invoice(acme.facility), make_invoice(borealis.facility)]
    response = root.post(CHANGELIST, action_post(invoices), follow=True)
    assert "MULTIPLE_ORGANIZATIONS" in response.content.decode()
    assert not ProcessingJob.objects.exists()


def test_a_member_cannot_recalculate_another_organizations_invoices(client, staff_user, borealis) -> None:
    theirs = [make_invoice(borealis.facility)]
    client.force_login(staff_user)
    response = client.post(
        CHANGELIST, action_post(theirs, confirm="yes", activity_categories=["electricity"]), follow=True
    )
    assert response.status_code == 200
    assert not ProcessingJob.objects.exists()


def test_a_members_select_all_covers_only_their_organization(client, staff_user, acme, borealis) -> None:
    mine = [make_invoice(acme.facility) for _ in range(2)]
    make_invoice(borealis.facility)
    client.force_login(staff_user)
    client.post(CHANGELIST, action_post(mine, select_across="1", confirm="yes", activity_categories=["electricity"]))
    job = ProcessingJob.objects.get()
    assert job.organization == acme.organization
    assert job.items_total == 2
