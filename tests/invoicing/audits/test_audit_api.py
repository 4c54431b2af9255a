"""`GET /v1/invoices/audit` and `audit_codes`: each audit code with a minimal pair of bills and its negative."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from invoicing.services.invoices import invoice_create
from tests.conftest import Tenant
from tests.factories import make_facility, make_facility_fuel, unit
from tests.invoicing.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def bill(tenant: Tenant, start: str, end: str, quantity: str = "1500", **fields: Any) -> Any:
    """An electricity bill of the tenant's Madrid office (CUPS from its contract), through the service."""
    values: dict[str, Any] = {
        "type": "electricity",
        "unit_id": unit("kwh").id,
        "facility_id": tenant.facility.id,
        "invoice_number": f"N-{start}-{end}-{quantity}",
    }
    values.update(fields)
    return invoice_create(
        organization=tenant.organization,
        quantity=Decimal(quantity),
        start_date=date.fromisoformat(start),
        end_date=date.fromisoformat(end),
        **values,
    )


def findings(tenant: Tenant, **params: Any) -> list[dict[str, Any]]:
    response = ApiClient(tenant).request("get", "/v1/invoices/audit", **params)
    assert response.status_code == 200, response.content
    return response.json()["items"]


def codes(tenant: Tenant, **params: Any) -> list[str]:
    return [finding["code"] for finding in findings(tenant, **params)]


def test_bills_sharing_a_day_overlap(acme):
    january = bill(acme, "2024-01-01", "2024-01-31")
    february = bill(acme, "2024-01-31", "2024-02-29")  # 31 January is billed twice: end dates are included

    [finding] = findings(acme)

    assert finding["code"] == "OVERLAPPING_PERIODS"
    assert finding["invoice_ids"] == [str(january.id), str(february.id)]
    assert finding["supply_point"] == {
        "key": "cups:ES0021000000000001RK",
        "type": "electricity",
        "cups": "ES0021000000000001RK",
        "facility_ids": [str(acme.facility.id)],
        "facility_fuel_id": None,
    }
    assert (finding["start_date"], finding["end_date"]) == ("2024-01-31", "2024-01-31")
    assert finding["details"] == {
        "shared_days": 1,
        "first_shared_day": "2024-01-31",
        "last_shared_day": "2024-01-31",
    }
    assert "share 1 day(s), 2024-01-31 to 2024-01-31" in finding["message"]


def test_touching_periods_neither_overlap_nor_leave_a_gap(acme):
    bill(acme, "2024-01-01", "2024-01-31")
    bill(acme, "2024-02-01", "2024-02-29")

    assert findings(acme) == []


def test_a_bill_inside_a_long_one_overlaps_it_even_after_a_shorter_one(acme):
    quarter = bill(acme, "2024-01-01", "2024-03-31", "4500")
    bill(acme, "2024-01-01", "2024-01-10", "150")
    march = bill(acme, "2024-03-01", "2024-03-31", "1600")

    overlaps = [f for f in findings(acme) if f["code"] == "OVERLAPPING_PERIODS"]

    assert [str(quarter.id), str(march.id)] in [f["invoice_ids"] for f in overlaps]
    assert "GAP" not in codes(acme)


def test_four_uncovered_days_are_a_gap_and_three_are_not(acme):
    january = bill(acme, "2024-01-01", "2024-01-31")
    bill(acme, "2024-02-04", "2024-02-29")  # 1-3 February uncovered: 3 days
    assert findings(acme) == []

    other = make_facility(acme.organization, name="Valencia", country="ES")
    gas = make_facility_fuel(other, "natural_gas")
    heat: dict[str, Any] = {"type": "heat", "facility_id": other.id, "facility_fuel_id": gas.id}
    first = bill(acme, "2024-01-01", "2024-01-31", **heat)
    second = bill(acme, "2024-02-05", "2024-02-29", **heat)  # 1-4 February uncovered: 4 days

    [gap] = findings(acme)
    assert gap["code"] == "GAP"
    assert gap["invoice_ids"] == [str(first.id), str(second.id)]
    assert gap["supply_point"]["key"] == f"facility:{other.id}/heat/{gas.id}"
    assert (gap["start_date"], gap["end_date"]) == ("2024-02-01", "2024-02-04")
    assert gap["details"]["gap_days"] == 4
    assert str(january.id) not in gap["invoice_ids"]


def test_the_same_number_on_two_periods_is_a_duplicate(acme):
    first = bill(acme, "2024-01-01", "2024-01-31", invoice_number="FE-0001")
    second = bill(acme, "2024-02-01", "2024-02-29", "1700", invoice_number=" fe-0001 ")

    [finding] = findings(acme)

    assert finding["code"] == "DUPLICATE"
    assert finding["invoice_ids"] == [str(first.id), str(second.id)]
    assert finding["details"] == {"reason": "same_number", "invoice_number": "FE-0001", "bills": 2}


def test_the_same_period_and_quantity_under_two_numbers_is_a_duplicate(acme):
    bill(acme, "2024-01-01", "2024-01-31", invoice_number="A-1")
    bill(acme, "2024-01-01", "2024-01-31", invoice_number="B-1")

    assert sorted(codes(acme)) == ["DUPLICATE", "OVERLAPPING_PERIODS"]
    duplicate = findings(acme, **{"code[]": "DUPLICATE"})[0]
    assert duplicate["details"]["reason"] == "same_period_and_quantity"
    assert Decimal(str(duplicate["details"]["quantity"])) == Decimal(1500)


def test_the_same_period_with_another_quantity_is_no_duplicate(acme):
    bill(acme, "2024-01-01", "2024-01-31", invoice_number="A-1")
    bill(acme, "2024-01-01", "2024-01-31", "1501", invoice_number="B-1")

    assert codes(acme) == ["OVERLAPPING_PERIODS"]


def thirty_day_bills(tenant: Tenant, quantities: list[str], **fields: Any) -> list[Any]:
    start = date(2024, 1, 1)
    bills = []
    for quantity in quantities:
        end = start + timedelta(days=29)
        bills.append(bill(tenant, start.isoformat(), end.isoformat(), quantity, **fields))
        start = end + timedelta(days=1)
    return bills


def test_daily_use_above_three_times_the_median_is_an_outlier(acme):
    bills = thirty_day_bills(acme, ["3000", "3000", "3000", "3000", "3000", "9030"])  # 100 kWh a day, then 301

    [finding] = findings(acme)

    assert finding["code"] == "USAGE_OUTLIER"
    assert finding["invoice_ids"] == [str(bills[-1].id)]
    assert finding["details"] == {
        "daily_use": 301,
        "median_daily_use": 100,
        "ratio_to_median": 3.01,
        "unit": "kWh/day",
        "bills": 6,
    }


def test_daily_use_below_a_third_of_the_median_is_an_outlier(acme):
    thirty_day_bills(acme, ["3000", "3000", "3000", "3000", "3000", "990"])  # 33 kWh a day

    assert codes(acme) == ["USAGE_OUTLIER"]


def test_exactly_three_times_the_median_is_no_outlier(acme):
    thirty_day_bills(acme, ["3000", "3000", "3000", "3000", "3000", "9000"])

    assert findings(acme) == []


def test_five_bills_are_too_few_for_a_median(acme):
    thirty_day_bills(acme, ["3000", "3000", "3000", "3000", "30000"])

    assert findings(acme) == []


def test_daily_use_is_compared_in_one_unit(acme):
    mwh = unit("mwh").id
    bills = thirty_day_bills(acme, ["3000", "3000", "3000", "3000", "3000"])
    bills.append(bill(acme, "2024-06-01", "2024-06-30", "3", unit_id=mwh, invoice_number="IN-MWH"))

    assert findings(acme) == []


def test_findings_follow_a_correction_and_a_deletion(acme):
    api = ApiClient(acme)
    bill(acme, "2024-01-01", "2024-01-31")
    february = bill(acme, "2024-02-01", "2024-02-29")
    assert findings(acme) == []

    response = api.request("patch", f"/v1/invoices/{february.id}", {"start_date": "2024-01-20"})
    assert response.status_code == 200, response.content
    assert response.json()["audit_codes"] == ["OVERLAPPING_PERIODS"]
    assert codes(acme) == ["OVERLAPPING_PERIODS"]

    response = api.request("patch", f"/v1/invoices/{february.id}", {"start_date": "2024-02-10"})
    assert response.json()["audit_codes"] == ["GAP"]
    assert codes(acme) == ["GAP"]

    assert api.request("delete", f"/v1/invoices/{february.id}").status_code == 204
    assert findings(acme) == []


def test_a_correction_that_moves_a_bill_audits_both_supply_points(acme):
    other = make_facility(acme.organization, name="Sevilla", country="ES")
    bill(acme, "2024-01-01", "2024-01-31", type="water", unit_id=unit("m3").id, quantity="20")
    moved = bill(acme, "2024-01-15", "2024-02-15", type="water", unit_id=unit("m3").id, quantity="21")
    assert codes(acme) == ["OVERLAPPING_PERIODS"]

    response = ApiClient(acme).request("patch", f"/v1/invoices/{moved.id}", {"facility_id": str(other.id)})

    assert response.status_code == 200, response.content
    assert findings(acme) == []


def test_list_and_detail_say_which_codes_involve_each_invoice(acme):
    api = ApiClient(acme)
    january = bill(acme, "2024-01-01", "2024-01-31", invoice_number="X-1")
    bill(acme, "2024-01-01", "2024-01-31", invoice_number="X-2")
    clean = bill(acme, "2024-01-01", "2024-01-31", type="water", unit_id=unit("m3").id, quantity="20")

    items = {item["id"]: item["audit_codes"] for item in api.request("get", "/v1/invoices").json()["items"]}
    detail = api.request("get", f"/v1/invoices/{january.id}").json()

    assert items[str(january.id)] == ["DUPLICATE", "OVERLAPPING_PERIODS"]
    assert items[str(clean.id)] == []
    assert detail["audit_codes"] == ["DUPLICATE", "OVERLAPPING_PERIODS"]


def test_filters_by_code_facility_and_window(acme):
    bill(acme, "2024-01-01", "2024-01-31")
    bill(acme, "2024-01-31", "2024-02-29")  # overlap on 31 January
    bill(acme, "2024-03-10", "2024-03-31")  # gap 1-9 March
    other = make_facility(acme.organization, name="Bilbao", country="ES")
    water: dict[str, Any] = {"type": "water", "unit_id": unit("m3").id, "facility_id": other.id}
    bill(acme, "2024-01-01", "2024-01-31", "20", **water)
    bill(acme, "2024-01-20", "2024-02-20", "20", **water)

    assert sorted(codes(acme)) == ["GAP", "OVERLAPPING_PERIODS", "OVERLAPPING_PERIODS"]
    assert codes(acme, **{"code[]": "GAP"}) == ["GAP"]
    assert sorted(codes(acme, code=["GAP", "OVERLAPPING_PERIODS"])) == sorted(codes(acme))
    assert [f["supply_point"]["type"] for f in findings(acme, **{"facility_id[]": str(other.id)})] == ["water"]
    assert codes(acme, start_date="2024-03-01") == ["GAP"]
    assert codes(acme, start_date="2024-03-09", end_date="2024-03-09") == ["GAP"]
    assert sorted(codes(acme, end_date="2024-01-31")) == ["OVERLAPPING_PERIODS", "OVERLAPPING_PERIODS"]
    assert codes(acme, start_date="2024-04-01") == []


def test_findings_are_paged_like_every_list(acme):
    for month in range(1, 8, 2):  # every other month: 3 gaps
        bill(acme, f"2024-{month:02d}-01", f"2024-{month:02d}-28")

    response = ApiClient(acme).request("get", "/v1/invoices/audit", page="2", size="2")

    body = response.json()
    assert (body["total"], body["page"], body["size"], body["pages"]) == (3, 2, 2, 2)
    assert [f["code"] for f in body["items"]] == ["GAP"]
    assert body["items"][0]["start_date"] == "2024-05-29"


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"code[]": "NOPE"}, "code[]"),
        ({"facility_id[]": "not-a-uuid"}, "facility_id[]"),
        ({"start_date": "2023-02-29"}, "start_date"),
        ({"end_date": ""}, "end_date"),
        ({"size": "101"}, "size"),
        ({"page": "0"}, "page"),
        ({"sort": "code"}, "sort"),
        ({"start_date": "2024-06-30", "end_date": "2024-06-01"}, "end_date"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(acme, params, bad):
    response = ApiClient(acme).request("get", "/v1/invoices/audit", **params)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert bad in response.json()["errors"]


def test_an_import_audits_the_supply_points_it_fills(acme, tmp_path):
    from invoicing.imports.service import invoice_import

    bill(acme, "2024-01-01", "2024-01-31")
    path = tmp_path / "bills.csv"
    path.write_text(
        "type,invoice_number,facility,start_date,end_date,quantity,unit,supplier,cups,fuel,contract,status,kwh_per_m3\n"
        "electricity,IMP-1,Madrid office,2024-01-25,2024-02-29,1500,kwh,,,,,active,\n"
    )

    report = invoice_import(organization=acme.organization, source=path, calculate=False)

    assert report.created == 1
    assert codes(acme) == ["OVERLAPPING_PERIODS"]
