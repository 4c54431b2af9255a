"""No endpoint shows, or lets a caller change, another organization's rows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from invoicing.models import Facility, FacilityFuel, Invoice, InvoiceEmission, SupplyContract
from tests.factories import fuel, make_facility_fuel, make_invoice, make_result, supplier, unit

from .conftest import ENDPOINTS, ApiClient, Endpoint

pytestmark = pytest.mark.django_db


def snapshot(tenant) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    organization = tenant.organization
    return {
        "invoices": list(Invoice.objects.filter(organization=organization).order_by("id").values()),
        "emissions": list(InvoiceEmission.objects.filter(invoice__organization=organization).order_by("id").values()),
        "facilities": list(Facility.objects.filter(organization=organization).order_by("id").values()),
        "fuels": list(FacilityFuel.objects.filter(facility__organization=organization).order_by("id").values()),
        "contracts": list(SupplyContract.objects.filter(facility__organization=organization).order_by("id").values()),
    }


def fill(value: Any, ids: dict[str, str]) -> Any:
    text = json.dumps(value)
    for name, id_ in ids.items():
        text = text.replace("{" + name + "}", id_)
    return json.loads(text)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_it_never_shows_or_changes_another_organizations_rows(acme, borealis, endpoint: Endpoint):
    victim_fuel = make_facility_fuel(borealis.facility, "natural_gas")
    victim_invoice = make_invoice(borealis.facility, supply_contract=borealis.contract, invoice_number="SECRET-1")
    InvoiceEmission.objects.create(invoice=victim_invoice, category="energy", kwh=1, quantity=1, quantity_unit="kWh")
    make_invoice(acme.facility)  # the caller has rows of its own
    ids = {
        "invoice": str(victim_invoice.id),
        "facility": str(borealis.facility.id),
        "contract": str(borealis.contract.id),
        "facility_fuel": str(victim_fuel.id),
        "kwh": str(unit("kwh").id),
        "diesel": str(fuel("diesel").id),
        "iberdrola": str(supplier("iberdrola-clientes").id),
    }
    before = snapshot(borealis)

    response = ApiClient(acme).request(endpoint.method, fill(endpoint.path, ids), fill(endpoint.body, ids))

    assert response.status_code < 500, response.content
    if "{" in endpoint.path or (endpoint.body and "{facility}" in json.dumps(endpoint.body)):
        assert response.status_code in (400, 404), response.content
    content = response.content.decode()
    for secret in (*ids.values(), "SECRET-1"):
        if secret in (ids["kwh"], ids["diesel"], ids["iberdrola"]):
            continue  # catalogue rows are shared
        assert secret not in content
    assert snapshot(borealis) == before


def test_the_audit_shows_only_the_callers_findings(acme, borealis):
    from datetime import date
    from decimal import Decimal

    from invoicing.services.invoices import invoice_create

    def bill(tenant, number: str, start: date, end: date) -> Invoice:  # type: ignore[no-untyped-def]
        return invoice_create(
            organization=tenant.organization,
            type="electricity",
            quantity=Decimal(100),
            unit_id=unit("kwh").id,
            start_date=start,
            end_date=end,
            facility_id=tenant.facility.id,
            invoice_number=number,
        )

    victim = [bill(borealis, f"SECRET-{n}", date(2024, 1, 1), date(2024, 1, 31)) for n in (1, 2)]
    own = [bill(acme, f"OWN-{n}", date(2024, 1, 1), date(2024, 1, 31)) for n in (1, 2)]
    api = ApiClient(acme)

    everything = api.request("get", "/v1/invoices/audit").json()
    by_facility = api.request("get", "/v1/invoices/audit", **{"facility_id[]": str(borealis.facility.id)}).json()

    assert {frozenset(f["invoice_ids"]) for f in everything["items"]} == {frozenset(str(i.id) for i in own)}
    assert by_facility["items"] == []
    content = json.dumps(everything)
    assert "SECRET" not in content
    assert all(str(invoice.id) not in content for invoice in victim)
    assert ApiClient(borealis).request("get", "/v1/invoices/audit").json()["total"] == 2  # its duplicate and overlap


def test_the_emissions_summary_counts_only_the_callers_bills(acme, borealis):
    victim_invoice = make_invoice(borealis.facility, supply_contract=borealis.contract)
    make_result(victim_invoice, "energy", kwh=1234, quantity=1234)
    make_result(victim_invoice, "electricity", scope="scope_2_market_based", kg_co2e=99)
    own = make_invoice(acme.facility)
    make_result(own, "energy", kwh=10, quantity=10)

    for group_by in ("month", "facility", "category"):
        body = ApiClient(acme).get("/v1/emissions/summary", {"year": 2024, "group_by": group_by}).json()

        assert body["totals"]["energy_kwh"] == 10
        assert body["totals"]["scope_2_market_based"] == 0
        assert body["coverage"]["invoices"] == 1
        assert str(borealis.facility.id) not in json.dumps(body)
