"""Sourced factors and auditable results, part 4: the shipped datasets (invoicing/emissions/data), loaded
with the same loader as `manage.py load_emission_factors`, so that every database (test databases too)
has them. Organizations' configurations that named the first shipped DESNZ 2024 or MITECO v31 follow
the same publications; those that named Electricity Maps or Ember (life-cycle figures) are removed,
so that their invoices use the defaults at the next recalculation. Then the first shipped datasets go.
"""

from django.db import migrations

from invoicing.emissions.loader import load_shipped_datasets

DESNZ = "UK Government GHG Conversion Factors for Company Reporting"
DESNZ_2024 = "2024 flat file v1.1 (updated 2024-10-18); GWP100 AR5"
OLD_MITECO = "Calculadora de huella de carbono de organización (alcance 1+2)"
MITECO = "MITECO carbon-footprint calculator for organisations, sheet '10. Factores de emisión'"
MITECO_V31 = (
    "Calculadora de huella de carbono v31 (2007-2024; workbook modified 2025-05-19); GWP100 AR6 (CH4 27.9, N2O 273)"
)
LIFE_CYCLE = ["Electricity Maps", "Ember"]


def forward(apps, schema_editor):
    load_shipped_datasets(apps)
    dataset_model = apps.get_model("invoicing", "EmissionFactorDataset")
    config_model = apps.get_model("invoicing", "OrganizationFactorConfig")
    old_desnz = dataset_model.objects.filter(publisher="DESNZ", name=DESNZ, version="2024")
    old_miteco = dataset_model.objects.filter(publisher="MITECO", name=OLD_MITECO, version="v31")
    new_desnz = dataset_model.objects.get(publisher="DESNZ", name=DESNZ, version=DESNZ_2024)
    new_miteco = dataset_model.objects.get(publisher="MITECO", name=MITECO, version=MITECO_V31)
    config_model.objects.filter(dataset__in=old_desnz).update(dataset=new_desnz)
    config_model.objects.filter(dataset__in=old_miteco).update(dataset=new_miteco)
    config_model.objects.filter(publisher="MITECO", dataset_name=OLD_MITECO).update(dataset_name=MITECO)
    config_model.objects.filter(dataset__publisher__in=LIFE_CYCLE).delete()
    config_model.objects.filter(publisher__in=LIFE_CYCLE).delete()
    (old_desnz | old_miteco | dataset_model.objects.filter(publisher__in=LIFE_CYCLE)).delete()


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0010_emission_provenance_constraints")]

    # Reversing keeps the rows: loading is idempotent, so re-applying finds them unchanged.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
