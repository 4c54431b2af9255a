"""The organization's "Emissions inventory" admin page: the API's figures, charts, coverage, downloads."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from invoicing.services.audits import invoice_audit_refresh
from tests.factories import make_facility, make_failure, make_invoice, make_result

pytestmark = pytest.mark.django_db


def page_url(organization) -> str:  # type: ignore[no-untyped-def]
    return reverse("admin:invoicing_organization_inventory", args=[organization.pk])


def download_url(organization, export: str) -> str:  # type: ignore[no-untyped-def]
    return reverse("admin:invoicing_organization_inventory_download", args=[organization.pk, export])


@pytest.fixture
def acme_bills(acme):  # type: ignore[no-untyped-def]
    """A bill from 20 January to 19 February 2024 with both Scope 2 results, and one that failed."""
    invoice = make_invoice(acme.facility, start_date=date(2024, 1, 20), end_date=date(2024, 2, 19))
    make_result(invoice, "electricity", scope="scope_2_market_based", kg_co2e=Decimal("310"))
    make_result(invoice, "electricity_location_based", scope="scope_2_location_based", kg_co2e=Decimal("248"))
    failed = make_invoice(acme.facility, start_date=date(2024, 3, 1), end_date=date(2024, 3, 31))
    make_failure(failed, "electricity")
    return invoice


def test_a_member_sees_the_year_with_both_scope_2_totals_and_the_coverage(client, staff_user, acme, acme_bills):
    client.force_login(staff_user)

    response = client.get(page_url(acme.organization), {"year": 2024})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Emissions inventory: Acme Energía S.L." in html
    assert html.count('class="pygal-chart"') == 2  # the stacked months and Scope 2 both ways
    assert "<script src=" not in html.split('id="inventory-chart"')[1]  # nothing fetched by the chart
    scope_2 = {label: value for label, value in response.context["scope_2"]}
    assert scope_2 == {"Location-based": Decimal("248"), "Market-based": Decimal("310")}
    coverage = response.context["summary"].coverage
    assert (coverage.invoices, coverage.calculated, coverage.not_calculated) == (2, 0, 2)
    assert coverage.by_code == {"NO_FACTOR": 1}
    assert 'data-testid="coverage-NO_FACTOR">1<' in html


def test_the_downloads_are_the_apis_export(client, superuser, acme, acme_bills):
    api = Client().get("/v1/emissions/summary", {"year": 2024}, **acme.headers).json()
    client.force_login(superuser)

    csv_response = client.get(download_url(acme.organization, "csv"), {"year": 2024})
    xlsx_response = client.get(download_url(acme.organization, "xlsx"), {"year": 2024})

    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert rows[0][2] == "scope_1_kg_co2e"
    assert [r[0] for r in rows[1:]] == [g["key"] for g in api["groups"]]
    assert [Decimal(r[4]) for r in rows[1:]] == [Decimal(str(g["scope_2_market_based"])) for g in api["groups"]]
    sheet = load_workbook(io.BytesIO(xlsx_response.content), read_only=True).active
    assert [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        g["scope_2_market_based"] for g in api["groups"]
    ]


def test_the_facility_selector_keeps_one_facility(client, superuser, acme, acme_bills):
    other = make_facility(acme.organization, name="Barcelona plant", country="ES")
    client.force_login(superuser)

    response = client.get(page_url(acme.organization), {"year": 2024, "facility": str(other.id)})

    assert response.status_code == 200
    assert response.context["summary"].totals["scope_2_market_based"] == 0
    assert f'value="{other.id}" selected' in response.content.decode()


def test_a_facility_of_another_organization_is_not_a_choice(client, superuser, acme, borealis):
    client.force_login(superuser)

    response = client.get(page_url(acme.organization), {"year": 2024, "facility": str(borealis.facility.id)})

    assert response.status_code == 200
    assert response.context["summary"] is None
    assert "inventory-errors" in response.content.decode()


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "0"}, {"year": "2024", "facility": "bad"}])
def test_a_download_with_a_bad_choice_goes_to_the_page_that_says_why(client, superuser, acme, query):
    client.force_login(superuser)

    response = client.get(download_url(acme.organization, "csv"), query, follow=True)

    assert response.redirect_chain[0][1] == 302
    assert response.context["summary"] is None
    assert "inventory-errors" in response.content.decode()


def test_staff_of_another_organization_get_a_404(client, staff_user, borealis):
    client.force_login(staff_user)

    assert client.get(page_url(borealis.organization), {"year": 2024}).status_code == 404
    assert client.get(download_url(borealis.organization, "csv"), {"year": 2024}).status_code == 404


def test_the_organization_pages_link_to_the_inventory(client, superuser, acme):
    client.force_login(superuser)
    url = page_url(acme.organization)

    assert url in client.get(reverse("admin:invoicing_organization_changelist")).content.decode()
    assert (
        url in client.get(reverse("admin:invoicing_organization_change", args=[acme.organization.pk])).content.decode()
    )


def test_anonymous_users_are_sent_to_the_login(client, acme):
    response = client.get(page_url(acme.organization))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_page_opens_on_the_year_of_the_latest_bill(client, staff_user, acme, acme_bills):
    client.force_login(staff_user)

    response = client.get(page_url(acme.organization))

    assert response.context["form"].cleaned_data["year"] == 2024
    assert response.context["summary"].coverage.invoices == 2


def test_the_bill_audit_findings_of_the_year_are_shown_and_linked(client, staff_user, acme, acme_bills):
    make_invoice(acme.facility, start_date=date(2024, 2, 1), end_date=date(2024, 2, 29))  # overlaps 1-19 Feb
    invoice_audit_refresh(organization_id=acme.organization.pk, everything=True)
    client.force_login(staff_user)

    html = client.get(page_url(acme.organization), {"year": 2024}).content.decode()
    findings = client.get(
        reverse("admin:invoicing_invoiceauditfinding_changelist"),
        {"code__exact": "OVERLAPPING_PERIODS", "organization": acme.organization.pk},
    )

    assert 'data-testid="audit-OVERLAPPING_PERIODS">1<' in html
    assert f"code__exact=OVERLAPPING_PERIODS&amp;organization={acme.organization.pk}" in html
    assert findings.status_code == 200
    assert findings.context["cl"].result_count == 1
