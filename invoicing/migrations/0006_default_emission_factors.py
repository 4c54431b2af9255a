"""Load the emission-factor datasets shipped in invoicing/emissions/data with the same loader as
`manage.py load_emission_factors`, so that every database (test databases too) has them."""

from django.db import migrations

from invoicing.emissions.loader import load_shipped_datasets


def forward(apps, schema_editor):
    load_shipped_datasets(apps)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0005_emission_factors")]

    # Reversing keeps the rows: loading is idempotent, so re-applying finds them unchanged, and
    # organizations' configurations may point at them. Reversing 0005 drops the tables.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
