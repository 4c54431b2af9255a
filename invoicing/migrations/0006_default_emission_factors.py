"""Loaded the first shipped emission-factor files. Those files were replaced by the publications'
own CSV format (0008-0011); 0011 loads the shipped datasets, so this step now does nothing and a
fresh database never holds the old rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0005_emission_factors")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
