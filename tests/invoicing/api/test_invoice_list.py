"""GET /v1/invoices: every filter, every sort, pagination and the documented item format."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.models import Invoice
from tests.factories import fuel, make_contract, make_facility, make_facility_fuel, make_invoice, supplier, unit

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_documented_example_returns_the_documented_shape(acme, acme_api):
    invoice = make_invoice(
        acme.facility,
        invoice_number="INV-2024-001",
        supplier=acme.contract.supplier,
        supply_contract=acme.contract,
        cups="ES0021000000000001RK",
        co2e=Decimal("245.5"),
        total_energy_kwh=Decimal("1500"),
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        created_at=datetime(2024, 2, 1, 10, 30, tzinfo=UTC), updated_at=datetime(2024, 2, 1, 10, 30, tzinfo=UTC)
    )
    make_invoice(acme.facility, type="heat", unit_code="kwh", facility_fuel=make_facility_fuel(acme.facility))

    response = acme_api.get("/v1/invoices?type[]=electricity&status[]=active&page=1&size=20")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "items": [
            {
                "id": str(invoice.id),
                "type": "electricity",
                "status": "active",
                "quantity": 1500.0,
                "unit_id": str(unit("kwh").id),
                "start_date": "2024-01-01T00:00:00",
                "end_date": "2024-01-31T23:59:59",
                "invoice_id": "INV-2024-001",
                "facility_id": str(acme.facility.id),
                "supplier_id": str(acme.contract.supplier_id),
                "co2e": 245.5,
                "total_energy_kwh": 1500.0,
                "cups": "ES0021000000000001RK",
                "created_at": "2024-02-01T10:30:00Z",
                "updated_at": "2024-02-01T10:30:00Z",
                "facility_fuel_id": None,
                "supply_contract_id": str(acme.contract.id),
                "uploaded_by": None,
                "source": "manual",
                "audit_codes": [],
            }
        ],
        "total": 1,
        "page": 1,
        "size": 20,
        "pages": 1,
    }


def test_co2e_is_null_until_calculated(acme, acme_api):
    make_invoice(acme.facility)
    assert acme_api.get("/v1/invoices").json()["items"][0]["co2e"] is None


def test_it_lists_only_the_callers_invoices_newest_first(acme, borealis, acme_api):
    first, second = make_invoice(acme.facility), make_invoice(acme.facility)
    make_invoice(borealis.facility)
    assert ids(acme_api.get("/v1/invoices")) == [str(second.id), str(first.id)]


# --- one test per filter -------------------------------------------------------------------


def test_type_filter_accepts_brackets_plain_and_repeats(acme, acme_api):
    electricity = make_invoice(acme.facility, type="electricity")
    heat = make_invoice(acme.facility, type="heat", facility_fuel=make_facility_fuel(acme.facility))
    make_invoice(acme.facility, type="water", unit_code="m3")
    assert ids(acme_api.get("/v1/invoices", {"type[]": "heat"})) == [str(heat.id)]
    assert ids(acme_api.get("/v1/invoices", {"type": "heat"})) == [str(heat.id)]
    assert set(ids(acme_api.get("/v1/invoices?type[]=heat&type=electricity"))) == {str(heat.id), str(electricity.id)}


def test_status_filter(acme, acme_api):
    review = make_invoice(acme.facility, status="review")
    make_invoice(acme.facility, status="active")
    assert ids(acme_api.get("/v1/invoices", {"status[]": ["review", "error"]})) == [str(review.id)]


def test_facility_id_filter(acme, acme_api):
    other_site = make_facility(acme.organization, name="Bilbao")
    wanted = make_invoice(other_site)
    make_invoice(acme.facility)
    assert ids(acme_api.get("/v1/invoices", {"facility_id[]": str(other_site.id)})) == [str(wanted.id)]


def test_start_date_keeps_periods_starting_on_or_after(acme, acme_api):
    make_invoice(acme.facility, start_date=date(2024, 1, 1), end_date=date(2024, 1, 31))
    on = make_invoice(acme.facility, start_date=date(2024, 2, 1), end_date=date(2024, 2, 29))
    assert ids(acme_api.get("/v1/invoices", {"start_date": "2024-02-01"})) == [str(on.id)]


def test_end_date_keeps_periods_ending_on_or_before_the_whole_day_included(acme, acme_api):
    january = make_invoice(acme.facility, start_date=date(2024, 1, 1), end_date=date(2024, 1, 31))
    make_invoice(acme.facility, start_date=date(2024, 2, 1), end_date=date(2024, 2, 29))
    assert ids(acme_api.get("/v1/invoices", {"end_date": "2024-01-31"})) == [str(january.id)]
    assert ids(acme_api.get("/v1/invoices", {"end_date": "2024-01-30"})) == []


def test_co2e_status_filter(acme, acme_api):
    calculated = make_invoice(acme.facility, co2e=Decimal("1.5"))
    pending = make_invoice(acme.facility)
    assert ids(acme_api.get("/v1/invoices", {"co2e_status": "calculated"})) == [str(calculated.id)]
    assert ids(acme_api.get("/v1/invoices", {"co2e_status": "not_calculated"})) == [str(pending.id)]


def test_invoice_id_is_a_partial_case_insensitive_match(acme, acme_api):
    wanted = make_invoice(acme.facility, invoice_number="FAC-2024-ABC-77")
    make_invoice(acme.facility, invoice_number="FAC-2024-XYZ-78")
    assert ids(acme_api.get("/v1/invoices", {"invoice_id": "abc-7"})) == [str(wanted.id)]


def test_invoice_id_wildcards_match_only_themselves(acme, acme_api):
    percent = make_invoice(acme.facility, invoice_number="A%B_1")
    make_invoice(acme.facility, invoice_number="AXBY1")
    assert ids(acme_api.get("/v1/invoices", {"invoice_id": "a%b_"})) == [str(percent.id)]


def test_decimals_are_exact_json_numbers(acme, acme_api):
    make_invoice(acme.facility, quantity="0.1", co2e=Decimal("1234567.123456"))
    item = json.loads(acme_api.get("/v1/invoices").content, parse_float=Decimal)["items"][0]
    assert (item["quantity"], item["co2e"]) == (Decimal("0.1"), Decimal("1234567.123456"))


def test_cups_matches_with_or_without_the_border_point_suffix(acme, acme_api):
    acme.facility.cups = ["ES0022000006089269MY1P"]
    with_suffix = make_invoice(acme.facility, cups="ES0022000006089269MY1P")
    base_only = make_invoice(acme.facility, cups="ES0022000006089269MY")
    make_invoice(acme.facility, cups="ES0021000000000001RK")
    expected = {str(with_suffix.id), str(base_only.id)}
    assert set(ids(acme_api.get("/v1/invoices", {"cups[]": "ES0022000006089269MY"}))) == expected
    assert set(ids(acme_api.get("/v1/invoices", {"cups[]": "es0022000006089269my1p"}))) == expected


def test_supplier_id_filter(acme, acme_api):
    endesa = make_invoice(acme.facility, supplier=supplier("endesa-energia"))
    make_invoice(acme.facility, supplier=supplier("iberdrola-clientes"))
    assert ids(acme_api.get("/v1/invoices", {"supplier_id": str(endesa.supplier_id)})) == [str(endesa.id)]


def test_facility_fuel_id_filter(acme, acme_api):
    gas = make_facility_fuel(acme.facility, "natural_gas")
    wanted = make_invoice(acme.facility, type="heat", facility_fuel=gas)
    make_invoice(
        acme.facility, type="heat", facility_fuel=make_facility_fuel(acme.facility, "gas_oil"), unit_code="litre"
    )
    assert ids(acme_api.get("/v1/invoices", {"facility_fuel_id[]": str(gas.id)})) == [str(wanted.id)]


def test_stationary_fuel_id_filter_goes_through_the_facility_fuel(acme, acme_api):
    wanted = make_invoice(acme.facility, type="heat", facility_fuel=make_facility_fuel(acme.facility, "gas_oil"))
    make_invoice(acme.facility, type="heat", facility_fuel=make_facility_fuel(acme.facility, "natural_gas"))
    response = acme_api.get("/v1/invoices", {"stationary_fuel_id[]": str(fuel("gas_oil").id)})
    assert ids(response) == [str(wanted.id)]


def test_supply_contract_id_filter(acme, acme_api):
    other = make_contract(acme.facility, "endesa-energia")
    wanted = make_invoice(acme.facility, supply_contract=other)
    make_invoice(acme.facility, supply_contract=acme.contract)
    assert ids(acme_api.get("/v1/invoices", {"supply_contract_id[]": str(other.id)})) == [str(wanted.id)]


def test_uploaded_by_filter(acme, acme_api):
    user = get_user_model().objects.create_user("uploader")
    wanted = make_invoice(acme.facility, uploaded_by=user)
    make_invoice(acme.facility)
    assert ids(acme_api.get("/v1/invoices", {"uploaded_by[]": str(user.pk)})) == [str(wanted.id)]


def test_source_manual_also_matches_legacy_rows_without_source(acme, acme_api):
    manual = make_invoice(acme.facility, source="manual")
    legacy = make_invoice(acme.facility, source=None)
    pdf = make_invoice(acme.facility, source="pdf")
    assert set(ids(acme_api.get("/v1/invoices", {"source[]": "manual"}))) == {str(manual.id), str(legacy.id)}
    assert ids(acme_api.get("/v1/invoices", {"source[]": "pdf"})) == [str(pdf.id)]


def test_uploaded_from_and_to_are_inclusive_upload_dates(acme, acme_api):
    rows = [make_invoice(acme.facility) for _ in range(3)]
    for row, day in zip(rows, (9, 10, 11), strict=True):
        Invoice.objects.filter(pk=row.pk).update(created_at=datetime(2024, 3, day, 23, 59, 59, tzinfo=UTC))
    response = acme_api.get("/v1/invoices", {"uploaded_from": "2024-03-10", "uploaded_to": "2024-03-10"})
    assert ids(response) == [str(rows[1].id)]
    assert len(ids(acme_api.get("/v1/invoices", {"uploaded_from": "2024-03-10"}))) == 2
    assert len(ids(acme_api.get("/v1/invoices", {"uploaded_to": "2024-03-10"}))) == 2


# --- sorting -------------------------------------------------------------------------------


SORT_VALUES: dict[str, Callable[[int, int], dict[str, Any]]] = {
    "start_date": lambda i, n: {"start_date": date(2024, n, 1), "end_date": date(2024, n, 28)},
    "end_date": lambda i, n: {"start_date": date(2024, 1, 1), "end_date": date(2024, n, 28)},
    "quantity": lambda i, n: {"quantity": str(n * 10)},
    "invoice_id": lambda i, n: {"invoice_number": f"N-{n:03d}"},
    "created_at": lambda i, n: {},
}


@pytest.mark.parametrize("field", SORT_VALUES)
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_it_sorts_on_each_documented_field(acme, acme_api, field, descending):
    rows = [make_invoice(acme.facility, **SORT_VALUES[field](i, n)) for i, n in enumerate((3, 1, 2))]
    if field == "created_at":
        for row, n in zip(rows, (3, 1, 2), strict=True):
            Invoice.objects.filter(pk=row.pk).update(created_at=datetime(2024, 1, n, tzinfo=UTC))
    expected = [str(r.id) for r in (rows[1], rows[2], rows[0])]
    if descending:
        expected.reverse()
    assert ids(acme_api.get("/v1/invoices", {"sort": f"{'-' if descending else ''}{field}"})) == expected


def test_ties_are_broken_by_id_so_paging_never_repeats_or_skips(acme, acme_api):
    rows = [make_invoice(acme.facility, quantity="5") for _ in range(7)]
    seen = []
    for page in (1, 2, 3):
        seen += ids(acme_api.get("/v1/invoices", {"sort": "quantity", "size": 3, "page": page}))
    assert seen == sorted(str(r.id) for r in rows)


def test_default_order_is_newest_upload_first_then_id(acme, acme_api):
    rows = [make_invoice(acme.facility) for _ in range(3)]
    Invoice.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=datetime(2024, 1, 1, tzinfo=UTC))
    assert ids(acme_api.get("/v1/invoices")) == sorted((str(r.id) for r in rows), reverse=True)


# --- pagination ----------------------------------------------------------------------------


def test_pages_split_the_list_and_report_totals(acme, acme_api):
    for _ in range(5):
        make_invoice(acme.facility)
    body = acme_api.get("/v1/invoices", {"size": 2, "page": 3}).json()
    assert (len(body["items"]), body["total"], body["page"], body["size"], body["pages"]) == (1, 5, 3, 2, 3)


def test_a_page_past_the_end_is_empty_with_the_right_totals(acme, acme_api):
    for _ in range(3):
        make_invoice(acme.facility)
    body = acme_api.get("/v1/invoices", {"size": 2, "page": 9}).json()
    assert body == {"items": [], "total": 3, "page": 9, "size": 2, "pages": 2}


@pytest.mark.parametrize("path", ["/v1/invoices", "/v1/units"])
def test_a_page_too_far_for_a_database_offset_is_empty_too(acme, acme_api, path):
    make_invoice(acme.facility)
    body = acme_api.get(path, {"size": 100, "page": 10**20}).json()
    assert body["items"] == []
    assert body["page"] == 10**20
    assert body["total"] >= 1


def test_an_empty_list_has_zero_pages(acme_api):
    assert acme_api.get("/v1/invoices").json() == {"items": [], "total": 0, "page": 1, "size": 50, "pages": 0}


def test_size_100_is_the_maximum(acme, acme_api):
    assert acme_api.get("/v1/invoices", {"size": 100}).status_code == 200
    assert acme_api.get("/v1/invoices", {"size": 1}).status_code == 200


@pytest.mark.parametrize(
    ("param", "value"), [("page", "0"), ("page", "-1"), ("page", "x"), ("size", "0"), ("size", "101"), ("size", "")]
)
def test_bad_page_or_size_is_a_validation_error_naming_it(acme_api, param, value):
    response = acme_api.get("/v1/invoices", {param: value})
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert list(response.json()["errors"]) == [param]


def test_query_count_does_not_grow_with_page_size(acme, acme_api):
    for _ in range(30):
        make_invoice(acme.facility)
    acme_api.get("/v1/invoices")  # the key's last_used_at is refreshed on first use only
    counts = []
    for size in (1, 30):
        with CaptureQueriesContext(connection) as queries:
            assert len(ids(acme_api.get("/v1/invoices", {"size": size}))) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("type[]", "gas"),
        ("status[]", "paid"),
        ("facility_id[]", "not-a-uuid"),
        ("supplier_id[]", "123"),
        ("facility_fuel_id[]", "x"),
        ("stationary_fuel_id[]", "x"),
        ("supply_contract_id[]", "x"),
        ("uploaded_by[]", "abc"),
        ("source[]", "email"),
        ("cups[]", "ES0021000000000001XX"),
        ("start_date", "2024-13-01"),
        ("end_date", "01/02/2024"),
        ("uploaded_from", "yesterday"),
        ("uploaded_to", "2024-02-30"),
        ("co2e_status", "maybe"),
        ("sort", "amount"),
        ("sort", "--quantity"),
    ],
)
def test_a_bad_value_is_a_validation_error_naming_the_parameter_and_value(acme_api, param, value):
    response = acme_api.get("/v1/invoices", {param: value})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert list(body["errors"]) == [param]
    if param.endswith("[]"):
        assert value in body["errors"][param][0]


def test_plain_array_names_report_errors_under_the_bracket_name(acme_api):
    response = acme_api.get("/v1/invoices", {"type": "gas"})
    assert list(response.json()["errors"]) == ["type[]"]


@pytest.mark.parametrize("param", ["types[]", "typ", "invoice_number", "limit", "sort[]"])
def test_an_unknown_parameter_is_rejected_naming_it(acme_api, param):
    response = acme_api.get("/v1/invoices", {param: "heat"})
    assert response.status_code == 400
    assert response.json()["errors"] == {param: [f"Unknown query parameter {param!r}."]}


def test_a_scalar_parameter_given_twice_is_rejected(acme_api):
    response = acme_api.get("/v1/invoices?sort=quantity&sort=-quantity")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["sort"]
