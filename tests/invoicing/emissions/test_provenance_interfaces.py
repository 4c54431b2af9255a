"""What an auditor reads: each result's scope, basis, factors and their sources, in the API and the admin."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from invoicing.models import EmissionFactor
from tests.factories import make_facility, make_facility_fuel, make_invoice

from .helpers import calculated, published

DECEMBER_TO_JANUARY = {"start_date": date(2023, 12, 15), "end_date": date(2024, 1, 14)}


def detail(client, tenant, invoice) -> dict:
    response = client.get(f"/v1/invoices/{invoice.id}", **tenant.headers)
    assert response.status_code == 200
    return {row["category"]: row for row in response.json()["emissions"]}


def test_the_api_detail_gives_each_rows_scope_basis_year_parts_and_sources(client, borealis):
    losses_2023 = published("desnz_2023.csv", flat_file_id="13_402_4000_5_1")
    upstream_2024 = published("desnz_2024.csv", flat_file_id="15_918_4000_5_1")
    invoice = make_invoice(borealis.facility, quantity="3100", **DECEMBER_TO_JANUARY)
    stored = calculated(invoice, "electricity_transmission_and_distribution")
    calculated(invoice, "energy")
    rows = detail(client, borealis, invoice)
    td = rows["electricity_transmission_and_distribution"]
    assert {key: td[key] for key in ("scope", "basis", "factor_rung", "fallbacks", "factor_year", "kwh")} == {
        "scope": "scope_3_3c",
        "basis": "co2e",
        "factor_rung": "dataset",
        "fallbacks": [],
        "factor_year": None,
        "kwh": None,
    }
    assert td["kg_co2e"] == float(stored.kg_co2e)
    assert td["dataset_publisher"] == "DESNZ"
    assert td["dataset_version"] == stored.dataset_version
    assert losses_2023.row["source_location"] in td["source_location"]
    december, january = td["year_parts"]
    assert (december["year"], december["days"], december["quantity"], january["days"]) == (2023, 17, 1700, 14)
    assert [f["component"] for f in january["factors"]] == ["td_losses", "td_losses_wtt"]
    upstream = january["factors"][1]
    assert (upstream["factor_value"], upstream["factor_year"], upstream["scope"]) == (
        float(upstream_2024.value),
        2024,
        "scope_3_3c",
    )
    assert upstream["source_location"] == upstream_2024.row["source_location"]
    assert upstream["kg_co2e"] == float(Decimal("1400") * upstream_2024.value)
    energy = rows["energy"]
    assert (energy["kwh"], energy["kg_co2e"], energy["scope"], energy["year_parts"]) == (3100, None, None, [])


def test_the_api_marks_a_co2_only_result(client, acme):
    facility = make_facility(acme.organization, country="IE")
    invoice = make_invoice(facility, start_date=date(2025, 2, 1), end_date=date(2025, 2, 28))
    calculated(invoice, "electricity_location_based")
    row = detail(client, acme, invoice)["electricity_location_based"]
    assert (row["basis"], row["factor_unit"], row["dataset_publisher"]) == ("co2_only", "kg CO2/kWh", "SEAI")
    [factor] = row["year_parts"][0]["factors"]  # a row's only factor is stored without the row's texts
    assert (factor["source_location"], factor["dataset_version"]) == (row["source_location"], row["dataset_version"])
    assert factor["source_location"].startswith("sheet 'Emission factors timeseries', row 66")


def test_the_admin_shows_each_rows_scope_and_labels_energy_in_kwh(client, superuser, borealis):
    heat = make_invoice(
        borealis.facility,
        type="heat",
        facility_fuel=make_facility_fuel(borealis.facility, "district_heat"),
        quantity="10000",
        unit_code="kwh",
    )
    calculated(heat, "stationary")
    calculated(heat, "energy")
    client.force_login(superuser)
    html = client.get(reverse("admin:invoicing_invoice_change", args=[heat.id])).content.decode()
    assert "Scope 2 (purchased heat and steam; location- and market-based alike)" in html
    assert "Not an emission (energy in kWh)" in html
    assert "Energy (kWh)" in html
    assert "10000 kWh" in html
    assert "ghg-conversion-factors-2024-FlatFormat_v1_1.xlsx" in html


def test_no_one_edits_a_published_factor_in_the_admin(client, superuser):
    factor = EmissionFactor.objects.filter(dataset__publisher="DESNZ").order_by("id")[0]
    client.force_login(superuser)
    url = reverse("admin:invoicing_emissionfactor_change", args=[factor.id])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"kg_co2e": "9"}).status_code == 403
    assert EmissionFactor.objects.get(id=factor.id).kg_co2e == factor.kg_co2e
    dataset_url = reverse("admin:invoicing_emissionfactordataset_change", args=[factor.dataset_id])
    assert 'name="rank"' in client.get(dataset_url).content.decode()
    assert 'name="version"' not in client.get(dataset_url).content.decode()
