"""GET /v1/emissions/summary: calendarized, dual-reported totals of the stored results, with coverage."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from openpyxl import load_workbook

from invoicing.choices import ActivityCategory, scope_of
from invoicing.emissions import calculate_invoices
from invoicing.models import Invoice, InvoiceEmission
from invoicing.services.audits import invoice_audit_refresh
from invoicing.services.invoices import invoice_update
from tests.factories import make_facility, make_facility_fuel, make_failure, make_invoice, make_result, unit

pytestmark = pytest.mark.django_db

KEYS = [
    "scope_1",
    "scope_2_location_based",
    "scope_2_market_based",
    "scope_3_cat3a",
    "scope_3_cat3b",
    "scope_3_cat3c",
    "biogenic_co2",
    "energy_kwh",
]
CATEGORIES_OF_ELECTRICITY = (
    "electricity",
    "electricity_location_based",
    "electricity_generation",
    "electricity_transmission_and_distribution",
    "energy",
)
SCOPES = {
    "stationary": "scope_1",
    "stationary_generation": "scope_3_3a",
    "electricity": "scope_2_market_based",
    "electricity_location_based": "scope_2_location_based",
    "electricity_generation": "scope_3_3b",
    "electricity_transmission_and_distribution": "scope_3_3c",
    "energy": "",
}


def result(invoice: Invoice, category: str, kg: str | None = None, **fields: Any) -> InvoiceEmission:
    """A stored result of `category` with `kg` (kWh for energy), with the invoice's figures refreshed from
    its rows as the calculator does when it stores one."""
    figure = Decimal(kg) if kg is not None else None
    values: dict[str, Any] = {"scope": SCOPES[category]}
    values.update({"kwh": figure} if category == "energy" else {"kg_co2e": figure})
    return make_result(invoice, category, **{**values, **fields})


def bill(tenant: Any, start: date, end: date, **overrides: Any) -> Invoice:
    return make_invoice(tenant.facility, start_date=start, end_date=end, **overrides)


def calculated_bill(tenant: Any, start: date, end: date) -> Invoice:
    """An electricity bill with a result of 1 for each of its five categories."""
    invoice = bill(tenant, start, end)
    for category in CATEGORIES_OF_ELECTRICITY:
        result(invoice, category, "1")
    return invoice


def summary(api: Any, **params: Any) -> dict[str, Any]:
    response = api.get("/v1/emissions/summary", params)
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def month(body: dict[str, Any], key: str) -> dict[str, Any]:
    return next(g for g in body["groups"] if g["key"] == key)


# --- calendarization ---------------------------------------------------------------------------


def test_a_bill_is_spread_over_its_months_by_days(acme, acme_api):
    invoice = bill(acme, date(2024, 1, 20), date(2024, 2, 19))  # 31 days: 12 in January, 19 in February
    result(invoice, "electricity", "310")

    body = summary(acme_api, year=2024)

    assert (body["start_date"], body["end_date"]) == ("2024-01-01", "2024-12-31")
    assert [g["key"] for g in body["groups"]] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert month(body, "2024-01")["scope_2_market_based"] == 120
    assert month(body, "2024-02")["scope_2_market_based"] == 190
    assert all(month(body, f"2024-{m:02d}")["scope_2_market_based"] == 0 for m in range(3, 13))
    assert body["totals"]["scope_2_market_based"] == 310
    assert month(body, "2024-01")["label"] == "January 2024"


def test_a_bill_over_new_year_counts_in_each_year_for_its_days(acme, acme_api):
    invoice = bill(acme, date(2023, 12, 15), date(2024, 1, 14))  # 17 days in 2023, 14 in 2024
    result(invoice, "stationary", "31", biogenic_co2_kg=Decimal("62"))

    previous, current = summary(acme_api, year=2023), summary(acme_api, year=2024)

    assert previous["totals"]["scope_1"] == 17
    assert month(previous, "2023-12")["scope_1"] == 17
    assert current["totals"]["scope_1"] == 14
    assert month(current, "2024-01")["scope_1"] == 14
    assert (previous["totals"]["biogenic_co2"], current["totals"]["biogenic_co2"]) == (34, 28)


def test_a_29_february_and_a_one_day_bill(acme, acme_api):
    leap = bill(acme, date(2024, 2, 28), date(2024, 3, 1))  # 28 and 29 February, 1 March
    result(leap, "electricity", "3")
    one_day = bill(acme, date(2024, 2, 29), date(2024, 2, 29))
    result(one_day, "energy", "1500")

    body = summary(acme_api, start_date="2024-02-01", end_date="2024-03-31")

    assert [g["key"] for g in body["groups"]] == ["2024-02", "2024-03"]
    assert month(body, "2024-02")["scope_2_market_based"] == 2
    assert month(body, "2024-03")["scope_2_market_based"] == 1
    assert month(body, "2024-02")["energy_kwh"] == 1500
    assert month(body, "2024-03")["energy_kwh"] == 0


def test_the_shares_of_a_result_add_up_to_it_exactly(acme, acme_api):
    invoice = bill(acme, date(2024, 1, 1), date(2024, 3, 31))  # 31 + 29 + 31 = 91 days
    result(invoice, "electricity", "100")

    body = summary(acme_api, year=2024)

    # Cumulative shares rounded to 6 decimals: 34.065934, then 65.934066, then 100.
    shares = [month(body, key)["scope_2_market_based"] for key in ("2024-01", "2024-02", "2024-03")]
    assert shares == [34.065934, 31.868132, 34.065934]
    assert sum(Decimal(str(s)) for s in shares) == 100
    assert body["totals"]["scope_2_market_based"] == 100


def test_a_window_keeps_only_its_own_days_of_a_bill(acme, acme_api):
    invoice = bill(acme, date(2024, 1, 20), date(2024, 2, 19))
    result(invoice, "electricity", "310")

    body = summary(acme_api, start_date="2024-02-01", end_date="2024-02-29")

    assert [g["key"] for g in body["groups"]] == ["2024-02"]
    assert body["totals"]["scope_2_market_based"] == 190
    assert body["coverage"]["invoices"] == 1


# --- what each figure counts -------------------------------------------------------------------


def test_scope_2_is_reported_both_ways_side_by_side_never_added(acme, acme_api):
    invoice = bill(acme, date(2024, 5, 1), date(2024, 5, 31))
    result(invoice, "electricity", "412.5", biogenic_co2_kg=Decimal("10"))
    result(invoice, "electricity_location_based", "262.5", biogenic_co2_kg=Decimal("10"))
    result(invoice, "electricity_generation", "68.85")
    result(invoice, "electricity_transmission_and_distribution", "33.405")
    result(invoice, "energy", "1500")

    totals = summary(acme_api, year=2024)["totals"]

    assert totals == {
        "scope_1": 0,
        "scope_2_location_based": 262.5,
        "scope_2_market_based": 412.5,
        "scope_3_cat3a": 0,
        "scope_3_cat3b": 68.85,
        "scope_3_cat3c": 33.405,
        "biogenic_co2": 10,  # the location-based row repeats the grid's biogenic CO2: counted once
        "energy_kwh": 1500,
    }


def test_purchased_heat_is_scope_2_both_ways_and_its_upstream_is_split_into_3b_and_3c(acme, acme_api):
    heat = make_facility_fuel(acme.facility, "district_heat")
    invoice = bill(acme, date(2024, 2, 1), date(2024, 2, 29), type="heat", facility_fuel=heat)
    result(invoice, "stationary", "1796.5", scope="scope_2_heat_and_steam")
    factors = [
        {"scope": "scope_3_3b", "kg_co2e": "334.100000"},
        {"scope": "scope_3_3c", "kg_co2e": "94.600000"},
        {"scope": "scope_3_3c", "kg_co2e": "17.600000"},
    ]
    result(invoice, "stationary_generation", "446.3", scope="scope_3_3b_3c", year_parts=[{"factors": factors}])

    totals = summary(acme_api, year=2024)["totals"]

    assert totals["scope_2_location_based"] == totals["scope_2_market_based"] == 1796.5
    assert (totals["scope_3_cat3b"], totals["scope_3_cat3c"]) == (334.1, 112.2)
    assert totals["scope_1"] == 0


# The figures a row of each scope adds its kg CO2e to (docs/inventory.md, "Scope mapping").
SCOPE_FIGURES = {
    "scope_1": ["scope_1"],
    "scope_2_market_based": ["scope_2_market_based"],
    "scope_2_location_based": ["scope_2_location_based"],
    "scope_2_heat_and_steam": ["scope_2_location_based", "scope_2_market_based"],
    "scope_3_3a": ["scope_3_cat3a"],
    "scope_3_3b": ["scope_3_cat3b"],
    "scope_3_3c": ["scope_3_cat3c"],
}
# Every (category, scope) the engine stores, but the split upstream of purchased heat (tested above) and energy.
STORED_SCOPES = sorted(
    {(str(c), str(scope_of(c, fuel))) for c in ActivityCategory.values for fuel in ("", "district_heat")}
    - {("stationary_generation", "scope_3_3b_3c"), ("energy", "")}
)


@pytest.mark.parametrize(("category", "scope"), STORED_SCOPES)
def test_every_stored_row_counts_in_its_category_and_scopes(acme, acme_api, category, scope):
    heat = category.startswith("stationary")
    overrides = {"type": "heat", "facility_fuel": make_facility_fuel(acme.facility)} if heat else {}
    invoice = bill(acme, date(2024, 1, 20), date(2024, 2, 19), **overrides)
    result(invoice, category, "31", scope=scope, biogenic_co2_kg=Decimal("62"))
    expected = dict.fromkeys(KEYS, 0)
    expected.update(dict.fromkeys(SCOPE_FIGURES[scope], 31))
    if category != "electricity_location_based":  # its biogenic CO2 repeats the market-based row's
        expected["biogenic_co2"] = 62

    by_category = summary(acme_api, year=2024, group_by="category")
    by_month = summary(acme_api, year=2024)

    assert {key: month(by_category, category)[key] for key in KEYS} == expected
    assert by_category["totals"] == by_month["totals"] == expected
    assert month(by_month, "2024-01")["biogenic_co2"] == (24 if expected["biogenic_co2"] else 0)  # 12 of 31 days


def test_the_figures_are_the_stored_results_of_the_engine(borealis, borealis_api):
    invoice = make_invoice(
        borealis.facility, supply_contract=borealis.contract, start_date=date(2024, 3, 1), end_date=date(2024, 3, 31)
    )
    with transaction.atomic():
        for category in SCOPES:
            if category not in ("stationary", "stationary_generation"):
                calculate_invoices(invoice_ids=[invoice.id], category=category)
    stored = {e.category: e for e in InvoiceEmission.objects.filter(invoice=invoice)}

    body = summary(borealis_api, year=2024, group_by="category")

    by_category = {g["key"]: g for g in body["groups"]}
    assert Decimal(str(by_category["electricity"]["scope_2_market_based"])) == stored["electricity"].kg_co2e
    location = stored["electricity_location_based"].kg_co2e
    assert Decimal(str(by_category["electricity_location_based"]["scope_2_location_based"])) == location
    assert Decimal(str(body["totals"]["energy_kwh"])) == stored["energy"].kwh
    assert body["coverage"]["invoices_calculated"] == 1


def test_a_bill_over_new_year_counts_each_years_part_as_the_engine_split_it(borealis, borealis_api):
    invoice = make_invoice(
        borealis.facility, supply_contract=borealis.contract, start_date=date(2023, 12, 15), end_date=date(2024, 1, 14)
    )
    with transaction.atomic():
        calculate_invoices(invoice_ids=[invoice.id], category="electricity_location_based")
    row = InvoiceEmission.objects.get(invoice=invoice, category="electricity_location_based")
    parts = {part["year"]: Decimal(part["kg_co2e"]) for part in row.year_parts}
    assert parts[2023] / 17 != parts[2024] / 14  # DESNZ's 2023 and 2024 grid factors differ

    previous, current = summary(borealis_api, year=2023), summary(borealis_api, year=2024)

    # Each year holds its own part (its days with its year's factor), not its days' share of the whole row.
    assert Decimal(str(previous["totals"]["scope_2_location_based"])) == parts[2023]
    assert Decimal(str(current["totals"]["scope_2_location_based"])) == parts[2024]
    january = Decimal(str(month(current, "2024-01")["scope_2_location_based"]))
    assert january == parts[2024]
    assert parts[2023] + parts[2024] == row.kg_co2e


def test_groups_by_facility_and_by_category_give_the_same_totals(acme, acme_api):
    other = make_facility(acme.organization, name="Barcelona plant", country="ES")
    result(bill(acme, date(2024, 1, 20), date(2024, 2, 19)), "electricity", "310")
    result(make_invoice(other, start_date=date(2024, 6, 10), end_date=date(2024, 7, 9)), "electricity", "7")
    make_facility(acme.organization, name="Zaragoza depot", country="ES")  # no bills: zeros

    by_month = summary(acme_api, year=2024)
    by_facility = summary(acme_api, year=2024, group_by="facility")
    by_category = summary(acme_api, year=2024, group_by="category")

    assert by_month["totals"] == by_facility["totals"] == by_category["totals"]
    assert [g["label"] for g in by_facility["groups"]] == ["Barcelona plant", "Madrid office", "Zaragoza depot"]
    assert [g["scope_2_market_based"] for g in by_facility["groups"]] == [7, 310, 0]
    assert [g["key"] for g in by_category["groups"]] == list(SCOPES)
    assert by_category["groups"][2]["scope_2_market_based"] == 317


def test_facility_id_keeps_those_facilities(acme, acme_api):
    other = make_facility(acme.organization, name="Barcelona plant", country="ES")
    result(bill(acme, date(2024, 1, 1), date(2024, 1, 31)), "electricity", "310")
    result(make_invoice(other, start_date=date(2024, 1, 1), end_date=date(2024, 1, 31)), "electricity", "7")

    body = summary(acme_api, year=2024, **{"facility_id[]": [str(other.id)]})

    assert body["totals"]["scope_2_market_based"] == 7
    assert body["coverage"]["invoices"] == 1


# --- coverage ----------------------------------------------------------------------------------


def test_coverage_counts_the_windows_invoices_by_outcome(acme, acme_api):
    calculated_bill(acme, date(2024, 1, 1), date(2024, 1, 31))
    failed = bill(acme, date(2024, 2, 1), date(2024, 2, 29))
    result(failed, "electricity", "1")
    for category in ("electricity_generation", "electricity_transmission_and_distribution"):
        make_failure(failed, category)
    bill(acme, date(2024, 3, 1), date(2024, 3, 31))  # never calculated
    bill(acme, date(2024, 4, 1), date(2024, 4, 30), type="water", unit=unit("m3"))  # no categories: not counted
    bill(acme, date(2025, 1, 1), date(2025, 1, 31))  # outside the window

    coverage = summary(acme_api, year=2024)["coverage"]

    assert coverage == {
        "invoices": 3,
        "invoices_calculated": 1,
        "invoices_not_calculated": 2,
        "invoices_pending": 1,
        "not_calculated_by_code": {"NO_FACTOR": 1},
        "audit_findings_by_code": {},
    }


def test_a_corrected_invoice_is_pending_until_its_job_recalculates_it(
    acme, acme_api, django_capture_on_commit_callbacks
):
    invoice = calculated_bill(acme, date(2024, 1, 1), date(2024, 1, 31))
    assert summary(acme_api, year=2024)["coverage"]["invoices_calculated"] == 1

    with django_capture_on_commit_callbacks(execute=True):  # the correction's job is created after its commit
        acme_api.patch(f"/v1/invoices/{invoice.id}", {"quantity": 9300})
    corrected = acme_api.get(f"/v1/invoices/{invoice.id}")
    coverage = summary(acme_api, year=2024)["coverage"]

    assert corrected.json()["calculation_pending"] is True
    assert (coverage["invoices_calculated"], coverage["invoices_pending"]) == (0, 1)


def test_a_corrected_period_is_spread_as_corrected_until_recalculated(acme, acme_api):
    invoice = bill(acme, date(2024, 1, 1), date(2024, 1, 31))
    result(invoice, "electricity", "310")

    response = acme_api.patch(f"/v1/invoices/{invoice.id}", {"start_date": "2024-01-20", "end_date": "2024-02-19"})
    body = summary(acme_api, year=2024)

    assert response.status_code == 200, response.content
    assert month(body, "2024-01")["scope_2_market_based"] == 120
    assert month(body, "2024-02")["scope_2_market_based"] == 190

    acme_api.patch(f"/v1/invoices/{invoice.id}", {"start_date": "2024-02-01", "end_date": "2024-02-29"})
    body = summary(acme_api, year=2024)

    assert month(body, "2024-01")["scope_2_market_based"] == 0  # January is no longer billed
    assert month(body, "2024-02")["scope_2_market_based"] == body["totals"]["scope_2_market_based"] == 310


def test_a_correction_keeps_the_counts_a_calculation_stored_since_it_was_read(acme, acme_api):
    invoice = bill(acme, date(2024, 1, 1), date(2024, 1, 31))
    read_before = Invoice.objects.get(pk=invoice.pk)
    for category in CATEGORIES_OF_ELECTRICITY:  # a calculation commits meanwhile
        result(invoice, category, "1")

    invoice_update(invoice=read_before, invoice_number="INV-CORRECTED")

    assert summary(acme_api, year=2024)["coverage"]["invoices_calculated"] == 1


def test_coverage_counts_the_bill_audit_findings_of_the_window_and_facilities(acme, acme_api):
    first = bill(acme, date(2024, 1, 1), date(2024, 1, 31))
    result(first, "electricity", "10")
    result(bill(acme, date(2024, 1, 20), date(2024, 2, 19)), "electricity", "10")  # 12 days billed twice
    other_site = make_facility(acme.organization)
    invoice_audit_refresh(organization_id=acme.organization.pk, everything=True)

    assert summary(acme_api, year=2024)["coverage"]["audit_findings_by_code"] == {"OVERLAPPING_PERIODS": 1}
    assert summary(acme_api, year=2024)["totals"]["scope_2_market_based"] == 20  # both bills, as billed
    assert summary(acme_api, year=2023)["coverage"]["audit_findings_by_code"] == {}
    elsewhere = summary(acme_api, year=2024, **{"facility_id[]": str(other_site.id)})
    assert elsewhere["coverage"]["audit_findings_by_code"] == {}


# --- exports -----------------------------------------------------------------------------------


def _exported_rows(body: dict[str, Any]) -> list[list[str]]:
    return [[g["key"], g["label"], *(str(Decimal(str(g[k]))) for k in KEYS)] for g in body["groups"]]


def test_the_csv_export_is_the_json_one_row_per_group(acme, acme_api):
    result(bill(acme, date(2024, 1, 1), date(2024, 3, 31)), "electricity", "100")
    body = summary(acme_api, year=2024)

    for response in (
        acme_api.get("/v1/emissions/summary", {"year": 2024, "format": "csv"}),
        acme_api.client.get("/v1/emissions/summary?year=2024", HTTP_ACCEPT="text/csv", **acme_api.headers),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "emissions-summary-2024-01-01-2024-12-31-by-month.csv" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == [
            "key",
            "label",
            "scope_1_kg_co2e",
            "scope_2_location_based_kg_co2e",
            "scope_2_market_based_kg_co2e",
            "scope_3_cat3a_kg_co2e",
            "scope_3_cat3b_kg_co2e",
            "scope_3_cat3c_kg_co2e",
            "biogenic_co2_kg",
            "energy_kwh",
        ]
        assert [[r[0], r[1], *(str(Decimal(v)) for v in r[2:])] for r in rows[1:]] == _exported_rows(body)


def test_the_xlsx_export_is_the_json_one_row_per_group(acme, acme_api):
    result(bill(acme, date(2024, 1, 1), date(2024, 3, 31)), "electricity", "100")
    body = summary(acme_api, year=2024, group_by="category")

    response = acme_api.get("/v1/emissions/summary", {"year": 2024, "group_by": "category", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("key", "label", "scope_1_kg_co2e")
    assert rows[0][-1] == "energy_kwh"
    assert len(rows) == 1 + len(body["groups"])
    for row, group in zip(rows[1:], body["groups"], strict=True):
        assert (row[0], row[1]) == (group["key"], group["label"])
        assert list(row[2:]) == [group[k] for k in KEYS]


def test_no_export_turns_a_facility_name_into_a_formula(acme, acme_api):
    name = '=HYPERLINK("http://example.com","Site")'
    result(make_invoice(make_facility(acme.organization, name=name), start_date=date(2024, 1, 1),
                        end_date=date(2024, 1, 31)), "electricity", "100")  # fmt: skip
    params = {"year": 2024, "group_by": "facility"}

    csv_rows = list(
        csv.reader(io.StringIO(acme_api.get("/v1/emissions/summary", {**params, "format": "csv"}).content.decode()))
    )
    xlsx = acme_api.get("/v1/emissions/summary", {**params, "format": "xlsx"}).content
    cells = [row[1] for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows(min_row=2)]

    assert f"'{name}" in [row[1] for row in csv_rows]  # quoted behind an apostrophe: shown as text
    assert [(cell.value, cell.data_type) for cell in cells if cell.value == name] == [(name, "s")]


def test_an_explicit_format_wins_over_the_accept_header(acme, acme_api):
    get = acme_api.client.get
    asked_json = get("/v1/emissions/summary?year=2024&format=json", HTTP_ACCEPT="text/csv", **acme_api.headers)
    asked_csv = get("/v1/emissions/summary?year=2024&format=csv", HTTP_ACCEPT="application/json", **acme_api.headers)
    refused = get("/v1/emissions/summary?year=2024", HTTP_ACCEPT="application/pdf", **acme_api.headers)

    assert (asked_json.status_code, asked_json["Content-Type"]) == (200, "application/json")
    assert (asked_csv.status_code, asked_csv["Content-Type"]) == (200, "text/csv; charset=utf-8")
    assert refused.status_code == 406
    assert refused.json()["code"] == "NOT_ACCEPTABLE"
    assert "format=json|csv|xlsx" in refused.json()["detail"]


def test_an_error_is_json_whatever_the_format_asked(acme_api):
    response = acme_api.get("/v1/emissions/summary", {"format": "csv"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "INVALID_REPORTING_PERIOD"


# --- bad parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "names"),
    [
        ({}, "INVALID_REPORTING_PERIOD", ["year"]),
        ({"year": 2024, "start_date": "2024-01-01"}, "INVALID_REPORTING_PERIOD", ["start_date"]),
        ({"start_date": "2024-01-01"}, "INVALID_REPORTING_PERIOD", ["end_date"]),
        ({"start_date": "2024-01-02", "end_date": "2024-01-31"}, "INVALID_REPORTING_PERIOD", ["start_date"]),
        ({"start_date": "2024-01-01", "end_date": "2024-02-28"}, "INVALID_REPORTING_PERIOD", ["end_date"]),
        ({"start_date": "2024-03-01", "end_date": "2024-02-29"}, "INVALID_REPORTING_PERIOD", ["end_date"]),
        ({"start_date": "2014-01-01", "end_date": "2024-12-31"}, "INVALID_REPORTING_PERIOD", ["end_date"]),
        ({"year": "2024.0"}, "VALIDATION_ERROR", ["year"]),
        ({"year": "0"}, "VALIDATION_ERROR", ["year"]),
        ({"start_date": "2023-02-29", "end_date": "2023-03-31"}, "VALIDATION_ERROR", ["start_date"]),
        ({"year": 2024, "group_by": "week"}, "VALIDATION_ERROR", ["group_by"]),
        ({"year": 2024, "format": "pdf"}, "VALIDATION_ERROR", ["format"]),
        ({"year": 2024, "facility_id[]": "nope"}, "VALIDATION_ERROR", ["facility_id[]"]),
        (
            {"year": 2024, "facility_id[]": "9f1c3a52-3bd1-4b2e-9a53-0d2f7d5f1e10"},
            "VALIDATION_ERROR",
            ["facility_id[]"],
        ),
        ({"year": 2024, "scope": "1"}, "VALIDATION_ERROR", ["scope"]),
        ({"year": ""}, "VALIDATION_ERROR", ["year"]),
    ],
)
def test_bad_parameters_are_refused_with_a_code_naming_them(acme_api, params, code, names):
    response = acme_api.get("/v1/emissions/summary", params)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert sorted(response.json()["errors"]) == names


def test_a_year_twice_is_refused(acme_api):
    response = acme_api.get("/v1/emissions/summary?year=2024&year=2025")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["year"]


def test_a_february_28_ends_a_window_in_a_common_year(acme_api):
    response = acme_api.get("/v1/emissions/summary", {"start_date": "2023-01-01", "end_date": "2023-02-28"})

    assert response.status_code == 200


def test_the_last_year_a_date_can_have_is_a_year_like_another(acme_api):
    body = summary(acme_api, year=9999)

    assert body["groups"][-1]["key"] == "9999-12"
    assert summary(acme_api, start_date="9999-11-01", end_date="9999-12-31")["end_date"] == "9999-12-31"


def test_it_needs_an_api_key(acme):
    from django.test import Client

    assert Client().get("/v1/emissions/summary", {"year": 2024}).status_code == 401


# --- cost --------------------------------------------------------------------------------------


def test_the_summary_costs_four_queries_however_many_bills(acme, acme_api, django_assert_num_queries):
    for day in range(1, 20):
        result(bill(acme, date(2024, 1, day), date(2024, 2, day)), "electricity", "10")
    acme_api.get("/v1/emissions/summary", {"year": 2024})  # records the key's last use
    # key lookup + the summary (the months' shares summed per group) + the coverage counts (the invoices by
    # outcome) + the audit findings per code
    with django_assert_num_queries(4):
        assert summary(acme_api, year=2024)["totals"]["scope_2_market_based"] == 190
    # grouped by facility: + the organization's facilities (the groups, zeros included)
    with django_assert_num_queries(5):
        summary(acme_api, year=2024, group_by="facility")
