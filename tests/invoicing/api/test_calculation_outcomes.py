"""The last outcome of each category is visible where the number would be: a row, a reason, or pending."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import invoice_body, make_facility_fuel, unit

from .conftest import ApiClient

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]


def by_category(items):  # type: ignore[no-untyped-def]
    return {item["category"]: item for item in items}


def test_a_failed_category_shows_its_reason_until_the_input_is_fixed(acme, queue, drain_queue):
    api = ApiClient(acme)
    gas = make_facility_fuel(acme.facility, "natural_gas")
    body = invoice_body(
        acme.facility,
        type="heat",
        quantity=250,
        unit_id=str(unit("m3").id),
        start_date="2024-02-01",
        end_date="2024-02-29",
        facility_fuel_id=str(gas.id),
    )

    created = api.post("/v1/invoices", body)
    assert created.status_code == 201, created.content
    assert created.json()["calculation_pending"] is True
    assert {"stationary", "energy"} <= set(created.json()["pending_categories"])
    invoice_url = f"/v1/invoices/{created.json()['id']}"

    drain_queue()
    detail = api.get(invoice_url).json()
    assert detail["calculation_pending"] is False
    assert "stationary" not in by_category(detail["emissions"])
    failure = by_category(detail["calculation_errors"])["stationary"]
    assert failure["code"] == "NO_CALORIFIC_VALUE"
    assert "kwh_per_m3" in failure["message"]
    assert failure["job_id"]

    corrected = api.patch(invoice_url, {"kwh_per_m3": 11.7})
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["calculation_pending"] is True
    assert "stationary" in corrected.json()["pending_categories"]

    drain_queue()
    detail = api.get(invoice_url).json()
    assert detail["calculation_pending"] is False
    assert "stationary" not in by_category(detail["calculation_errors"])
    row = by_category(detail["emissions"])["stationary"]
    assert Decimal(str(row["quantity"])) == Decimal("2925")  # 250 m³ x 11.70 kWh/m³ (the bill's factor)
