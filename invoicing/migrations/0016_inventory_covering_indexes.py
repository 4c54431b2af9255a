"""Covering indexes for the emissions inventory (invoicing.selectors.inventory, docs/inventory.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0015_activity_category_labels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["organization", "end_date"],
                include=("start_date", "type", "facility", "id"),
                name="invoice_org_end_window",
            ),
        ),
        migrations.AddIndex(
            model_name="invoiceemission",
            index=models.Index(
                fields=["invoice"],
                include=("category", "scope", "kg_co2e", "kwh", "biogenic_co2_kg"),
                name="emission_invoice_figures",
            ),
        ),
    ]
