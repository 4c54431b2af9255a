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
from tests.factories import fuel, make_facility_fuel, make_invoice, supplier, unit

from .helpers import calculated, kg


def ember() -> EmissionFactorDataset:
    return EmissionFactorDataset.objects.get(publisher="Ember")


def test_a_pinned_dataset_is_used_for_its_category(acme):
    emission_factor_config_set(organization=acme.organization, category="electricity_location_based", dataset=ember())
    row = calculated(make_invoice(acme.facility, quantity="1000"), "electricity_location_based")
    assert row.kg_co2e == kg(Decimal("1000") * Decimal("0.14615"))  # Ember ES 2024, 146.15 g/kWh
    assert row.dataset_publisher == "Ember"


def test_following_the_latest_version_picks_the_newest_dataset_of_that_name(acme):
    emission_factor_config_set(
        organization=acme.organization,
        category="electricity_location_based",
        publisher="Ember",
        dataset_name=ember().name,
    )
    row = calculated(make_invoice(acme.facility), "electricity_location_based")
    assert row.dataset_publisher == "Ember"
    emission_factor_config_clear(organization=acme.organization, category="electricity_location_based")
    assert calculated(make_invoice(acme.facility), "electricity_location_based").dataset_publisher == "Electricity Maps"


def test_a_pinned_dataset_without_a_factor_for_the_country_is_a_per_invoice_error(acme):
    desnz = EmissionFactorDataset.objects.get(publisher="DESNZ")
    emission_factor_config_set(organization=acme.organization, category="electricity_location_based", dataset=desnz)
    from .helpers import failure

    code, message = failure(make_invoice(acme.facility), "electricity_location_based")
    assert code == "NO_FACTOR"
    assert "ES" in message


def test_changing_the_configuration_changes_no_stored_result_until_recalculation(acme):
    invoice = make_invoice(acme.facility, quantity="1000")
    before = calculated(invoice, "electricity_location_based")
    emission_factor_config_set(organization=acme.organization, category="electricity_location_based", dataset=ember())
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
    assert "Iberdrola certificate 2024-117" in row.factor_source
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
