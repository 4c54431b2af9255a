"""Run in a fresh database (see test_stored_results_migration): results stored in the earlier format, then migrate.

Migrates to 0007, writes what that schema held (the first shipped datasets, an operator's dataset, results
and configurations pointing at them), migrates to the latest state and prints what became of them as JSON.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import date
from decimal import Decimal

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

from invoicing.models.catalog import catalog_uuid  # noqa: E402

BEFORE = ("invoicing", "0007_invoice_number_search_within_organization")


def before_issue_15() -> dict[str, str]:
    call_command("migrate", *BEFORE, verbosity=0)
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    model = apps.get_model
    organization = model("invoicing", "Organization").objects.create(name="Borealis Ltd", country="GB")
    facility = model("invoicing", "Facility").objects.create(organization=organization, name="London", country="GB")
    heat_fuel = model("invoicing", "FacilityFuel").objects.create(
        facility=facility, fuel_id=catalog_uuid("fuel", "district_heat")
    )
    kwh = catalog_uuid("unit", "kwh")
    invoice_model = model("invoicing", "Invoice")
    common = {
        "organization": organization,
        "facility": facility,
        "status": "active",
        "quantity": 10000,
        "original_quantity": 10000,
        "unit_id": kwh,
        "original_unit_id": kwh,
        "start_date": date(2024, 1, 1),
        "end_date": date(2024, 1, 31),
    }
    heat = invoice_model.objects.create(
        type="heat",
        facility_fuel=heat_fuel,
        invoice_number="HEAT-1",
        co2e=Decimal("1796.5"),
        total_energy_kwh=10000,
        **common,
    )
    power = invoice_model.objects.create(type="electricity", invoice_number="POWER-1", **common)
    dataset = model("invoicing", "EmissionFactorDataset").objects
    desnz = dataset.create(
        publisher="DESNZ",
        name="UK Government GHG Conversion Factors for Company Reporting",
        version="2024",
        year=2024,
        source_url="https://www.gov.uk",
        licence="OGL",
        rank=10,
        content_hash="x",
    )
    ember = dataset.create(
        publisher="Ember",
        name="Yearly electricity data: carbon intensity",
        version="2024",
        year=2024,
        source_url="https://ember-energy.org",
        licence="CC BY-SA",
        rank=30,
        content_hash="y",
    )
    acme = dataset.create(
        publisher="Acme Labs",
        name="Test factors",
        version="1",
        year=2024,
        source_url="https://example.org",
        licence="CC BY",
        rank=100,
        content_hash="z",
    )
    factor = model("invoicing", "EmissionFactor").objects
    heat_factor = factor.create(
        dataset=desnz,
        category="stationary",
        kind="standard",
        country="GB",
        fuel_id=catalog_uuid("fuel", "district_heat"),
        unit_id=kwh,
        kg_co2e=Decimal("0.17965"),
        year=2024,
        source_reference="10_401_4002_5_1",
    )
    ember_factor = factor.create(
        dataset=ember,
        category="electricity_location_based",
        kind="grid_average",
        country="GB",
        unit_id=kwh,
        kg_co2e=Decimal("0.21579"),
        year=2024,
    )
    acme_factor = factor.create(
        dataset=acme,
        category="stationary",
        kind="standard",
        country="FR",
        fuel_id=catalog_uuid("fuel", "natural_gas"),
        unit_id=kwh,
        calorific_basis="gross",
        kg_co2e=Decimal("0.227"),
        year=2024,
        source_reference="Table 3 row 1",
    )
    acme_td = factor.create(
        dataset=acme,
        category="electricity_transmission_and_distribution",
        kind="wtt_td",
        country="FR",
        unit_id=kwh,
        kg_co2e=Decimal("0.004"),
        year=2024,
    )
    emission = model("invoicing", "InvoiceEmission").objects
    emission.create(
        invoice=heat,
        category="stationary",
        kg_co2e=Decimal("1796.5"),
        quantity=10000,
        quantity_unit="kWh",
        factor=heat_factor,
        factor_source="10_401_4002_5_1",
        dataset_version="2024",
    )
    emission.create(invoice=heat, category="energy", kg_co2e=10000, quantity=10000, quantity_unit="kWh")
    emission.create(
        invoice=power,
        category="electricity_location_based",
        kg_co2e=Decimal("2157.9"),
        quantity=10000,
        quantity_unit="kWh",
        factor=ember_factor,
    )
    config = model("invoicing", "OrganizationFactorConfig").objects
    config.create(organization=organization, category="electricity_location_based", dataset=ember)
    config.create(organization=organization, category="stationary", dataset=desnz)
    return {
        "heat": str(heat.id),
        "power": str(power.id),
        "acme_factor": str(acme_factor.id),
        "acme_td": str(acme_td.id),
    }


def after(ids: dict[str, str]) -> dict[str, object]:
    call_command("migrate", verbosity=0)
    from invoicing.emissions.figures import MONTH_COLUMNS, invoice_figures_refresh
    from invoicing.models import (
        EmissionFactor,
        EmissionFactorDataset,
        Invoice,
        InvoiceEmission,
        InvoiceMonth,
        OrganizationFactorConfig,
    )

    def plain(value: object) -> object:
        return str(value) if isinstance(value, Decimal | uuid.UUID) else value

    rows = InvoiceEmission.objects.order_by("category").values(
        "invoice_id", "category", "scope", "kg_co2e", "kwh", "factor_id", "source_location", "dataset_version"
    )
    acme = EmissionFactor.objects.get(id=ids["acme_factor"])
    acme_td = EmissionFactor.objects.get(id=ids["acme_td"])

    def figures() -> dict[str, object]:
        months: dict[str, list[object]] = {}
        for row in InvoiceMonth.objects.order_by("invoice_id", "month").values():
            shares = {name: plain(value) for name, value in row.items() if name in MONTH_COLUMNS and value is not None}
            months.setdefault(str(row["invoice_id"]), []).append([str(row["month"]), shares])
        return {
            str(i.id): [i.calculated_categories, i.failure_codes, months.get(str(i.id), [])]
            for i in Invoice.objects.order_by("id")
        }

    migrated = figures()  # filled by migration 0019's backfill
    invoice_figures_refresh(invoice_ids=list(Invoice.objects.values_list("id", flat=True)))
    return {
        "figures": migrated,
        "figures_refreshed": figures(),
        "emissions": [{key: plain(value) for key, value in row.items()} for row in rows],
        "invoices": {str(i.id): [plain(i.co2e), plain(i.total_energy_kwh)] for i in Invoice.objects.all()},
        "configs": list(
            OrganizationFactorConfig.objects.values_list("category", "dataset__publisher", "dataset__version")
        ),
        "publishers": sorted({d.publisher for d in EmissionFactorDataset.objects.all()}),
        "desnz_2024": list(
            EmissionFactorDataset.objects.filter(publisher="DESNZ", year=2024).values_list("version", flat=True)
        ),
        "acme_factor": [acme.category, acme.kind, acme.item, acme.source_location, plain(acme.kg_co2e), acme.basis],
        "acme_td": [acme_td.category, acme_td.kind, acme_td.item],
    }


if __name__ == "__main__":
    ids = before_issue_15()
    print(json.dumps({"ids": ids, **after(ids)}))
