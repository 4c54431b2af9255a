"""Reference endpoints: catalogues, facilities, facility fuels and supply contracts."""

from __future__ import annotations

import pytest

from invoicing.models import FacilityFuel
from tests.factories import fuel, supplier, unit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/units", {"id", "code", "name", "symbol", "dimension"}),
        ("/v1/suppliers", {"id", "code", "name", "legal_name", "country"}),
        ("/v1/stationary-fuels", {"id", "code", "name", "is_biomass"}),
    ],
)
def test_catalogues_are_paged_like_invoices(acme_api, path, expected):
    body = acme_api.get(path, {"size": 2}).json()
    assert set(body) == {"items", "total", "page", "size", "pages"}
    assert len(body["items"]) == 2
    assert set(body["items"][0]) == expected
    assert body["pages"] == -(-body["total"] // 2)


def test_units_have_the_stable_catalogue_ids(acme_api):
    items = acme_api.get("/v1/units", {"size": 100}).json()["items"]
    assert {i["code"]: i["id"] for i in items}["kwh"] == str(unit("kwh").id)


def test_catalogues_reject_unknown_parameters(acme_api):
    assert acme_api.get("/v1/units", {"dimension": "energy"}).status_code == 400


def test_it_lists_and_creates_the_organizations_facilities(acme, borealis, acme_api):
    response = acme_api.post(
        "/v1/facilities", {"name": "Sevilla plant", "country": "es", "region": "AN", "cups": ["es1234123456789012jy"]}
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["country"], created["cups"]) == ("ES", ["ES1234123456789012JY"])
    names = [f["name"] for f in acme_api.get("/v1/facilities").json()["items"]]
    assert names == ["Madrid office", "Sevilla plant"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "country": "ES"}, "name"),
        ({"name": "X", "country": "Spain"}, "country"),
        ({"name": "X", "country": "ES", "cups": ["ES0021000000000001XX"]}, "cups"),
    ],
)
def test_facility_validation_names_the_field(acme_api, body, field):
    response = acme_api.post("/v1/facilities", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_duplicate_facility_name_is_a_conflict(acme, acme_api):
    response = acme_api.post("/v1/facilities", {"name": "Madrid office", "country": "ES"})
    assert response.status_code == 409


def test_it_registers_and_lists_the_fuels_of_a_facility(acme, acme_api):
    path = f"/v1/facilities/{acme.facility.id}/fuels"
    response = acme_api.post(path, {"fuel_id": str(fuel("natural_gas").id)})
    assert response.status_code == 201, response.content
    assert acme_api.post(path, {"fuel_id": str(fuel("natural_gas").id)}).status_code == 409
    assert acme_api.post(path, {"fuel_id": str(unit("kwh").id)}).status_code == 400
    items = acme_api.get(path).json()["items"]
    assert items == [
        {"id": response.json()["id"], "facility_id": str(acme.facility.id), "fuel_id": str(fuel("natural_gas").id)}
    ]
    assert FacilityFuel.objects.filter(facility=acme.facility).count() == 1


def test_it_lists_and_creates_supply_contracts(acme, acme_api):
    body = {
        "facility_id": str(acme.facility.id),
        "supplier_id": str(supplier("endesa-energia").id),
        "start_date": "2024-01-01",
        "end_date": "2024-12-31",
        "cups": "ES0021000000000001RK",
        "covered_by_guarantees_of_origin": True,
    }
    response = acme_api.post("/v1/supply-contracts", body)
    assert response.status_code == 201, response.content
    assert response.json()["covered_by_guarantees_of_origin"] is True
    assert acme_api.get("/v1/supply-contracts").json()["total"] == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": "2023-01-01"}, "end_date"),
        ({"cups": "XX"}, "cups"),
        ({"supplier_id": "5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90"}, "supplier_id"),
    ],
)
def test_supply_contract_validation_names_the_field(acme, acme_api, overrides, field):
    body = {
        "facility_id": str(acme.facility.id),
        "supplier_id": str(supplier("endesa-energia").id),
        "start_date": "2024-01-01",
        **overrides,
    }
    response = acme_api.post("/v1/supply-contracts", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
