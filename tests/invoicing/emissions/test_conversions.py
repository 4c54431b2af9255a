"""Quantities reach the factor's unit only by conversions that need no borrowed property of the fuel."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from tests.factories import make_facility_fuel, make_invoice

from .helpers import calculated, failure, kg, published


def heat(tenant, fuel_code, quantity, unit_code, **overrides):
    return make_invoice(
        tenant.facility,
        type="heat",
        facility_fuel=make_facility_fuel(tenant.facility, fuel_code),
        quantity=quantity,
        unit_code=unit_code,
        **overrides,
    )


def test_megawatt_hours_are_multiplied_by_1000(acme):
    iberdrola = published("miteco_calculadora_v31.csv", year=2024, fuel_or_supplier="IBERDROLA CLIENTES, S.A.U.")
    row = calculated(
        make_invoice(acme.facility, supply_contract=acme.contract, quantity="1.5", unit_code="mwh"), "electricity"
    )
    assert (row.quantity, row.quantity_unit) == (Decimal("1500"), "kWh")
    assert row.kg_co2e == kg(Decimal("1500") * iberdrola.value)
    assert "MWh" in row.conversion


def test_gigajoules_are_converted_at_1000_over_3_6_kwh(borealis):
    grid = published("desnz_2024.csv", flat_file_id="7_400_4000_5_1")
    row = calculated(make_invoice(borealis.facility, quantity="36", unit_code="gj"), "electricity_location_based")
    assert row.quantity == Decimal("10000")
    assert row.kg_co2e == kg(Decimal("10000") * grid.value)


def test_cubic_metres_of_gas_in_the_uk_use_the_desnz_factor_per_cubic_metre(borealis):
    gas = published("desnz_2024.csv", flat_file_id="1_100_1004_1_1")  # Natural gas, cubic metres
    row = calculated(heat(borealis, "natural_gas", "1000", "m3"), "stationary")
    assert (row.quantity_unit, row.kg_co2e) == ("m³", kg(Decimal("1000") * gas.value))
    assert "no conversion" in row.conversion


def test_spanish_gas_in_cubic_metres_uses_the_bills_own_conversion_factor(acme):
    gas = published("miteco_calculadora_v31.csv", year=2024, category="fuel_combustion", fuel_or_supplier="Natural gas")
    row = calculated(heat(acme, "natural_gas", "1000", "m3", kwh_per_m3=Decimal("11.72")), "stationary")
    assert (row.quantity, row.quantity_unit, row.calorific_basis) == (Decimal("11720"), "kWh", "gross")
    assert row.kg_co2e == kg(Decimal("11720") * gas.value)
    assert "11.72 kWh/m³ (the bill's conversion factor)" in row.conversion


def test_spanish_gas_in_cubic_metres_without_the_bills_factor_says_what_to_send(acme):
    code, message = failure(heat(acme, "natural_gas", "1000", "m3"), "stationary")
    assert code == "NO_CALORIFIC_VALUE"
    assert "kwh_per_m3" in message
    assert "MITECO" in message


def test_the_energy_of_gas_in_cubic_metres_needs_the_bills_factor_too(borealis):
    code, message = failure(heat(borealis, "natural_gas", "100", "m3"), "energy")
    assert code == "NO_CALORIFIC_VALUE"
    assert "kwh_per_m3" in message
    row = calculated(heat(borealis, "natural_gas", "100", "m3", kwh_per_m3=Decimal("11.1")), "energy")
    assert row.kwh == Decimal("1110")


def test_gas_oil_in_kilograms_in_the_uk_uses_the_desnz_factor_per_tonne(borealis):
    gas_oil = published("desnz_2024.csv", flat_file_id="1_101_1014_15_1")  # Gas oil, tonnes
    row = calculated(heat(borealis, "gas_oil", "900", "kg"), "stationary")
    assert (row.quantity, row.quantity_unit) == (Decimal("0.9"), "t")
    assert row.kg_co2e == kg(Decimal("0.9") * gas_oil.value)
    assert "kg/L" not in row.conversion  # no density


def test_gas_oil_in_kilograms_in_spain_is_refused_because_miteco_publishes_it_per_litre(acme):
    code, message = failure(heat(acme, "gas_oil", "900", "kg"), "stationary")
    assert code == "UNIT_MISMATCH"
    assert message == (
        "A quantity in kg cannot be converted to the unit of the fuel combustion factor of gas_oil (L): "
        "no density or calorific value is used. Send the quantity in L."
    )


def test_litres_of_heating_gas_oil_in_spain_use_the_miteco_factor_per_litre(acme):
    gas_oil = published("miteco_calculadora_v31.csv", year=2024, fuel_or_supplier="Gasóleo C (heating gas oil)")
    row = calculated(heat(acme, "gas_oil", "1000", "litre"), "stationary")
    assert row.kg_co2e == kg(Decimal("1000") * gas_oil.value)


def test_litres_of_propane_in_spain_are_refused_because_miteco_publishes_it_per_kilogram(acme):
    code, message = failure(heat(acme, "propane", "1000", "litre"), "stationary")
    assert code == "UNIT_MISMATCH"
    assert "(kg)" in message


def test_uk_wood_pellets_report_their_biogenic_co2_outside_the_scopes(borealis):
    pellets = published("desnz_2024.csv", flat_file_id="2_104_1045_15_1")  # Wood pellets, tonnes
    invoice = heat(borealis, "wood_pellets", "2500", "kg")
    row = calculated(invoice, "stationary")
    assert (row.quantity, row.quantity_unit) == (Decimal("2.5"), "t")
    assert row.kg_co2e == kg(Decimal("2.5") * pellets.value)  # CH4 and N2O only
    assert row.biogenic_co2_kg == kg(Decimal("2.5") * pellets.biogenic)
    invoice.refresh_from_db()
    assert invoice.co2e == row.kg_co2e  # biogenic CO2 is outside co2e


def test_spanish_wood_pellets_report_their_biogenic_co2_outside_the_scopes(acme):
    pellets = published("miteco_calculadora_v31.csv", year=2024, fuel_or_supplier="Biomass - wood pellets")
    row = calculated(heat(acme, "wood_pellets", "2", "tonne"), "stationary")
    assert row.quantity == Decimal("2000")
    assert row.kg_co2e == kg(Decimal("2000") * pellets.value)
    assert row.biogenic_co2_kg == kg(Decimal("2000") * pellets.biogenic)


def test_wood_pellets_billed_in_kwh_are_refused_because_desnz_prints_net_cv_factors_only(borealis):
    code, message = failure(heat(borealis, "wood_pellets", "1000", "kwh"), "stationary")
    assert code == "UNIT_MISMATCH"
    assert "net or unstated calorific basis" in message


def test_net_calorific_value_factors_are_never_applied_to_billed_kwh(borealis):
    gross = published("desnz_2024.csv", flat_file_id="1_100_1004_6_1")
    net = published("desnz_2024.csv", flat_file_id="1_100_1004_7_1")
    row = calculated(heat(borealis, "natural_gas", "1", "kwh"), "stationary")
    assert row.factor_value == gross.value != net.value


def test_litres_of_diesel_have_no_sourced_calorific_value_for_the_energy_category(borealis):
    code, _ = failure(heat(borealis, "diesel", "500", "litre"), "energy")
    assert code == "NO_CALORIFIC_VALUE"


def test_rounding_is_half_even_to_six_decimals(acme):
    iberdrola = published("miteco_calculadora_v31.csv", year=2024, fuel_or_supplier="IBERDROLA CLIENTES, S.A.U.")
    row = calculated(make_invoice(acme.facility, supply_contract=acme.contract, quantity="0.0000025"), "electricity")
    assert row.kg_co2e == (Decimal("0.0000025") * iberdrola.value).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)
