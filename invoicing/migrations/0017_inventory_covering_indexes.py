"""Covering indexes and a function for the emissions inventory (invoicing.selectors.inventory, docs/inventory.md)."""

from django.db import migrations, models

# kg CO2e of one result row's factors of one scope, read from its year parts (docs/inventory.md: the 3c part
# of an upstream-of-purchased-heat row). A function rather than a subquery in the summary's select list so
# that PostgreSQL's parallel workers may sum the inventory (a subquery there keeps the sums in one process).
CREATE_FACTOR_SCOPE_KG = """
CREATE FUNCTION invoicing_emission_factor_scope_kg(emission_invoice uuid, emission_category text, factor_scope text)
RETURNS numeric LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(SUM((f->>'kg_co2e')::numeric), 0)
    FROM invoicing_invoiceemission AS x, jsonb_array_elements(x.year_parts) AS p,
         jsonb_array_elements(p->'factors') AS f
    WHERE x.invoice_id = emission_invoice AND x.category = emission_category AND f->>'scope' = factor_scope
$$;
"""
DROP_FACTOR_SCOPE_KG = "DROP FUNCTION invoicing_emission_factor_scope_kg(uuid, text, text);"


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0016_invoice_audit_finding"),
    ]

    operations = [
        migrations.RunSQL(CREATE_FACTOR_SCOPE_KG, DROP_FACTOR_SCOPE_KG),
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
