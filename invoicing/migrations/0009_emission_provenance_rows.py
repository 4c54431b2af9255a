"""Sourced factors and auditable results, part 2: data.

- The factor rows of the four datasets the project first shipped go: DESNZ 2024 and MITECO v31 come
  back from the publications' own files in 0011, and the Electricity Maps and Ember yearly averages
  (life-cycle figures) are never to be used for Scope 2. Results keep their numbers and snapshots
  (their link to the factor row is cleared).
- Rows loaded by operators in the old format are kept, mapped to what they measure; rows of kinds
  the old engine never read are dropped.
- Stored results keep their numbers until recalculated, but get their scope, and the energy row's
  kWh moves from kg_co2e to kwh.
"""

from django.db import migrations
from django.db.models import F

FIRST_SHIPPED = [
    ("DESNZ", "UK Government GHG Conversion Factors for Company Reporting", "2024"),
    ("MITECO", "Calculadora de huella de carbono de organización (alcance 1+2)", "v31"),
    ("Electricity Maps", "Yearly carbon intensity averages", "2025"),
    ("Ember", "Yearly electricity data: carbon intensity", "2024"),
]
# (old activity category, old kind) → (factor category, kind); district heat rows are heat_and_steam.
OLD_ROWS = {
    ("stationary", "standard"): ("fuel_combustion", "standard"),
    ("stationary_generation", "standard"): ("fuel_wtt", "standard"),
    ("electricity", "supplier"): ("supplier_mix", "supplier"),
    ("electricity", "residual_mix"): ("residual_mix", "standard"),
    ("electricity", "renewable_goo"): ("supplier_mix", "renewable_goo"),
    ("electricity_location_based", "grid_average"): ("electricity_generation_direct", "standard"),
    ("electricity_generation", "standard"): ("electricity_wtt_generation", "standard"),
    ("electricity_transmission_and_distribution", "standard"): ("electricity_td_losses", "standard"),
    ("electricity_transmission_and_distribution", "wtt_td"): ("electricity_wtt_td", "standard"),
}
HEAT_CATEGORIES = {"fuel_combustion": "heat_and_steam", "fuel_wtt": "heat_and_steam_wtt"}
SCOPES = {
    "stationary": "scope_1",
    "stationary_generation": "scope_3_3a",
    "electricity": "scope_2_market_based",
    "electricity_location_based": "scope_2_location_based",
    "electricity_generation": "scope_3_3b",
    "electricity_transmission_and_distribution": "scope_3_3c",
    "energy": "",
}
HEAT_SCOPES = {"stationary": "scope_2_heat_and_steam", "stationary_generation": "scope_3_3b_3c"}


def forward(apps, schema_editor):
    factor_model = apps.get_model("invoicing", "EmissionFactor")
    emission_model = apps.get_model("invoicing", "InvoiceEmission")
    dataset_model = apps.get_model("invoicing", "EmissionFactorDataset")
    first = [dataset_model.objects.filter(publisher=p, name=n, version=v) for p, n, v in FIRST_SHIPPED]
    first_ids = [dataset.id for query in first for dataset in query]
    dropped = factor_model.objects.filter(dataset_id__in=first_ids)
    for row in factor_model.objects.exclude(dataset_id__in=first_ids).select_related("fuel"):
        mapped = OLD_ROWS.get((row.category, row.kind))
        if mapped is None:
            dropped = dropped | factor_model.objects.filter(pk=row.pk)
            continue
        category, kind = mapped
        if row.fuel is not None and row.fuel.code == "district_heat":
            category = HEAT_CATEGORIES.get(category, category)
        row.item = row.supplier_name or (row.fuel.name if row.fuel is not None else f"{row.category} ({row.kind})")
        row.category, row.kind = category, kind
        row.source_location = row.source_reference or "not recorded"
        row.source_document = "not recorded (loaded in the earlier file format)"
        row.basis = "co2e"
        row.save()
    emission_model.objects.filter(factor__in=dropped).update(factor=None)
    dropped.delete()

    emission_model.objects.filter(category="energy").update(kwh=F("kg_co2e"), kg_co2e=None)
    for category, scope in SCOPES.items():
        emission_model.objects.filter(category=category).update(scope=scope)
    for category, scope in HEAT_SCOPES.items():
        heat = emission_model.objects.filter(category=category, invoice__facility_fuel__fuel__code="district_heat")
        heat.update(scope=scope)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0008_emission_provenance_fields")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
