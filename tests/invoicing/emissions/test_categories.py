"""Each category gives the number computed by hand from a named row of the shipped files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from invoicing.models import Invoice
from tests.factories import make_facility_fuel, make_invoice

from .helpers import calculated, kg, published


def heat_invoice(tenant, fuel_code: str, quantity: str, unit_code: str, **overrides) -> Invoice:
    facility_fuel = make_facility_fuel(tenant.facility, fuel_code)
    return make_invoice(
        tenant.facility, type="heat", facility_fuel=facility_fuel, quantity=quantity, unit_code=unit_code, **overrides
    )


def test_stationary_combustion_of_natural_gas_in_kwh_uses_the_gross_cv_factor_of_the_year(borealis):
    gas = published("desnz_2024.csv", flat_file_id="1_100_1004_6_1")  # Natural gas, kWh (Gross CV)
    row = calculated(heat_invoice(borealis, "natural_gas", "10000", "kwh"), "stationary")
    assert row.kg_co2e == kg(Decimal("10000") * gas.value) == Decimal("1829")
    assert (row.scope, row.calorific_basis, row.basis) == ("scope_1", "gross", "co2e")
    assert row.source_location == gas.row["source_location"]
    assert row.source_document == "ghg-conversion-factors-2024-FlatFormat_v1_1.xlsx"
    assert (row.dataset_publisher, row.dataset_version) == ("DESNZ", gas.version)


def test_stationary_combustion_in_spain_uses_miteco_kwh_pcs(acme):
    gas = published("miteco_calculadora_v31.csv", year=2024, category="fuel_combustion", fuel_or_supplier="Natural gas")
    row = calculated(heat_invoice(acme, "natural_gas", "10000", "kwh"), "stationary")
    assert row.kg_co2e == kg(Decimal("10000") * gas.value)
    assert (row.dataset_publisher, row.scope) == ("MITECO", "scope_1")


def test_well_to_tank_of_diesel_is_scope_3_category_3a(borealis):
    wtt = published("desnz_2024.csv", flat_file_id="11_101_1011_8_1")  # WTT diesel (average biofuel blend), litres
    row = calculated(heat_invoice(borealis, "diesel", "800", "litre"), "stationary_generation")
    assert row.kg_co2e == kg(Decimal("800") * wtt.value) == Decimal("488.808")
    assert row.scope == "scope_3_3a"


def test_upstream_of_generation_is_the_wtt_of_generation_scope_3_category_3b(borealis):
    wtt = published("desnz_2024.csv", flat_file_id="15_917_4000_5_1")  # WTT UK electricity (generation)
    row = calculated(make_invoice(borealis.facility, quantity="1500"), "electricity_generation")
    assert row.kg_co2e == kg(Decimal("1500") * wtt.value)
    assert row.scope == "scope_3_3b"
    assert row.source_location == wtt.row["source_location"]


def test_transmission_and_distribution_is_the_losses_plus_their_well_to_tank_both_recorded(borealis):
    losses = published("desnz_2024.csv", flat_file_id="13_402_4000_5_1")  # T&D UK electricity
    upstream = published("desnz_2024.csv", flat_file_id="15_918_4000_5_1")  # WTT UK electricity (T&D)
    row = calculated(make_invoice(borealis.facility, quantity="1500"), "electricity_transmission_and_distribution")
    assert row.kg_co2e == kg(Decimal("1500") * losses.value) + kg(Decimal("1500") * upstream.value)
    assert row.kg_co2e == Decimal("27.45") + Decimal("5.955")
    assert row.factor_value == losses.value + upstream.value
    assert row.scope == "scope_3_3c"
    [part] = row.year_parts
    assert [(f["component"], Decimal(f["factor_value"]), Decimal(f["kg_co2e"])) for f in part["factors"]] == [
        ("td_losses", losses.value, Decimal("27.45")),
        ("td_losses_wtt", upstream.value, Decimal("5.955")),
    ]
    assert row.source_location == f"{losses.row['source_location']} | {upstream.row['source_location']}"


def test_energy_stores_kwh_in_its_own_field_and_fills_total_energy_kwh(borealis):
    invoice = make_invoice(borealis.facility, quantity="2.5", unit_code="mwh")
    row = calculated(invoice, "energy")
    assert (row.kwh, row.kg_co2e, row.quantity_unit, row.scope) == (Decimal("2500"), None, "kWh", "")
    invoice.refresh_from_db()
    assert invoice.total_energy_kwh == Decimal("2500")
    assert invoice.co2e is None  # energy is not an emission


def test_invoice_co2e_adds_categories_except_location_based_and_energy(borealis):
    invoice = make_invoice(borealis.facility, quantity="1500", start_date=date(2023, 5, 1), end_date=date(2023, 5, 31))
    for category in (
        "electricity",
        "electricity_location_based",
        "electricity_generation",
        "electricity_transmission_and_distribution",
        "energy",
    ):
        calculated(invoice, category)
    invoice.refresh_from_db()
    generated = published("desnz_2023.csv", flat_file_id="7_400_4000_5_1").value  # market-based via grid average
    wtt = published("desnz_2023.csv", flat_file_id="15_917_4000_5_1").value
    losses = published("desnz_2023.csv", flat_file_id="13_402_4000_5_1").value
    losses_wtt = published("desnz_2023.csv", flat_file_id="15_918_4000_5_1").value
    expected = sum(kg(1500 * factor) for factor in (generated, wtt, losses, losses_wtt))
    assert invoice.co2e == expected
    assert invoice.total_energy_kwh == Decimal("1500")
    assert invoice.status == "active"
