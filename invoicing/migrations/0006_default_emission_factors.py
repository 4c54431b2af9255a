"""Load the emission-factor datasets shipped in invoicing/emissions/data with the same loader as
`manage.py load_emission_factors`, so that every database (test databases too) has them."""

from django.db import migrations

from invoicing.emissions.loader import load_shipped_datasets


def forward(apps, schema_editor):
    load_shipped_datasets(apps)


def backward(apps, schema_editor):
    apps.get_model("invoicing", "EmissionFactor").objects.all().delete()
    apps.get_model("invoicing", "EmissionFactorDataset").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0005_emission_factors")]

    operations = [migrations.RunPython(forward, backward)]
