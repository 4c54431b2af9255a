"""The scope of a result follows what was consumed: purchased heat and steam is Scope 2, its upstream Scope 3."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.choices import Scope, scope_of
from tests.factories import make_facility_fuel, make_invoice

from .helpers import calculated, failure, kg, published


def district_heat(tenant, year: int, quantity: str = "10000"):
    return make_invoice(
        tenant.facility,
        type="heat",
        facility_fuel=make_facility_fuel(tenant.facility, "district_heat"),
        quantity=quantity,
        unit_code="kwh",
        start_date=date(year, 2, 1),
        end_date=date(year, 2, 28),
    )


@pytest.mark.parametrize(
    ("year", "file", "flat_file_id"),
    [(2024, "desnz_2024.csv", "10_401_4003_5_1"), (2025, "desnz_2025.csv", "10_401_4003_5_1")],
)
def test_district_heat_in_the_uk_is_scope_2_with_the_desnz_heat_and_steam_factor_of_its_year(
    borealis, year, file, flat_file_id
):
    heat = published(file, flat_file_id=flat_file_id)  # District heat and steam, kWh
    invoice = district_heat(borealis, year)
    row = calculated(invoice, "stationary")
    assert row.kg_co2e == kg(Decimal("10000") * heat.value)
    assert (row.scope, row.factor_year, row.fallbacks) == ("scope_2_heat_and_steam", year, [])
    assert row.get_scope_display().startswith("Scope 2")
    assert row.source_location == heat.row["source_location"]
    invoice.refresh_from_db()
    assert invoice.co2e == row.kg_co2e


def test_the_upstream_of_district_heat_is_its_wtt_3b_plus_distribution_losses_and_their_wtt_3c(borealis):
    wtt = published("desnz_2025.csv", flat_file_id="16_919_4003_5_1")  # WTT district heat and steam
    losses = published("desnz_2025.csv", flat_file_id="13_403_4004_5_1")  # distribution, 5% loss
    losses_wtt = published("desnz_2025.csv", flat_file_id="16_920_4004_5_1")  # WTT of the distribution losses
    row = calculated(district_heat(borealis, 2025), "stationary_generation")
    assert row.kg_co2e == sum(kg(Decimal("10000") * factor.value) for factor in (wtt, losses, losses_wtt))
    assert row.scope == "scope_3_3b_3c"
    [part] = row.year_parts
    assert [(f["component"], f["scope"]) for f in part["factors"]] == [
        ("heat_and_steam_wtt", "scope_3_3b"),
        ("distribution_losses", "scope_3_3c"),
        ("distribution_losses_wtt", "scope_3_3c"),
    ]


def test_fuel_burnt_on_site_is_scope_1_and_its_upstream_3a():
    assert scope_of("stationary", "natural_gas") == Scope.SCOPE_1
    assert scope_of("stationary_generation", "natural_gas") == Scope.SCOPE_3_3A
    assert scope_of("stationary", "district_heat") == Scope.SCOPE_2_HEAT_AND_STEAM
    assert scope_of("electricity", "") == Scope.SCOPE_2_MARKET_BASED
    assert scope_of("electricity_location_based", "") == Scope.SCOPE_2_LOCATION_BASED
    assert scope_of("electricity_generation", "") == Scope.SCOPE_3_3B
    assert scope_of("electricity_transmission_and_distribution", "") == Scope.SCOPE_3_3C
    assert scope_of("energy", "") == Scope.NONE


def test_spain_has_no_published_district_heat_factor_rather_than_a_borrowed_one(acme):
    code, message = failure(district_heat(acme, 2024), "stationary")
    assert code == "NO_FACTOR"
    assert message == (
        "No purchased heat and steam factor for district_heat in ES for 2024 or an earlier year:"
        " no loaded dataset publishes one (docs/emissions.md: Known gaps)."
    )
