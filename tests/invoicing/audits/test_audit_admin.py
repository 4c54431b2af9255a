"""The admin's "Audit findings" list, and the audit badges on the invoice list and page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoicing.services.invoices import invoice_create
from tests.conftest import Tenant
from tests.factories import unit

pytestmark = pytest.mark.django_db

FINDINGS = reverse("admin:invoicing_invoiceauditfinding_changelist")
INVOICES = reverse("admin:invoicing_invoice_changelist")


def bill(tenant: Tenant, number: str, start: date, end: date, quantity: str = "100") -> Any:
    return invoice_create(
        organization=tenant.organization,
        type="electricity",
        quantity=Decimal(quantity),
        unit_id=unit("kwh").id,
        start_date=start,
        end_date=end,
        facility_id=tenant.facility.id,
        invoice_number=number,
    )


@pytest.fixture
def root(client, superuser):  # type: ignore[no-untyped-def]
    client.force_login(superuser)
    return client


def test_the_findings_list_filters_by_code_and_links_to_the_invoices(root, acme) -> None:
    first = bill(acme, "JAN-A", date(2024, 1, 1), date(2024, 1, 31))
    second = bill(acme, "JAN-B", date(2024, 1, 1), date(2024, 1, 31))
    bill(acme, "MAR", date(2024, 3, 10), date(2024, 3, 31))  # a gap before it

    html = root.get(FINDINGS).content.decode()
    duplicates = root.get(FINDINGS, {"code__exact": "DUPLICATE"}).content.decode()

    assert all(code in html for code in ("DUPLICATE", "OVERLAPPING_PERIODS", "GAP"))
    assert "CUPS ES0021000000000001RK" in html
    assert reverse("admin:invoicing_invoice_change", args=[first.pk]) in html
    assert reverse("admin:invoicing_invoice_change", args=[second.pk]) in html
    assert "same period, 2024-01-01 to 2024-01-31" in duplicates
    assert "No bill of" not in duplicates
    for code in ("OVERLAPPING_PERIODS", "GAP", "DUPLICATE", "USAGE_OUTLIER"):
        assert f"code__exact={code}" in html  # every code is a filter choice


def test_a_supply_point_without_cups_is_named_by_its_facility_and_fuel(root, acme) -> None:
    from tests.factories import make_facility, make_facility_fuel

    site = make_facility(acme.organization, name="Zaragoza plant", country="ES")
    gas = make_facility_fuel(site, "natural_gas")
    for number in ("G-1", "G-2"):
        invoice_create(
            organization=acme.organization,
            type="heat",
            quantity=Decimal(900),
            unit_id=unit("kwh").id,
            start_date=date(2024, 1, 1),
            end_date=date(2024, 1, 31),
            facility_id=site.id,
            facility_fuel_id=gas.id,
            invoice_number=number,
        )

    html = root.get(FINDINGS).content.decode()

    assert "Heat · Zaragoza plant · Natural gas" in html


def test_invoices_with_findings_wear_a_badge_linking_to_them(root, acme) -> None:
    flagged = bill(acme, "JAN-A", date(2024, 1, 1), date(2024, 1, 31))
    bill(acme, "JAN-B", date(2024, 1, 1), date(2024, 1, 31))

    html = root.get(INVOICES).content.decode()
    page = root.get(reverse("admin:invoicing_invoice_change", args=[flagged.pk])).content.decode()
    own = root.get(FINDINGS, {"invoice": str(flagged.pk)}).content.decode()

    assert 'class="audit-badge audit-duplicate"' in html
    assert f"{FINDINGS}?invoice={flagged.pk}" in html
    assert 'class="audit-badge audit-overlapping_periods"' in page
    assert "same period, 2024-01-01 to 2024-01-31" in page
    assert own.count('class="audit-badge') == 2


def test_the_invoice_list_makes_no_query_per_row_for_the_badges(root, acme) -> None:
    bill(acme, "ONE", date(2024, 1, 1), date(2024, 1, 31))
    with CaptureQueriesContext(connection) as few:
        root.get(INVOICES)
    for day in range(2, 17):  # 15 more bills, each overlapping the first
        bill(acme, f"N-{day}", date(2024, 1, day), date(2024, 1, 31))
    with CaptureQueriesContext(connection) as many:
        root.get(INVOICES)
    assert len(many) == len(few)


def test_a_member_sees_only_the_findings_of_their_organizations(client, staff_user, acme, borealis) -> None:
    bill(acme, "MINE-A", date(2024, 1, 1), date(2024, 1, 31))
    bill(acme, "MINE-B", date(2024, 1, 1), date(2024, 1, 31))
    theirs = bill(borealis, "THEIRS-A", date(2024, 1, 1), date(2024, 1, 31))
    bill(borealis, "THEIRS-B", date(2024, 1, 1), date(2024, 1, 31))
    client.force_login(staff_user)

    html = client.get(FINDINGS).content.decode()
    filtered = client.get(FINDINGS, {"invoice": str(theirs.pk)}).content.decode()

    assert "MINE-A" in html
    assert "THEIRS" not in html
    assert "Borealis" not in html
    assert "THEIRS" not in filtered
    assert 'class="audit-badge' not in filtered


def test_a_bad_invoice_filter_value_shows_nothing_rather_than_failing(root, acme) -> None:
    bill(acme, "A", date(2024, 1, 1), date(2024, 1, 31))
    bill(acme, "B", date(2024, 1, 1), date(2024, 1, 31))
    response = root.get(FINDINGS, {"invoice": "not-a-uuid"})
    assert response.status_code == 200
    assert 'class="audit-badge' not in response.content.decode()


def test_the_invoice_filter_names_the_invoice_by_number_else_period_with_its_facility(root, acme) -> None:
    numbered = bill(acme, "JAN-A", date(2024, 1, 1), date(2024, 1, 31))
    unnumbered = bill(acme, "", date(2024, 1, 1), date(2024, 1, 31))

    by_number = root.get(FINDINGS, {"invoice": str(numbered.pk)}).content.decode()
    by_period = root.get(FINDINGS, {"invoice": str(unnumbered.pk)}).content.decode()

    assert f'<a href="?invoice={numbered.pk}">JAN-A · Madrid office</a>' in by_number
    assert f'<a href="?invoice={unnumbered.pk}">2024-01-01 to 2024-01-31 · Madrid office</a>' in by_period
    assert f">{numbered.pk}<" not in by_number


def test_the_invoice_filter_does_not_name_an_invoice_of_another_organization(client, staff_user, acme, borealis):
    theirs = bill(borealis, "THEIRS-A", date(2024, 1, 1), date(2024, 1, 31))
    bill(borealis, "THEIRS-B", date(2024, 1, 1), date(2024, 1, 31))
    client.force_login(staff_user)

    html = client.get(FINDINGS, {"invoice": str(theirs.pk)}).content.decode()

    assert "THEIRS" not in html
    assert "London office" not in html


def test_a_malformed_organization_filter_value_is_refused_as_django_refuses_a_bad_lookup(root, acme) -> None:
    bill(acme, "A", date(2024, 1, 1), date(2024, 1, 31))
    bill(acme, "B", date(2024, 1, 1), date(2024, 1, 31))

    response = root.get(FINDINGS, {"organization": "not-a-uuid", "code__exact": "DUPLICATE"})
    after = root.get(response["Location"])

    # Django's changelist answers a filter value it cannot read with the list, unfiltered, at `?e=1`.
    assert response.status_code == 302
    assert response["Location"] == f"{FINDINGS}?e=1"
    assert after.status_code == 200
    assert after.content.decode().count('class="audit-badge') == 2


def test_an_organization_filter_value_that_names_no_organization_lists_nothing(root, acme) -> None:
    bill(acme, "A", date(2024, 1, 1), date(2024, 1, 31))
    bill(acme, "B", date(2024, 1, 1), date(2024, 1, 31))

    response = root.get(FINDINGS, {"organization": "00000000-0000-4000-8000-000000000000"})

    assert response.status_code == 200
    assert 'class="audit-badge' not in response.content.decode()


def test_the_findings_list_makes_no_query_per_row(root, acme) -> None:
    bill(acme, "ONE", date(2024, 1, 1), date(2024, 1, 31))
    bill(acme, "TWO", date(2024, 1, 1), date(2024, 1, 31))
    with CaptureQueriesContext(connection) as few:
        root.get(FINDINGS)
    for day in range(2, 17):  # 15 more overlaps
        bill(acme, f"N-{day}", date(2024, 1, day), date(2024, 1, 31))
    with CaptureQueriesContext(connection) as many:
        root.get(FINDINGS)
    assert len(many) == len(few)


def test_the_findings_of_one_invoice_cost_no_query_per_row(root, acme) -> None:
    first = bill(acme, "ONE", date(2023, 12, 1), date(2024, 2, 29))  # the earliest, reaching furthest
    bill(acme, "TWO", date(2024, 1, 1), date(2024, 1, 31))
    with CaptureQueriesContext(connection) as few:
        root.get(FINDINGS, {"invoice": str(first.pk)})
    for day in range(2, 17):  # 15 more overlaps, each with the first bill (docs/audits.md)
        bill(acme, f"N-{day}", date(2024, 1, day), date(2024, 1, 31))
    with CaptureQueriesContext(connection) as many:
        html = root.get(FINDINGS, {"invoice": str(first.pk)}).content.decode()
    assert html.count("audit-badge audit-overlapping_periods") == 16
    assert len(many) == len(few)
