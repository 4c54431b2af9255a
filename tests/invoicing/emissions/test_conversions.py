"""Quantities reach the factor's unit by documented conversions; a factor in the invoice's own unit is preferred."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from invoicing.emissions.units import NATURAL_GAS_KWH_PER_M3
from tests.factories import make_facility_fuel, make_invoice

from .helpers import calculated, failure, kg


def heat(tenant, fuel_code, quantity, unit_code):
    return make_invoice(
        tenant.facility,
        type="heat",
        facility_fuel=make_facility_fuel(tenant.facility, fuel_code),
        quantity=quantity,
        unit_code=unit_code,
    )


def test_megawatt_hours_are_multiplied_by_1000(acme):
    row = calculated(
        make_invoice(acme.facility, supply_contract=acme.contract, quantity="1.5", unit_code="mwh"), "electricity"
    )
    assert row.quantity == Decimal("1500")
    assert row.quantity_unit == "kWh"
    assert row.kg_co2e == kg(Decimal("1500") * Decimal("0.275"))
    assert "MWh" in row.conversion


def test_gigajoules_are_converted_at_1000_over_3_6_kwh(borealis):
    row = calculated(make_invoice(borealis.facility, quantity="36", unit_code="gj"), "electricity_location_based")
    assert row.quantity == Decimal("10000")
    assert row.kg_co2e == kg(Decimal("10000") * Decimal("0.20705"))


def test_cubic_metres_of_gas_use_the_desnz_factor_per_cubic_metre_when_there_is_one(borealis):
    row = calculated(heat(borealis, "natural_gas", "1000", "m3"), "stationary")
    assert row.factor_source == "1_100_1004_1_1"
    assert row.quantity_unit == "m³"
    assert row.kg_co2e == kg(Decimal("1000") * Decimal("2.04542"))
    assert "no conversion" in row.conversion


def test_cubic_metres_of_gas_in_spain_are_converted_to_kwh_gross_by_the_documented_calorific_value(acme):
    row = calculated(heat(acme, "natural_gas", "1000", "m3"), "stationary")
    kwh = (Decimal("1000") * NATURAL_GAS_KWH_PER_M3).quantize(Decimal("0.00000001"))
    assert Decimal("11.18327") == NATURAL_GAS_KWH_PER_M3
    assert row.quantity == kwh
    assert row.quantity_unit == "kWh"
    assert row.kg_co2e == kg(kwh * Decimal("0.182"))
    assert row.calorific_basis == "gross"
    assert "11.18327" in row.conversion


def test_cubic_metres_of_gas_give_kwh_for_the_energy_category(borealis):
    row = calculated(heat(borealis, "natural_gas", "100", "m3"), "energy")
    assert row.kg_co2e == kg(Decimal("100") * NATURAL_GAS_KWH_PER_M3)


def test_litres_of_heating_gas_oil_in_spain_use_the_miteco_factor_per_litre(acme):
    row = calculated(heat(acme, "gas_oil", "1000", "litre"), "stationary")
    assert row.kg_co2e == kg(Decimal("1000") * Decimal("2.898"))


def test_kilograms_of_gas_oil_become_litres_by_the_miteco_density(acme):
    row = calculated(heat(acme, "gas_oil", "900", "kg"), "stationary")
    assert row.quantity == Decimal("1000")
    assert row.quantity_unit == "L"
    assert row.kg_co2e == kg(Decimal("1000") * Decimal("2.898"))
    assert "0.900 kg/L" in row.conversion


def test_litres_of_propane_in_spain_become_kilograms_by_the_miteco_density(acme):
    row = calculated(heat(acme, "propane", "1000", "litre"), "stationary")
    assert row.quantity == Decimal("518.5")
    assert row.kg_co2e == kg(Decimal("518.5") * Decimal("2.966"))


def test_kilograms_of_wood_pellets_in_the_uk_use_the_factor_per_tonne(borealis):
    row = calculated(heat(borealis, "wood_pellets", "2500", "kg"), "stationary")
    assert row.quantity == Decimal("2.5")
    assert row.quantity_unit == "t"
    assert row.kg_co2e == kg(Decimal("2.5") * Decimal("54.33654"))


def test_tonnes_of_wood_pellets_in_spain_use_the_miteco_factor_per_kilogram(acme):
    row = calculated(heat(acme, "wood_pellets", "2", "tonne"), "stationary")
    assert row.quantity == Decimal("2000")
    assert row.kg_co2e == kg(Decimal("2000") * Decimal("0.171"))


def test_a_unit_that_does_not_fit_the_factor_is_a_per_invoice_error(borealis):
    code, message = failure(heat(borealis, "diesel", "500", "kg"), "stationary")
    assert code == "UNIT_MISMATCH"
    assert "kg" in message
    assert "L" in message


def test_litres_of_diesel_have_no_sourced_calorific_value_for_the_energy_category(borealis):
    code, _ = failure(heat(borealis, "diesel", "500", "litre"), "energy")
    assert code == "NO_CALORIFIC_VALUE"


def test_net_calorific_value_factors_are_never_applied_to_billed_kwh(borealis):
    row = calculated(heat(borealis, "natural_gas", "1", "kwh"), "stationary")
    assert row.factor_value == Decimal("0.18290") != Decimal("0.20264")


def test_rounding_is_half_even_to_six_decimals(acme):
    row = calculated(make_invoice(acme.facility, supply_contract=acme.contract, quantity="0.0000025"), "electricity")
    assert row.kg_co2e == (Decimal("0.0000025") * Decimal("0.275")).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)
