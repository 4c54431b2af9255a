"""GET /v1/invoices/{id}, POST /v1/invoices, PATCH and DELETE."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from invoicing.models import Invoice, InvoiceEmission
from tests.factories import invoice_body, make_contract, make_facility, make_facility_fuel, make_invoice, supplier, unit

pytestmark = pytest.mark.django_db


def electricity_body(tenant, **overrides: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    defaults = {"quantity": 1500.25, "invoice_id": "INV-2024-001", "supply_contract_id": str(tenant.contract.id)}
    return invoice_body(tenant.facility, **{**defaults, **overrides})


def test_it_returns_an_invoice_with_its_emissions_per_category(acme, acme_api):
    invoice = make_invoice(acme.facility, co2e=Decimal("412.5"))
    InvoiceEmission.objects.create(
        invoice=invoice,
        category="electricity",
        kg_co2e=Decimal("412.5"),
        quantity=Decimal("1500"),
        quantity_unit="kWh",
        factor_value=Decimal("0.275"),
        factor_unit="kg CO2e/kWh",
        scope="scope_2_market_based",
        source_location="MITECO",
        dataset_name="MITECO calculadora_hc",
        dataset_version="31",
        factor_year=2024,
    )
    body = acme_api.get(f"/v1/invoices/{invoice.id}").json()
    assert body["id"] == str(invoice.id)
    assert body["co2e"] == 412.5
    [emission] = body["emissions"]
    assert emission["category"] == "electricity"
    assert emission["scope"] == "scope_2_market_based"
    assert (emission["kg_co2e"], emission["factor_value"], emission["factor_unit"]) == (412.5, 0.275, "kg CO2e/kWh")
    assert (emission["dataset_name"], emission["dataset_version"]) == ("MITECO calculadora_hc", "31")
    assert emission["calculated_at"].endswith("Z")


def test_an_unknown_or_malformed_id_is_a_json_404(acme_api):
    for path in ("/v1/invoices/5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90", "/v1/invoices/not-a-uuid"):
        response = acme_api.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


def test_it_creates_an_electricity_invoice_taking_supplier_and_cups_from_the_contract(acme, acme_api):
    response = acme_api.post("/v1/invoices", electricity_body(acme))
    assert response.status_code == 201, response.content
    item = response.json()
    invoice = Invoice.objects.get(pk=item["id"])
    assert invoice.organization == acme.organization
    assert (invoice.quantity, invoice.original_quantity) == (Decimal("1500.25"), Decimal("1500.25"))
    assert invoice.supplier == acme.contract.supplier
    assert item["cups"] == "ES0021000000000001RK"
    assert (item["status"], item["source"], item["co2e"]) == ("uploaded", "manual", None)
    assert (item["start_date"], item["end_date"]) == ("2024-01-01T00:00:00", "2024-01-31T23:59:59")


def test_it_accepts_the_period_in_the_format_it_returns(acme, acme_api):
    body = electricity_body(acme, start_date="2024-01-01T00:00:00", end_date="2024-01-31T23:59:59")
    assert acme_api.post("/v1/invoices", body).status_code == 201


def test_it_creates_a_heat_invoice_for_a_facility_fuel(acme, acme_api):
    gas_oil = make_facility_fuel(acme.facility, "gas_oil")
    body = {
        "type": "heat",
        "quantity": 800,
        "unit_id": str(unit("litre").id),
        "start_date": "2024-01-01",
        "end_date": "2024-03-31",
        "facility_id": str(acme.facility.id),
        "facility_fuel_id": str(gas_oil.id),
    }
    response = acme_api.post("/v1/invoices", body)
    assert response.status_code == 201, response.content
    assert response.json()["facility_fuel_id"] == str(gas_oil.id)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity": -1}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": 1.1234567}, "quantity"),
        ({"end_date": "2023-12-31"}, "end_date"),
        ({"start_date": "2024-02-30"}, "start_date"),
        ({"unit_id": "5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90"}, "unit_id"),
        ({"unit_id": "litre"}, "unit_id"),
        ({"type": "gas"}, "type"),
        ({"status": "paid"}, "status"),
        ({"cups": "ES0021000000000001XX"}, "cups"),
        ({"supplier_id": "5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90"}, "supplier_id"),
        ({"facility_id": "5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90"}, "facility_id"),
        ({"supply_contract_id": "5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90"}, "supply_contract_id"),
        ({"facility_fuel_id": "5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90"}, "facility_fuel_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_each_invalid_field_is_a_400_naming_it(acme, acme_api, overrides, field):
    body = electricity_body(acme, **overrides)
    if overrides.get("unit_id") == "litre":
        body["unit_id"] = str(unit("litre").id)  # a volume unit on an electricity invoice
    response = acme_api.post("/v1/invoices", body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["errors"]
    assert Invoice.objects.count() == 0


def test_a_missing_required_field_is_named(acme, acme_api):
    body = electricity_body(acme)
    del body["quantity"]
    response = acme_api.post("/v1/invoices", body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["quantity"]


def test_a_heat_invoice_needs_its_facility_fuel_and_a_fitting_unit(acme, acme_api):
    body = {
        "type": "heat",
        "quantity": 5,
        "unit_id": str(unit("kwh").id),
        "start_date": "2024-01-01",
        "end_date": "2024-01-31",
        "facility_id": str(acme.facility.id),
    }
    response = acme_api.post("/v1/invoices", body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["facility_fuel_id"]


def test_the_facility_fuel_and_contract_must_belong_to_the_invoice_facility(acme, acme_api):
    other_site = make_facility(acme.organization, name="Sevilla")
    body = electricity_body(acme, facility_id=str(other_site.id))
    response = acme_api.post("/v1/invoices", body)
    assert response.status_code == 400
    assert "supply_contract_id" in response.json()["errors"]


def test_a_contract_and_a_different_supplier_conflict(acme, acme_api):
    body = electricity_body(acme, supplier_id=str(supplier("endesa-energia").id))
    response = acme_api.post("/v1/invoices", body)
    assert list(response.json()["errors"]) == ["supplier_id"]


def test_the_same_number_and_period_twice_is_a_conflict(acme, acme_api):
    assert acme_api.post("/v1/invoices", electricity_body(acme)).status_code == 201
    response = acme_api.post("/v1/invoices", electricity_body(acme))
    assert response.status_code == 409
    assert response.json()["code"] == "DUPLICATE_INVOICE"
    assert list(response.json()["errors"]) == ["invoice_id"]


def test_a_body_that_is_not_a_json_object_is_a_400(acme_api):
    bodies: list[object] = [[], "text", 3]
    for body in bodies:
        response = acme_api.post("/v1/invoices", body)
        assert response.status_code == 400
        assert response.json()["code"] == "VALIDATION_ERROR"


def test_patch_changes_status_and_corrects_fields_keeping_the_original_quantity(acme, acme_api):
    invoice = make_invoice(acme.facility, quantity="100")
    response = acme_api.patch(
        f"/v1/invoices/{invoice.id}", {"status": "inactive", "quantity": 120, "invoice_id": "X-1"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["quantity"], response.json()["invoice_id"]) == (
        "inactive",
        120.0,
        "X-1",
    )
    invoice.refresh_from_db()
    assert invoice.original_quantity == Decimal("100")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "heat"}, "type"),
        ({"status": "paid"}, "status"),
        ({"end_date": "2023-01-01"}, "end_date"),
        ({"quantity": None}, "quantity"),
        ({"facility_fuel_id": "5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90"}, "facility_fuel_id"),
    ],
)
def test_patch_validates_the_corrected_invoice_naming_the_field(acme, acme_api, body, field):
    invoice = make_invoice(acme.facility)
    response = acme_api.patch(f"/v1/invoices/{invoice.id}", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_patch_to_another_contract_follows_its_supplier(acme, acme_api):
    invoice = make_invoice(acme.facility, supply_contract=acme.contract, supplier=acme.contract.supplier)
    endesa = make_contract(acme.facility, "endesa-energia")
    response = acme_api.patch(f"/v1/invoices/{invoice.id}", {"supply_contract_id": str(endesa.id)})
    assert response.json()["supplier_id"] == str(endesa.supplier_id)


def test_delete_removes_the_invoice_and_its_emissions(acme, acme_api):
    invoice = make_invoice(acme.facility)
    InvoiceEmission.objects.create(invoice=invoice, category="energy", kwh=1, quantity=1, quantity_unit="kWh")
    assert acme_api.delete(f"/v1/invoices/{invoice.id}").status_code == 204
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert not InvoiceEmission.objects.exists()
    assert acme_api.delete(f"/v1/invoices/{invoice.id}").status_code == 404


def test_a_quantity_with_twenty_digits_is_stored_exactly_not_through_a_float(acme, acme_api):
    body = electricity_body(acme, quantity=Decimal("12345678901234.123456"))
    payload = json.dumps(body, default=str).replace('"12345678901234.123456"', "12345678901234.123456")

    response = acme_api.client.post("/v1/invoices", payload, content_type="application/json", **acme.headers)

    assert response.status_code == 201, response.content
    assert Invoice.objects.get().quantity == Decimal("12345678901234.123456")
    assert '"quantity":12345678901234.123456' in response.content.decode()
