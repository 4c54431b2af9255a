"""Invoice.calculated_categories and failure_codes, and InvoiceMonth, filled from the stored result rows.

Kept from then on by invoicing.emissions.figures.invoice_figures_refresh. The backfill is a frozen copy of
what that function writes, for the columns of this migration, so that a later change to the function
cannot change what this migration does.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

# The amount of each InvoiceMonth column, from an invoice's result rows `e` (SUM over its one row of the category).
_HEAT_3C = "invoicing_emission_factor_scope_kg(e.invoice_id, e.category, 'scope_3_3c')"
_SCOPE_2_LB = "CASE WHEN e.scope IN ('scope_2_location_based', 'scope_2_heat_and_steam') THEN e.kg_co2e END"
_SCOPE_2_MB = "CASE WHEN e.scope IN ('scope_2_market_based', 'scope_2_heat_and_steam') THEN e.kg_co2e END"
_COLUMNS = [
    ("stationary_scope_1", "stationary", "CASE WHEN e.scope = 'scope_1' THEN e.kg_co2e END"),
    ("stationary_scope_2_location_based", "stationary", _SCOPE_2_LB),
    ("stationary_scope_2_market_based", "stationary", _SCOPE_2_MB),
    ("stationary_biogenic_co2", "stationary", "e.biogenic_co2_kg"),
    (
        "stationary_generation_scope_3_cat3a",
        "stationary_generation",
        "CASE WHEN e.scope = 'scope_3_3a' THEN e.kg_co2e END",
    ),
    (
        "stationary_generation_scope_3_cat3b",
        "stationary_generation",
        f"CASE WHEN e.scope = 'scope_3_3b' THEN e.kg_co2e WHEN e.scope = 'scope_3_3b_3c' THEN e.kg_co2e - {_HEAT_3C} END",
    ),
    (
        "stationary_generation_scope_3_cat3c",
        "stationary_generation",
        f"CASE WHEN e.scope = 'scope_3_3c' THEN e.kg_co2e WHEN e.scope = 'scope_3_3b_3c' THEN {_HEAT_3C} END",
    ),
    ("stationary_generation_biogenic_co2", "stationary_generation", "e.biogenic_co2_kg"),
    ("electricity_scope_2_market_based", "electricity", _SCOPE_2_MB),
    ("electricity_biogenic_co2", "electricity", "e.biogenic_co2_kg"),
    ("electricity_location_based_scope_2_location_based", "electricity_location_based", _SCOPE_2_LB),
    (
        "electricity_generation_scope_3_cat3b",
        "electricity_generation",
        "CASE WHEN e.scope = 'scope_3_3b' THEN e.kg_co2e END",
    ),
    ("electricity_generation_biogenic_co2", "electricity_generation", "e.biogenic_co2_kg"),
    (
        "electricity_transmission_and_distribution_scope_3_cat3c",
        "electricity_transmission_and_distribution",
        "CASE WHEN e.scope = 'scope_3_3c' THEN e.kg_co2e END",
    ),
    (
        "electricity_transmission_and_distribution_biogenic_co2",
        "electricity_transmission_and_distribution",
        "e.biogenic_co2_kg",
    ),
    ("energy_energy_kwh", "energy", "e.kwh"),
]
_AMOUNTS = ", ".join(f"SUM({amount}) FILTER (WHERE e.category = '{category}')" for _, category, amount in _COLUMNS)
# Each amount spread over the months of the period by days, with the running-total rounding.
_SHARES = ", ".join(
    f"(CASE WHEN g.upto = t.days THEN t.amounts[{n}] ELSE round(t.amounts[{n}] * g.upto / t.days, 6) END)"
    f" - (CASE WHEN g.before = 0 THEN 0 ELSE round(t.amounts[{n}] * g.before / t.days, 6) END)"
    for n in range(1, len(_COLUMNS) + 1)
)
BACKFILL_MONTHS = f"""
    INSERT INTO invoicing_invoicemonth (invoice_id, organization_id, facility_id, month, {", ".join(c for c, _, _ in _COLUMNS)})
    SELECT t.id, t.organization_id, t.facility_id, g.month, {_SHARES}
    FROM (
        SELECT i.id, i.organization_id, i.facility_id, i.start_date, i.end_date, (i.end_date - i.start_date + 1) AS days,
               ARRAY[{_AMOUNTS}]::numeric[] AS amounts
        FROM invoicing_invoice AS i JOIN invoicing_invoiceemission AS e ON e.invoice_id = i.id
        GROUP BY i.id
    ) AS t
    CROSS JOIN LATERAL (
        SELECT m::date AS month,
               LEAST(t.end_date, (m + interval '1 month - 1 day')::date) - t.start_date + 1 AS upto,
               GREATEST(m::date - t.start_date, 0) AS before
        FROM generate_series(date_trunc('month', t.start_date::timestamp), t.end_date::timestamp, interval '1 month') AS m
    ) AS g
"""
BACKFILL_INVOICES = """
    UPDATE invoicing_invoice AS i SET calculated_categories = s.results
    FROM (SELECT invoice_id, count(*) AS results FROM invoicing_invoiceemission GROUP BY invoice_id) AS s
    WHERE i.id = s.invoice_id;
    UPDATE invoicing_invoice AS i SET failure_codes = s.codes
    FROM (
        SELECT invoice_id, array_agg(DISTINCT code ORDER BY code) AS codes
        FROM invoicing_invoicecalculationfailure GROUP BY invoice_id
    ) AS s
    WHERE i.id = s.invoice_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0018_audit_finding_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="calculated_categories",
            field=models.PositiveSmallIntegerField(
                db_default=0, editable=False, help_text="Activity categories with a stored result."
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="failure_codes",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=40),
                editable=False,
                help_text="The codes of its recorded calculation failures, in order; empty without any.",
                null=True,
            ),
        ),
        migrations.CreateModel(
            name="InvoiceMonth",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("month", models.DateField(help_text="The month's first day.")),
                ("stationary_scope_1", models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True)),
                (
                    "stationary_scope_2_location_based",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "stationary_scope_2_market_based",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "stationary_biogenic_co2",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "stationary_generation_scope_3_cat3a",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "stationary_generation_scope_3_cat3b",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "stationary_generation_scope_3_cat3c",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "stationary_generation_biogenic_co2",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "electricity_scope_2_market_based",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "electricity_biogenic_co2",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "electricity_location_based_scope_2_location_based",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "electricity_generation_scope_3_cat3b",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "electricity_generation_biogenic_co2",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "electricity_transmission_and_distribution_scope_3_cat3c",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                (
                    "electricity_transmission_and_distribution_biogenic_co2",
                    models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True),
                ),
                ("energy_energy_kwh", models.DecimalField(decimal_places=6, editable=False, max_digits=20, null=True)),
                (
                    "facility",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="invoicing.facility",
                    ),
                ),
                (
                    "invoice",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="months",
                        to="invoicing.invoice",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="invoicing.organization",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["organization", "month"], name="invoice_month_org_month")],
                "constraints": [models.UniqueConstraint(fields=("invoice", "month"), name="invoice_month_unique")],
            },
        ),
        migrations.RunSQL(BACKFILL_MONTHS, migrations.RunSQL.noop),
        migrations.RunSQL(BACKFILL_INVOICES, migrations.RunSQL.noop),
        # The inventory's coverage reads the window's invoices from this index alone.
        migrations.RemoveIndex(model_name="invoice", name="invoice_org_end_window"),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["organization", "end_date"],
                include=("start_date", "type", "facility", "id", "calculated_categories", "failure_codes"),
                name="invoice_org_end_window",
            ),
        ),
    ]
