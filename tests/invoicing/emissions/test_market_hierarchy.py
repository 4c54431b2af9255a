"""The market-based hierarchy for `electricity` and the year rule (GHG Protocol Scope 2, Table 6.3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.factories import make_contract, make_invoice, supplier

from .helpers import calculated, kg


def test_a_contract_covered_by_guarantees_of_origin_counts_zero(acme):
    contract = make_contract(acme.facility, "endesa-energia", covered_by_guarantees_of_origin=True)
    row = calculated(make_invoice(acme.facility, supply_contract=contract), "electricity")
    assert row.kg_co2e == 0
    assert row.factor_rung == "guarantee_of_origin"
    assert "GdO renovable 2024" in row.factor_source


def test_a_guarantee_of_origin_counts_zero_where_no_dataset_prints_a_goo_row(borealis):
    contract = make_contract(borealis.facility, "octopus-energy-uk", covered_by_guarantees_of_origin=True)
    row = calculated(make_invoice(borealis.facility, supply_contract=contract), "electricity")
    assert (row.kg_co2e, row.factor_rung) == (0, "guarantee_of_origin")
    assert "GHG Protocol" in row.factor_source


def test_the_suppliers_factor_of_the_invoice_year_is_used(acme):
    invoice = make_invoice(
        acme.facility, supplier=supplier("naturgy-iberia"), start_date=date(2023, 3, 1), end_date=date(2023, 3, 31)
    )
    row = calculated(invoice, "electricity")
    assert (row.factor_rung, row.factor_year, row.factor_value) == ("supplier", 2023, Decimal("0.215"))


def test_the_supplier_comes_from_the_contract_when_the_invoice_names_none(acme):
    invoice = make_invoice(acme.facility, supply_contract=make_contract(acme.facility, "repsol-electricidad-gas"))
    row = calculated(invoice, "electricity")
    assert row.factor_value == Decimal("0.074")


def test_without_a_supplier_the_residual_mix_of_the_country_applies(acme):
    row = calculated(make_invoice(acme.facility, quantity="1000"), "electricity")
    assert row.factor_rung == "residual_mix"
    assert row.kg_co2e == kg(Decimal("1000") * Decimal("0.283"))  # Mix sin GdO 2024


def test_a_supplier_missing_from_that_years_list_gets_the_residual_mix_of_that_year(acme):
    invoice = make_invoice(  # MITECO lists no supplier values for 2022 in our data
        acme.facility, supplier=supplier("iberdrola-clientes"), start_date=date(2022, 5, 1), end_date=date(2022, 5, 31)
    )
    row = calculated(invoice, "electricity")
    assert (row.factor_rung, row.factor_year, row.factor_value) == ("residual_mix", 2022, Decimal("0.273"))
    assert row.fallbacks == []


def test_a_year_without_factors_falls_back_to_the_nearest_earlier_year_and_records_it(acme):
    invoice = make_invoice(
        acme.facility, supply_contract=acme.contract, start_date=date(2026, 1, 1), end_date=date(2026, 1, 31)
    )
    row = calculated(invoice, "electricity")
    assert (row.factor_rung, row.factor_year, row.factor_value) == ("supplier", 2024, Decimal("0.275"))
    assert row.fallbacks == [{"type": "year", "requested": 2026, "used": 2024}]


def test_the_year_is_the_year_in_which_the_invoice_period_starts(acme):
    invoice = make_invoice(acme.facility, start_date=date(2019, 12, 15), end_date=date(2020, 1, 14))
    row = calculated(invoice, "electricity")
    assert (row.factor_rung, row.factor_year, row.factor_value) == ("residual_mix", 2019, Decimal("0.310"))


def test_where_no_supplier_or_residual_factor_exists_the_grid_average_is_used_and_flagged(borealis):
    row = calculated(make_invoice(borealis.facility, supply_contract=borealis.contract), "electricity")
    assert row.factor_rung == "grid_average"
    assert row.fallbacks == [
        {"type": "grid_average", "reason": "no supplier factor or residual mix for GB in 2024 or earlier"}
    ]


def test_location_based_year_fallback_is_recorded(borealis):
    invoice = make_invoice(borealis.facility, start_date=date(2025, 6, 1), end_date=date(2025, 6, 30))
    row = calculated(invoice, "electricity_location_based")
    assert row.factor_year == 2024
    assert row.dataset_publisher == "DESNZ"
    assert row.fallbacks == [{"type": "year", "requested": 2025, "used": 2024}]
