"""The market-based hierarchy for `electricity` and the year rule (GHG Protocol Scope 2, Table 6.3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.factories import make_contract, make_invoice, supplier

from .helpers import calculated, kg, published

MITECO = "miteco_calculadora_v31.csv"
MIX_SIN_GDO = "Mix sin GdO (MITECO: suppliers without guarantees of origin, unlisted supplier, or several suppliers)"


def test_a_contract_covered_by_guarantees_of_origin_counts_zero_citing_mitecos_row(acme):
    goo = published(MITECO, year=2024, fuel_or_supplier="Guarantee of origin - renewable")
    contract = make_contract(acme.facility, "endesa-energia", covered_by_guarantees_of_origin=True)
    row = calculated(make_invoice(acme.facility, supply_contract=contract), "electricity")
    assert row.kg_co2e == 0 == goo.value
    assert (row.factor_rung, row.basis) == ("guarantee_of_origin", "co2_only")  # printed as kg CO2/kWh
    assert row.source_location == goo.row["source_location"]


def test_a_guarantee_of_origin_counts_zero_where_no_dataset_prints_a_goo_row(borealis):
    contract = make_contract(borealis.facility, "octopus-energy-uk", covered_by_guarantees_of_origin=True)
    row = calculated(make_invoice(borealis.facility, supply_contract=contract), "electricity")
    assert (row.kg_co2e, row.factor_rung) == (0, "guarantee_of_origin")
    assert "GHG Protocol" in row.source_document


def test_the_suppliers_factor_of_the_invoice_year_is_used(acme):
    naturgy = published(MITECO, year=2023, fuel_or_supplier="NATURGY IBERIA, S.A.")
    invoice = make_invoice(
        acme.facility, supplier=supplier("naturgy-iberia"), start_date=date(2023, 3, 1), end_date=date(2023, 3, 31)
    )
    row = calculated(invoice, "electricity")
    assert (row.factor_rung, row.factor_year, row.factor_value) == ("supplier", 2023, naturgy.value)
    assert row.scope == "scope_2_market_based"


def test_a_supplier_label_printed_in_kg_co2_is_used_as_published_and_marked_co2_only(acme):
    naturgy = published(MITECO, year=2020, fuel_or_supplier="NATURGY IBERIA, S.A.")
    assert naturgy.row["kg_co2e_per_unit"] == ""
    invoice = make_invoice(
        acme.facility, supplier=supplier("naturgy-iberia"), start_date=date(2020, 3, 1), end_date=date(2020, 3, 31)
    )
    row = calculated(invoice, "electricity")
    assert (row.factor_value, row.basis, row.factor_unit) == (naturgy.value, "co2_only", "kg CO2/kWh")


def test_the_supplier_comes_from_the_contract_when_the_invoice_names_none(acme):
    repsol = published(MITECO, year=2024, fuel_or_supplier="REPSOL COMERCIALIZADORA DE ELECTRICIDAD Y GAS, S.L.U")
    invoice = make_invoice(acme.facility, supply_contract=make_contract(acme.facility, "repsol-electricidad-gas"))
    assert calculated(invoice, "electricity").factor_value == repsol.value


def test_without_a_supplier_the_residual_mix_of_the_country_applies(acme):
    mix = published(MITECO, year=2024, fuel_or_supplier=MIX_SIN_GDO)
    row = calculated(make_invoice(acme.facility, quantity="1000"), "electricity")
    assert row.factor_rung == "residual_mix"
    assert row.kg_co2e == kg(Decimal("1000") * mix.value)


def test_a_supplier_missing_from_that_years_list_gets_the_residual_mix_of_that_year(acme):
    mix = published(MITECO, year=2020, fuel_or_supplier=MIX_SIN_GDO)
    invoice = make_invoice(  # MITECO's 2020 list spells Endesa "ENDESA ENERGÍA, S.A.", not the catalogue's name
        acme.facility, supplier=supplier("endesa-energia"), start_date=date(2020, 5, 1), end_date=date(2020, 5, 31)
    )
    row = calculated(invoice, "electricity")
    assert (row.factor_rung, row.factor_year, row.factor_value) == ("residual_mix", 2020, mix.value)
    assert row.fallbacks == []


def test_a_year_without_factors_falls_back_to_the_nearest_earlier_year_and_records_it(acme):
    iberdrola = published(MITECO, year=2024, fuel_or_supplier="IBERDROLA CLIENTES, S.A.U.")
    invoice = make_invoice(
        acme.facility, supply_contract=acme.contract, start_date=date(2026, 1, 1), end_date=date(2026, 1, 31)
    )
    row = calculated(invoice, "electricity")
    assert (row.factor_rung, row.factor_year, row.factor_value) == ("supplier", 2024, iberdrola.value)
    assert row.fallbacks == [{"type": "year", "requested": 2026, "used": 2024}]


def test_where_no_supplier_or_residual_factor_exists_the_grid_average_is_used_and_flagged(borealis):
    grid = published("desnz_2024.csv", flat_file_id="7_400_4000_5_1")
    row = calculated(make_invoice(borealis.facility, supply_contract=borealis.contract), "electricity")
    assert (row.factor_rung, row.factor_value) == ("grid_average", grid.value)
    assert row.fallbacks == [
        {"type": "grid_average", "reason": "no supplier factor or residual mix for GB in 2024 or earlier"}
    ]


def test_uk_2025_uses_the_2025_grid_factor_not_2024s(borealis):
    grid = published("desnz_2025.csv", flat_file_id="7_400_4000_5_1")  # 0.17700
    invoice = make_invoice(borealis.facility, start_date=date(2025, 6, 1), end_date=date(2025, 6, 30))
    row = calculated(invoice, "electricity")
    assert (row.factor_year, row.factor_value) == (2025, grid.value)
