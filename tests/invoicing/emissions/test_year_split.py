"""A billing period over two calendar years is split by days, each part with its own year's factor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from invoicing.services.emission_factors import custom_emission_factor_create
from tests.factories import make_invoice, supplier, unit

from .helpers import calculated, kg, published, quantity

DECEMBER_TO_JANUARY = {"start_date": date(2023, 12, 15), "end_date": date(2024, 1, 14)}  # 17 + 14 days


def test_a_bill_from_15_december_to_14_january_has_two_parts_each_with_its_own_year(borealis):
    grid_2023 = published("desnz_2023.csv", flat_file_id="7_400_4000_5_1")
    grid_2024 = published("desnz_2024.csv", flat_file_id="7_400_4000_5_1")
    invoice = make_invoice(borealis.facility, quantity="3100", **DECEMBER_TO_JANUARY)
    row = calculated(invoice, "electricity_location_based")
    december, january = quantity(Decimal("3100") * 17 / 31), Decimal("3100") - quantity(Decimal("3100") * 17 / 31)
    assert (december, january) == (Decimal("1700"), Decimal("1400"))
    assert row.kg_co2e == kg(december * grid_2023.value) + kg(january * grid_2024.value)
    assert [(p["year"], p["start_date"], p["end_date"], p["days"], Decimal(p["quantity"])) for p in row.year_parts] == [
        (2023, "2023-12-15", "2023-12-31", 17, Decimal("1700")),
        (2024, "2024-01-01", "2024-01-14", 14, Decimal("1400")),
    ]
    assert [(p["factors"][0]["factor_year"], Decimal(p["factors"][0]["factor_value"])) for p in row.year_parts] == [
        (2023, grid_2023.value),
        (2024, grid_2024.value),
    ]
    assert sum(Decimal(p["kg_co2e"]) for p in row.year_parts) == row.kg_co2e
    assert (row.factor_year, row.factor_value) == (None, None)  # two factors: read the parts
    assert row.dataset_version == f"{grid_2023.version} | {grid_2024.version}"
    assert "2023: 17 of 31 days" in row.conversion


def test_each_part_keeps_its_own_fallback(acme):
    jrc_2021 = published("jrc_com_2024_national_electricity.csv", year=2021, country="ES")
    invoice = make_invoice(acme.facility, quantity="3100", start_date=date(2021, 12, 15), end_date=date(2022, 1, 14))
    row = calculated(invoice, "electricity_location_based")
    assert [p["factors"][0]["fallbacks"] for p in row.year_parts] == [
        [],
        [{"type": "year", "requested": 2022, "used": 2021}],
    ]
    assert row.fallbacks == [{"type": "year", "requested": 2022, "used": 2021}]
    assert row.kg_co2e == kg(Decimal("1700") * jrc_2021.value) + kg(Decimal("1400") * jrc_2021.value)


def test_the_market_hierarchy_runs_for_each_year_part(acme):
    iberdrola_2023 = published("miteco_calculadora_v31.csv", year=2023, fuel_or_supplier="IBERDROLA CLIENTES, S.A.U.")
    iberdrola_2024 = published("miteco_calculadora_v31.csv", year=2024, fuel_or_supplier="IBERDROLA CLIENTES, S.A.U.")
    invoice = make_invoice(
        acme.facility, supplier=supplier("iberdrola-clientes"), quantity="3100", **DECEMBER_TO_JANUARY
    )
    row = calculated(invoice, "electricity")
    assert row.kg_co2e == kg(Decimal("1700") * iberdrola_2023.value) + kg(Decimal("1400") * iberdrola_2024.value)
    assert row.factor_rung == "supplier"


def test_transmission_and_distribution_over_two_years_records_both_factors_of_each_year(borealis):
    invoice = make_invoice(borealis.facility, quantity="3100", **DECEMBER_TO_JANUARY)
    row = calculated(invoice, "electricity_transmission_and_distribution")
    expected = Decimal(0)
    for year, days_quantity in ((2023, Decimal("1700")), (2024, Decimal("1400"))):
        for flat_file_id in ("13_402_4000_5_1", "15_918_4000_5_1"):
            expected += kg(days_quantity * published(f"desnz_{year}.csv", flat_file_id=flat_file_id).value)
    assert row.kg_co2e == expected
    assert [len(p["factors"]) for p in row.year_parts] == [2, 2]


def test_an_organization_custom_factor_valid_for_the_whole_period_applies_to_both_parts(acme):
    custom_emission_factor_create(
        organization=acme.organization,
        category="electricity",
        unit=unit("kwh"),
        kg_co2e=Decimal("0.1"),
        valid_from=date(2023, 1, 1),
        evidence="Supplier certificate 2023-2024",
    )
    row = calculated(make_invoice(acme.facility, quantity="3100", **DECEMBER_TO_JANUARY), "electricity")
    assert row.kg_co2e == Decimal("310")
    assert row.factor_rung == "custom_factor"
    assert [p["factors"][0]["component"] for p in row.year_parts] == ["custom_factor", "custom_factor"]
