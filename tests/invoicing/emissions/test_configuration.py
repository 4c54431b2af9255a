"""Organization EF configuration and custom factors; stored results change only on recalculation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.errors import ValidationError
from invoicing.models import EmissionFactorDataset, InvoiceEmission
from invoicing.services.emission_factors import (
    custom_emission_factor_create,
    emission_factor_config_clear,
    emission_factor_config_set,
)
from tests.factories import fuel, make_facility, make_facility_fuel, make_invoice, supplier, unit

from .helpers import calculated, failure, kg, published

JRC = "European Commission, Joint Research Centre (JRC)"


def jrc() -> EmissionFactorDataset:
    return EmissionFactorDataset.objects.get(publisher=JRC)


def uba() -> EmissionFactorDataset:
    return EmissionFactorDataset.objects.get(publisher="Umweltbundesamt (UBA), Germany", year=2020)


def german_invoice(acme, year: int = 2020):
    facility = make_facility(acme.organization, country="DE")
    return make_invoice(facility, quantity="1000", start_date=date(year, 3, 1), end_date=date(year, 3, 31))


def test_a_pinned_dataset_is_used_for_its_category(acme):
    jrc_2020 = published("jrc_com_2024_national_electricity.csv", year=2020, country="DE")
    emission_factor_config_set(organization=acme.organization, category="electricity_location_based", dataset=jrc())
    row = calculated(german_invoice(acme), "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1000") * jrc_2020.value)  # JRC instead of the better-ranked UBA
    assert row.dataset_publisher == JRC


def test_following_a_publication_uses_every_version_of_it_and_clearing_goes_back_to_the_ranked_defaults(acme):
    dataset = uba()
    emission_factor_config_set(
        organization=acme.organization,
        category="electricity_location_based",
        publisher=dataset.publisher,
        dataset_name=dataset.name,
    )
    row = calculated(german_invoice(acme, 2023), "electricity_location_based")  # another UBA dataset: 2023 vorläufig
    assert (row.dataset_publisher, row.factor_year) == (dataset.publisher, 2023)
    emission_factor_config_set(
        organization=acme.organization, category="electricity_location_based", publisher=JRC, dataset_name=jrc().name
    )
    assert calculated(german_invoice(acme, 2023), "electricity_location_based").factor_year == 2021
    emission_factor_config_clear(organization=acme.organization, category="electricity_location_based")
    assert calculated(german_invoice(acme, 2023), "electricity_location_based").dataset_publisher == dataset.publisher


def test_a_pinned_dataset_without_a_factor_for_the_country_is_a_per_invoice_error(acme):
    desnz = EmissionFactorDataset.objects.get(publisher="DESNZ", year=2024)
    emission_factor_config_set(organization=acme.organization, category="electricity_location_based", dataset=desnz)
    code, message = failure(make_invoice(acme.facility), "electricity_location_based")
    assert code == "NO_FACTOR"
    assert "ES" in message


def test_changing_the_configuration_changes_no_stored_result_until_recalculation(acme):
    invoice = german_invoice(acme)
    before = calculated(invoice, "electricity_location_based")
    emission_factor_config_set(organization=acme.organization, category="electricity_location_based", dataset=jrc())
    assert InvoiceEmission.objects.get(pk=before.pk).kg_co2e == before.kg_co2e
    after = calculated(invoice, "electricity_location_based")
    assert after.kg_co2e != before.kg_co2e


def test_a_custom_factor_valid_for_the_period_wins_over_the_supplier_factor(acme):
    custom_emission_factor_create(
        organization=acme.organization,
        category="electricity",
        unit=unit("kwh"),
        kg_co2e=Decimal("0.1234"),
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
        supplier=supplier("iberdrola-clientes"),
        evidence="Iberdrola certificate 2024-117",
    )
    row = calculated(make_invoice(acme.facility, supply_contract=acme.contract, quantity="1000"), "electricity")
    assert (row.factor_rung, row.kg_co2e) == ("custom_factor", kg(Decimal("123.4")))
    assert row.source_location == "Iberdrola certificate 2024-117"
    assert row.source_document == "Organization custom factor (valid 2024-01-01 to 2024-12-31)"
    assert row.custom_factor_id is not None
    assert row.factor_id is None


def test_a_custom_factor_outside_the_invoice_period_is_ignored(acme):
    custom_emission_factor_create(
        organization=acme.organization,
        category="electricity",
        unit=unit("kwh"),
        kg_co2e=Decimal("0.1234"),
        valid_from=date(2024, 1, 15),
        evidence="Starts mid-January",
    )
    row = calculated(make_invoice(acme.facility, supply_contract=acme.contract), "electricity")
    assert row.factor_rung == "supplier"


def test_a_lab_measured_fuel_factor_applies_to_that_fuel_with_its_biogenic_part(borealis):
    custom_emission_factor_create(
        organization=borealis.organization,
        category="stationary",
        unit=unit("kg"),
        fuel=fuel("wood_pellets"),
        kg_co2e=Decimal("0.05"),
        biogenic_co2_kg=Decimal("1.9"),
        valid_from=date(2023, 1, 1),
        evidence="Lab report 88",
    )
    invoice = make_invoice(
        borealis.facility,
        type="heat",
        facility_fuel=make_facility_fuel(borealis.facility, "wood_pellets"),
        quantity="1000",
        unit_code="tonne",
    )
    row = calculated(invoice, "stationary")
    assert row.kg_co2e == Decimal("50000")
    assert row.biogenic_co2_kg == Decimal("1900000")


def test_custom_factors_are_validated(acme):
    with pytest.raises(ValidationError) as caught:
        custom_emission_factor_create(
            organization=acme.organization,
            category="electricity",
            unit=unit("kwh"),
            kg_co2e=Decimal("-1"),
            valid_from=date(2024, 2, 1),
            valid_to=date(2024, 1, 1),
            evidence=" ",
        )
    assert set(caught.value.errors) == {"kg_co2e", "valid_to", "evidence"}
