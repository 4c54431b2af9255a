from django.db import migrations

from invoicing.reference_data import upsert_reference_data


def forward(apps, schema_editor):
    upsert_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0003_invoice_facility_in_organization")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
