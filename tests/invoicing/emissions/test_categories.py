"""Each of the seven categories gives the number computed by hand from the cited factor (domain.md §5)."""

from __future__ import annotations

from decimal import Decimal

from invoicing.models import Invoice
from tests.factories import make_facility_fuel, make_invoice

from .helpers import calculated, kg


def test_uk_market_based_electricity_falls_back_to_the_desnz_grid_average_and_says_so(borealis):
    invoice = make_invoice(borealis.facility, supply_contract=borealis.contract, quantity="1500")
    row = calculated(invoice, "electricity")
    assert row.kg_co2e == kg(Decimal("1500") * Decimal("0.20705")) == Decimal("310.575")
    assert row.factor_rung == "grid_average"
    assert row.factor_source == "7_400_4000_5_1"
    assert row.dataset_publisher == "DESNZ"
    assert row.dataset_version == "2024"
    assert any(f["type"] == "grid_average" for f in row.fallbacks)


def test_spanish_market_based_electricity_uses_the_suppliers_miteco_factor(acme):
    invoice = make_invoice(acme.facility, supply_contract=acme.contract, quantity="1500")
    row = calculated(invoice, "electricity")
    assert row.kg_co2e == kg(Decimal("1500") * Decimal("0.275"))  # IBERDROLA CLIENTES, S.A.U. 2024
    assert (row.factor_rung, row.factor_year, row.dataset_publisher) == ("supplier", 2024, "MITECO")
    assert row.fallbacks == []


def test_location_based_electricity_uses_desnz_for_the_uk(borealis):
    invoice = make_invoice(borealis.facility, quantity="1500")
    row = calculated(invoice, "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1500") * Decimal("0.20705"))


def test_location_based_electricity_in_spain_uses_the_electricity_maps_yearly_average(acme):
    invoice = make_invoice(acme.facility, quantity="1500")
    row = calculated(invoice, "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1500") * Decimal("0.129"))  # 129 gCO2eq/kWh, ES 2024
    assert row.dataset_publisher == "Electricity Maps"


def test_upstream_of_generation_uses_the_desnz_wtt_generation_factor(borealis):
    row = calculated(make_invoice(borealis.facility, quantity="1500"), "electricity_generation")
    assert row.kg_co2e == kg(Decimal("1500") * Decimal("0.04590"))
    assert row.factor_source == "15_917_4000_5_1"


def test_transmission_and_distribution_uses_the_desnz_td_factor(borealis):
    row = calculated(make_invoice(borealis.facility, quantity="1500"), "electricity_transmission_and_distribution")
    assert row.kg_co2e == kg(Decimal("1500") * Decimal("0.01830"))
    assert row.factor_source == "13_402_4000_5_1"


def heat_invoice(tenant, fuel_code: str, quantity: str, unit_code: str) -> Invoice:
    facility_fuel = make_facility_fuel(tenant.facility, fuel_code)
    return make_invoice(
        tenant.facility, type="heat", facility_fuel=facility_fuel, quantity=quantity, unit_code=unit_code
    )


def test_stationary_combustion_of_natural_gas_in_kwh_uses_the_gross_cv_factor(borealis):
    row = calculated(heat_invoice(borealis, "natural_gas", "10000", "kwh"), "stationary")
    assert row.kg_co2e == kg(Decimal("10000") * Decimal("0.18290"))
    assert row.calorific_basis == "gross"
    assert row.factor_source == "1_100_1004_6_1"


def test_stationary_combustion_in_spain_uses_miteco_kwh_pcs(acme):
    row = calculated(heat_invoice(acme, "natural_gas", "10000", "kwh"), "stationary")
    assert row.kg_co2e == kg(Decimal("10000") * Decimal("0.182"))
    assert row.dataset_publisher == "MITECO"


def test_well_to_tank_of_diesel_uses_the_desnz_wtt_factor(borealis):
    row = calculated(heat_invoice(borealis, "diesel", "800", "litre"), "stationary_generation")
    assert row.kg_co2e == kg(Decimal("800") * Decimal("0.61101"))


def test_energy_is_the_quantity_in_kwh_and_fills_total_energy_kwh(borealis):
    invoice = make_invoice(borealis.facility, quantity="2.5", unit_code="mwh")
    row = calculated(invoice, "energy")
    assert row.kg_co2e == Decimal("2500")
    assert row.quantity_unit == "kWh"
    invoice.refresh_from_db()
    assert invoice.total_energy_kwh == Decimal("2500")
    assert invoice.co2e is None  # energy is not an emission


def test_invoice_co2e_adds_categories_except_location_based_and_energy(borealis):
    invoice = make_invoice(borealis.facility, quantity="1500")
    for category in (
        "electricity",
        "electricity_location_based",
        "electricity_generation",
        "electricity_transmission_and_distribution",
        "energy",
    ):
        calculated(invoice, category)
    invoice.refresh_from_db()
    expected = kg(1500 * Decimal("0.20705")) + kg(1500 * Decimal("0.04590")) + kg(1500 * Decimal("0.01830"))
    assert invoice.co2e == expected == Decimal("406.875")
    assert invoice.total_energy_kwh == Decimal("1500")
    assert invoice.status == "active"
