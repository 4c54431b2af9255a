"""The invoice admin: columns, filters, search, read-only emissions and organization scoping."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoicing.models import InvoiceEmission
from tests.factories import make_invoice

CHANGELIST = reverse("admin:invoicing_invoice_changelist")


def change_url(invoice) -> str:  # type: ignore[no-untyped-def]
    return reverse("admin:invoicing_invoice_change", args=[invoice.pk])


@pytest.fixture
def admin_client_root(client, superuser):  # type: ignore[no-untyped-def]
    client.force_login(superuser)
    return client


def test_the_changelist_shows_the_columns_staff_need(admin_client_root, acme) -> None:
    make_invoice(acme.facility, invoice_number="INV-COLUMNS-1", source=None, co2e=Decimal("412.5"))
    response = admin_client_root.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "INV-COLUMNS-1",
        "Acme Energía S.L.",
        "Madrid office",
        "electricity",
        "active",
        "2024-01-01 to 2024-01-31",
    ]:
        assert text in html
    assert "1500 kWh" in html
    assert "legacy" in html
    assert "Import invoices" in html


def test_the_changelist_makes_no_query_per_row(admin_client_root, acme) -> None:
    make_invoice(acme.facility)
    with CaptureQueriesContext(connection) as few:
        admin_client_root.get(CHANGELIST)
    for _ in range(15):
        make_invoice(acme.facility, uploaded_by=None)
    with CaptureQueriesContext(connection) as many:
        admin_client_root.get(CHANGELIST)
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("query", "expected", "unexpected"),
    [
        ("?source=legacy", "INV-LEGACY", "INV-PDF"),
        ("?source=pdf", "INV-PDF", "INV-LEGACY"),
        ("?co2e_status=calculated", "INV-PDF", "INV-LEGACY"),
        ("?co2e_status=not_calculated", "INV-LEGACY", "INV-PDF"),
        ("?type__exact=heat", "INV-PDF", "INV-LEGACY"),
        ("?q=legacy", "INV-LEGACY", "INV-PDF"),
        ("?q=ES0021000000000001", "INV-PDF", "INV-LEGACY"),
        ("?start_date__year=2023", "INV-LEGACY", "INV-PDF"),
    ],
)
def test_filters_and_search_narrow_the_list(admin_client_root, acme, query, expected, unexpected) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    make_invoice(
        acme.facility, invoice_number="INV-LEGACY", source=None, start_date=date(2023, 3, 1), end_date=date(2023, 3, 31)
    )
    make_invoice(
        acme.facility, invoice_number="INV-PDF", source="pdf", type="heat", co2e=Decimal(1), cups="ES0021000000000001RK"
    )
    html = admin_client_root.get(CHANGELIST + query).content.decode()
    assert expected in html
    assert unexpected not in html


def test_the_organization_and_facility_filters_narrow_the_list(admin_client_root, acme, borealis) -> None:
    make_invoice(acme.facility, invoice_number="INV-ACME")
    make_invoice(borealis.facility, invoice_number="INV-BOREALIS")
    html = admin_client_root.get(f"{CHANGELIST}?organization={borealis.organization.pk}").content.decode()
    assert "INV-BOREALIS" in html
    assert "INV-ACME" not in html
    html = admin_client_root.get(f"{CHANGELIST}?facility={acme.facility.pk}").content.decode()
    assert "INV-ACME" in html
    assert "INV-BOREALIS" not in html


def test_bad_filter_values_do_not_fail(admin_client_root, acme) -> None:
    response = admin_client_root.get(CHANGELIST + "?facility=not-a-uuid&period=abc&p=999999")
    assert response.status_code in (200, 302)


def test_a_related_filter_value_that_is_not_an_id_gives_djangos_bad_lookup_redirect(admin_client_root, acme) -> None:
    for parameter in ("organization", "facility", "supplier"):
        response = admin_client_root.get(CHANGELIST, {parameter: "not-a-uuid", "period": "2024"})
        assert response.status_code == 302, parameter
        assert response["Location"] == f"{CHANGELIST}?e=1"


def test_the_change_page_shows_the_emissions_per_category_read_only(admin_client_root, acme) -> None:
    invoice = make_invoice(acme.facility)
    InvoiceEmission.objects.create(
        invoice=invoice,
        category="electricity",
        scope="scope_2_market_based",
        kg_co2e=Decimal("412.5"),
        quantity=Decimal(1500),
        quantity_unit="kWh",
        factor_value=Decimal("0.275"),
        factor_unit="kg CO2e/kWh",
        dataset_name="MITECO carbon footprint calculator",
        dataset_version="v31",
        factor_year=2024,
        fallbacks=["year 2024 not published; used 2023"],
    )
    response = admin_client_root.get(change_url(invoice))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Scope 2 (purchased electricity, market-based)",
        "412.5",
        "0.275 kg CO2e/kWh",
        "MITECO carbon footprint calculator",
        "v31",
    ]:
        assert text in html
    assert "year 2024 not published; used 2023" in html
    assert 'name="emissions-0-kg_co2e"' not in html  # read-only, no form inputs


def test_a_member_sees_only_the_invoices_of_their_organizations(client, staff_user, acme, borealis) -> None:
    make_invoice(acme.facility, invoice_number="INV-MINE")
    theirs = make_invoice(borealis.facility, invoice_number="INV-THEIRS")
    client.force_login(staff_user)
    html = client.get(CHANGELIST).content.decode()
    assert "INV-MINE" in html
    assert "INV-THEIRS" not in html
    assert "Borealis" not in html  # not even as a filter choice
    response = client.get(change_url(theirs))
    assert response.status_code == 302  # "does not exist" redirect, as for any unknown id


def test_staff_without_memberships_see_no_invoices(client, django_user_model) -> None:
    user = django_user_model.objects.create_user("nobody", password="x-pass-123", is_staff=True)
    client.force_login(user)
    assert client.get(CHANGELIST).status_code == 403


def test_the_date_hierarchy_drills_down_from_years_to_months(admin_client_root, acme) -> None:
    from datetime import date

    make_invoice(acme.facility, start_date=date(2023, 3, 1), end_date=date(2023, 3, 31))
    make_invoice(acme.facility, start_date=date(2024, 5, 1), end_date=date(2024, 5, 31))
    years = admin_client_root.get(CHANGELIST).content.decode()
    assert "?start_date__year=2023" in years
    assert "?start_date__year=2024" in years
    months = admin_client_root.get(CHANGELIST + "?start_date__year=2024").content.decode()
    assert "start_date__month=5" in months
    assert "start_date__month=3" not in months


@pytest.mark.parametrize("term", ["ES00", "ES0021", "es 0021 0000", "ES002100000000000"])
def test_a_cups_search_matches_any_prefix_of_four_characters_or_more(admin_client_root, acme, term) -> None:
    make_invoice(acme.facility, invoice_number="INV-CUPS", cups="ES0021000000000001RK")
    make_invoice(acme.facility, invoice_number="INV-OTHER", cups="ES1234123456789012JY")
    html = admin_client_root.get(CHANGELIST, {"q": term}).content.decode()
    assert "INV-CUPS" in html
    assert "INV-OTHER" not in html


def test_the_list_shows_units_and_the_numbers_the_api_sends(admin_client_root, acme) -> None:
    make_invoice(acme.facility, quantity="9300", co2e=Decimal("2557.500000"), total_energy_kwh=Decimal("9300"))
    html = admin_client_root.get(CHANGELIST).content.decode()
    assert "CO2e (kg)" in html
    assert "Energy (kWh)" in html
    assert ">2557.5<" in html
    assert ">9300<" in html
    assert "9300.000000" not in html


def test_an_estimated_count_is_marked_as_approximate_and_an_exact_one_is_not(admin_client_root, acme, settings) -> None:
    for _ in range(3):
        make_invoice(acme.facility)
    exact = admin_client_root.get(CHANGELIST).content.decode()
    assert "3 invoices" in exact
    assert "about" not in exact

    settings.ADMIN_EXACT_COUNT_LIMIT = 2
    estimated = admin_client_root.get(CHANGELIST).content.decode()
    assert "about " in estimated
    assert "3 invoices" not in estimated


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:invoicing_invoice_import"),
        reverse("admin:invoicing_invoice_changelist"),
        reverse("admin:jobs_processingjob_changelist"),
    ],
)
def test_custom_and_standard_pages_draw_the_breadcrumbs_bar(admin_client_root, url) -> None:
    html = admin_client_root.get(url).content.decode()
    assert '<ol class="breadcrumbs">' in html
    assert "invoicing/admin.css" in html  # the bar for the django-rq pages' <div class="breadcrumbs">
