"""Location-based electricity: direct emissions of generation, one source per country, never a later year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.models import EmissionFactorDataset
from tests.factories import make_facility, make_invoice

from .helpers import calculated, failure, kg, published

JRC = "jrc_com_2024_national_electricity.csv"


def invoice_in(tenant, country: str, year: int, *, region: str = ""):
    facility = make_facility(tenant.organization, country=country, region=region)
    return make_invoice(facility, quantity="1500", start_date=date(year, 3, 1), end_date=date(year, 3, 31))


@pytest.mark.parametrize("year", [2023, 2025, 2026])
def test_uk_electricity_uses_the_desnz_generation_factor_of_the_invoice_year(borealis, year):
    grid = published(f"desnz_{year}.csv", category="electricity_generation_direct")  # UK electricity generated
    row = calculated(invoice_in(borealis, "GB", year), "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1500") * grid.value)
    assert (row.factor_year, row.fallbacks, row.scope) == (year, [], "scope_2_location_based")
    assert row.dataset_version == grid.version


def test_uk_biogenic_co2_of_grid_electricity_is_reported_outside_the_scopes(borealis):
    grid = published("desnz_2024.csv", flat_file_id="7_400_4000_5_1")
    row = calculated(invoice_in(borealis, "GB", 2024), "electricity_location_based")
    assert row.biogenic_co2_kg == kg(Decimal("1500") * grid.biogenic)


def test_uk_market_based_2023_falls_back_to_the_desnz_2023_grid_factor_and_counts_in_co2e(borealis):
    grid = published("desnz_2023.csv", flat_file_id="7_400_4000_5_1")  # 0.20707 (not a life-cycle 0.200)
    invoice = invoice_in(borealis, "GB", 2023)
    row = calculated(invoice, "electricity")
    assert row.kg_co2e == kg(Decimal("1500") * grid.value)
    assert row.factor_rung == "grid_average"
    invoice.refresh_from_db()
    assert invoice.co2e == row.kg_co2e


def test_spain_2020_uses_the_jrc_direct_factor_of_2020(acme):
    jrc = published(JRC, year=2020, country="ES")
    row = calculated(invoice_in(acme, "ES", 2020), "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1500") * jrc.value)
    assert (row.factor_year, row.fallbacks, row.basis) == (2020, [], "co2e")
    assert row.dataset_publisher == "European Commission, Joint Research Centre (JRC)"


def test_spain_2024_falls_back_to_the_latest_jrc_year_and_records_it(acme):
    jrc = published(JRC, year=2021, country="ES")
    row = calculated(invoice_in(acme, "ES", 2024), "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1500") * jrc.value)
    assert row.factor_year == 2021
    assert row.fallbacks == [{"type": "year", "requested": 2024, "used": 2021}]


def test_ireland_2025_uses_seai_co2_only_and_says_so(acme):
    seai = published("seai_ie_electricity.csv", year=2025)
    assert seai.row["kg_co2e_per_unit"] == ""
    row = calculated(invoice_in(acme, "IE", 2025), "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1500") * seai.value)
    assert (row.basis, row.factor_unit) == ("co2_only", "kg CO2/kWh")
    assert row.year_parts[0]["factors"][0]["basis"] == "co2_only"


def test_germany_2023_uses_uba_which_ranks_before_jrc(acme):
    uba = published("uba_cc13_2025_de_strommix.csv", year=2023)
    row = calculated(invoice_in(acme, "DE", 2023), "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1500") * uba.value)
    assert row.fallbacks == []


def test_germany_2020_has_jrc_and_uba_figures_and_uses_uba_only(acme):
    uba = published("uba_cc13_2025_de_strommix.csv", year=2020)
    jrc = published(JRC, year=2020, country="DE")
    assert uba.value != jrc.value  # different definitions (generation vs consumption); one source per country
    row = calculated(invoice_in(acme, "DE", 2020), "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1500") * uba.value)


def test_a_portuguese_region_uses_its_own_apa_factor(acme):
    madeira = published("apa_pt_fe_eletricidade_2022.csv", year=2020, region="R.A. Madeira")
    row = calculated(invoice_in(acme, "PT", 2020, region="R.A. Madeira"), "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1500") * madeira.value)


def test_no_life_cycle_dataset_is_loaded_for_scope_2(db):
    publishers = set(EmissionFactorDataset.objects.values_list("publisher", flat=True))
    assert not publishers & {"Ember", "Electricity Maps"}


def test_a_year_before_every_published_factor_is_a_failure_never_a_later_year(acme):
    code, message = failure(invoice_in(acme, "ES", 2018), "electricity_location_based")
    assert code == "NO_FACTOR"
    assert "ES for 2018 or an earlier year" in message
