"""Invoice.calculated_categories and failure_codes, and InvoiceMonth, filled from the stored result rows.

Kept from then on by invoicing.emissions.figures.invoice_figures_refresh. The backfill runs a frozen copy of
that function's statement, so that a later change to the function cannot change what this migration does.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

# invoice_figures_refresh's statement as of this migration, its parameters written in: for the invoices of
# %(ids)s, their counts and failure codes and their InvoiceMonth rows (each calendar year's part of every
# result amount spread over its months by days). `updated_at` is left as it was.
REFRESH = """    WITH totals AS (
        SELECT i.id, i.organization_id, i.facility_id, i.start_date, i.end_date,
               (i.end_date - i.start_date + 1) AS days, r.co2e, r.energy, r.results, r.amounts,
               (SELECT array_agg(DISTINCT f.code ORDER BY f.code) FROM invoicing_invoicecalculationfailure AS f
                WHERE f.invoice_id = i.id) AS failure_codes
        FROM unnest(%(ids)s::uuid[]) AS u(id)
        JOIN invoicing_invoice AS i ON i.id = u.id
        -- Each invoice's rows, found by its id (a join with the whole result table would be planned as a scan).
        CROSS JOIN LATERAL (
            SELECT SUM(e.kg_co2e) FILTER (WHERE e.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[])) AS co2e,
                   MAX(e.kwh) FILTER (WHERE e.category = 'energy') AS energy,
                   count(*) AS results,
                   ARRAY[SUM(CASE WHEN e.scope = 'scope_1' THEN e.kg_co2e END) FILTER (WHERE e.category = 'stationary'), SUM(CASE WHEN e.scope IN ('scope_2_location_based', 'scope_2_heat_and_steam') THEN e.kg_co2e END) FILTER (WHERE e.category = 'stationary'), SUM(CASE WHEN e.scope IN ('scope_2_market_based', 'scope_2_heat_and_steam') THEN e.kg_co2e END) FILTER (WHERE e.category = 'stationary'), SUM(CASE WHEN e.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN e.biogenic_co2_kg END) FILTER (WHERE e.category = 'stationary'), SUM(CASE WHEN e.scope = 'scope_3_3a' THEN e.kg_co2e END) FILTER (WHERE e.category = 'stationary_generation'), SUM(CASE WHEN e.scope = 'scope_3_3b' THEN e.kg_co2e WHEN e.scope = 'scope_3_3b_3c' THEN e.kg_co2e - invoicing_emission_factor_scope_kg(e.invoice_id, e.category, 'scope_3_3c') END) FILTER (WHERE e.category = 'stationary_generation'), SUM(CASE WHEN e.scope = 'scope_3_3c' THEN e.kg_co2e WHEN e.scope = 'scope_3_3b_3c' THEN invoicing_emission_factor_scope_kg(e.invoice_id, e.category, 'scope_3_3c') END) FILTER (WHERE e.category = 'stationary_generation'), SUM(CASE WHEN e.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN e.biogenic_co2_kg END) FILTER (WHERE e.category = 'stationary_generation'), SUM(CASE WHEN e.scope IN ('scope_2_market_based', 'scope_2_heat_and_steam') THEN e.kg_co2e END) FILTER (WHERE e.category = 'electricity'), SUM(CASE WHEN e.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN e.biogenic_co2_kg END) FILTER (WHERE e.category = 'electricity'), SUM(CASE WHEN e.scope IN ('scope_2_location_based', 'scope_2_heat_and_steam') THEN e.kg_co2e END) FILTER (WHERE e.category = 'electricity_location_based'), SUM(CASE WHEN e.scope = 'scope_3_3b' THEN e.kg_co2e WHEN e.scope = 'scope_3_3b_3c' THEN e.kg_co2e - invoicing_emission_factor_scope_kg(e.invoice_id, e.category, 'scope_3_3c') END) FILTER (WHERE e.category = 'electricity_generation'), SUM(CASE WHEN e.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN e.biogenic_co2_kg END) FILTER (WHERE e.category = 'electricity_generation'), SUM(CASE WHEN e.scope = 'scope_3_3c' THEN e.kg_co2e WHEN e.scope = 'scope_3_3b_3c' THEN invoicing_emission_factor_scope_kg(e.invoice_id, e.category, 'scope_3_3c') END) FILTER (WHERE e.category = 'electricity_transmission_and_distribution'), SUM(CASE WHEN e.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN e.biogenic_co2_kg END) FILTER (WHERE e.category = 'electricity_transmission_and_distribution'), SUM(e.kwh) FILTER (WHERE e.category = 'energy')]::numeric[] AS amounts
            FROM invoicing_invoiceemission AS e
            WHERE e.invoice_id = i.id
        ) AS r
    ),
    -- Each month of each period, with the calendar year it lies in (the part of the period in that year)
    -- and that year's amounts: the invoice's whole amounts when the period lies in one year (most bills),
    -- else the sum of its rows' parts in that year. Each year's amounts are spread over its months by days.
    months AS (
        SELECT t.id AS invoice_id, t.organization_id, t.facility_id, g.month, (CASE WHEN y.upto = y.days THEN y.amounts[1] ELSE round(y.amounts[1] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[1] * y.before / y.days, 6) END) AS stationary_scope_1, (CASE WHEN y.upto = y.days THEN y.amounts[2] ELSE round(y.amounts[2] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[2] * y.before / y.days, 6) END) AS stationary_scope_2_location_based, (CASE WHEN y.upto = y.days THEN y.amounts[3] ELSE round(y.amounts[3] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[3] * y.before / y.days, 6) END) AS stationary_scope_2_market_based, (CASE WHEN y.upto = y.days THEN y.amounts[4] ELSE round(y.amounts[4] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[4] * y.before / y.days, 6) END) AS stationary_biogenic_co2, (CASE WHEN y.upto = y.days THEN y.amounts[5] ELSE round(y.amounts[5] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[5] * y.before / y.days, 6) END) AS stationary_generation_scope_3_cat3a, (CASE WHEN y.upto = y.days THEN y.amounts[6] ELSE round(y.amounts[6] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[6] * y.before / y.days, 6) END) AS stationary_generation_scope_3_cat3b, (CASE WHEN y.upto = y.days THEN y.amounts[7] ELSE round(y.amounts[7] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[7] * y.before / y.days, 6) END) AS stationary_generation_scope_3_cat3c, (CASE WHEN y.upto = y.days THEN y.amounts[8] ELSE round(y.amounts[8] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[8] * y.before / y.days, 6) END) AS stationary_generation_biogenic_co2, (CASE WHEN y.upto = y.days THEN y.amounts[9] ELSE round(y.amounts[9] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[9] * y.before / y.days, 6) END) AS electricity_scope_2_market_based, (CASE WHEN y.upto = y.days THEN y.amounts[10] ELSE round(y.amounts[10] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[10] * y.before / y.days, 6) END) AS electricity_biogenic_co2, (CASE WHEN y.upto = y.days THEN y.amounts[11] ELSE round(y.amounts[11] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[11] * y.before / y.days, 6) END) AS electricity_location_based_scope_2_location_based, (CASE WHEN y.upto = y.days THEN y.amounts[12] ELSE round(y.amounts[12] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[12] * y.before / y.days, 6) END) AS electricity_generation_scope_3_cat3b, (CASE WHEN y.upto = y.days THEN y.amounts[13] ELSE round(y.amounts[13] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[13] * y.before / y.days, 6) END) AS electricity_generation_biogenic_co2, (CASE WHEN y.upto = y.days THEN y.amounts[14] ELSE round(y.amounts[14] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[14] * y.before / y.days, 6) END) AS electricity_transmission_and_distribution_scope_3_cat3c, (CASE WHEN y.upto = y.days THEN y.amounts[15] ELSE round(y.amounts[15] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[15] * y.before / y.days, 6) END) AS electricity_transmission_and_distribution_biogenic_co2, (CASE WHEN y.upto = y.days THEN y.amounts[16] ELSE round(y.amounts[16] * y.upto / y.days, 6) END) - (CASE WHEN y.before = 0 THEN 0 ELSE round(y.amounts[16] * y.before / y.days, 6) END) AS energy_energy_kwh
        FROM totals AS t
        CROSS JOIN LATERAL (
            SELECT m::date AS month, (m + interval '1 month - 1 day')::date AS month_end,
                   GREATEST(t.start_date, date_trunc('year', m)::date) AS first_day,
                   LEAST(t.end_date, (date_trunc('year', m) + interval '1 year - 1 day')::date) AS last_day
            FROM generate_series(date_trunc('month', t.start_date::timestamp), t.end_date::timestamp,
                                 interval '1 month') AS m
        ) AS g
        CROSS JOIN LATERAL (
            SELECT (g.last_day - g.first_day + 1) AS days,
                   LEAST(g.last_day, g.month_end) - g.first_day + 1 AS upto,
                   GREATEST(g.month - g.first_day, 0) AS before,
                   CASE WHEN g.first_day = t.start_date AND g.last_day = t.end_date THEN t.amounts ELSE (
                       SELECT ARRAY[SUM(CASE WHEN x.scope = 'scope_1' THEN x.kg_co2e END) FILTER (WHERE x.category = 'stationary'), SUM(CASE WHEN x.scope IN ('scope_2_location_based', 'scope_2_heat_and_steam') THEN x.kg_co2e END) FILTER (WHERE x.category = 'stationary'), SUM(CASE WHEN x.scope IN ('scope_2_market_based', 'scope_2_heat_and_steam') THEN x.kg_co2e END) FILTER (WHERE x.category = 'stationary'), SUM(CASE WHEN x.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN x.biogenic_co2_kg END) FILTER (WHERE x.category = 'stationary'), SUM(CASE WHEN x.scope = 'scope_3_3a' THEN x.kg_co2e END) FILTER (WHERE x.category = 'stationary_generation'), SUM(CASE WHEN x.scope = 'scope_3_3b' THEN x.kg_co2e WHEN x.scope = 'scope_3_3b_3c' THEN x.kg_co2e - x.three_c END) FILTER (WHERE x.category = 'stationary_generation'), SUM(CASE WHEN x.scope = 'scope_3_3c' THEN x.kg_co2e WHEN x.scope = 'scope_3_3b_3c' THEN x.three_c END) FILTER (WHERE x.category = 'stationary_generation'), SUM(CASE WHEN x.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN x.biogenic_co2_kg END) FILTER (WHERE x.category = 'stationary_generation'), SUM(CASE WHEN x.scope IN ('scope_2_market_based', 'scope_2_heat_and_steam') THEN x.kg_co2e END) FILTER (WHERE x.category = 'electricity'), SUM(CASE WHEN x.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN x.biogenic_co2_kg END) FILTER (WHERE x.category = 'electricity'), SUM(CASE WHEN x.scope IN ('scope_2_location_based', 'scope_2_heat_and_steam') THEN x.kg_co2e END) FILTER (WHERE x.category = 'electricity_location_based'), SUM(CASE WHEN x.scope = 'scope_3_3b' THEN x.kg_co2e WHEN x.scope = 'scope_3_3b_3c' THEN x.kg_co2e - x.three_c END) FILTER (WHERE x.category = 'electricity_generation'), SUM(CASE WHEN x.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN x.biogenic_co2_kg END) FILTER (WHERE x.category = 'electricity_generation'), SUM(CASE WHEN x.scope = 'scope_3_3c' THEN x.kg_co2e WHEN x.scope = 'scope_3_3b_3c' THEN x.three_c END) FILTER (WHERE x.category = 'electricity_transmission_and_distribution'), SUM(CASE WHEN x.category <> ALL(ARRAY['energy', 'electricity_location_based']::text[]) THEN x.biogenic_co2_kg END) FILTER (WHERE x.category = 'electricity_transmission_and_distribution'), SUM(x.kwh) FILTER (WHERE x.category = 'energy')]::numeric[]
                       FROM invoicing_invoiceemission AS e CROSS JOIN LATERAL (
    SELECT e.category, e.scope, (CASE WHEN (g.last_day - t.start_date + 1) = t.days THEN e.kwh ELSE round(e.kwh * (g.last_day - t.start_date + 1) / t.days, 6) END) - (CASE WHEN (g.first_day - t.start_date) = 0 THEN 0 ELSE round(e.kwh * (g.first_day - t.start_date) / t.days, 6) END) AS kwh,
           CASE WHEN q.part IS NULL THEN (CASE WHEN (g.last_day - t.start_date + 1) = t.days THEN e.kg_co2e ELSE round(e.kg_co2e * (g.last_day - t.start_date + 1) / t.days, 6) END) - (CASE WHEN (g.first_day - t.start_date) = 0 THEN 0 ELSE round(e.kg_co2e * (g.first_day - t.start_date) / t.days, 6) END) ELSE (q.part->>'kg_co2e')::numeric END AS kg_co2e,
           CASE WHEN q.part IS NULL THEN (CASE WHEN (g.last_day - t.start_date + 1) = t.days THEN e.biogenic_co2_kg ELSE round(e.biogenic_co2_kg * (g.last_day - t.start_date + 1) / t.days, 6) END) - (CASE WHEN (g.first_day - t.start_date) = 0 THEN 0 ELSE round(e.biogenic_co2_kg * (g.first_day - t.start_date) / t.days, 6) END)
                ELSE (q.part->>'biogenic_co2_kg')::numeric END AS biogenic_co2_kg,
           CASE WHEN e.scope <> 'scope_3_3b_3c' THEN NULL WHEN q.part IS NULL THEN (CASE WHEN (g.last_day - t.start_date + 1) = t.days THEN invoicing_emission_factor_scope_kg(e.invoice_id, e.category, 'scope_3_3c') ELSE round(invoicing_emission_factor_scope_kg(e.invoice_id, e.category, 'scope_3_3c') * (g.last_day - t.start_date + 1) / t.days, 6) END) - (CASE WHEN (g.first_day - t.start_date) = 0 THEN 0 ELSE round(invoicing_emission_factor_scope_kg(e.invoice_id, e.category, 'scope_3_3c') * (g.first_day - t.start_date) / t.days, 6) END) ELSE (
               SELECT COALESCE(SUM((f->>'kg_co2e')::numeric), 0) FROM jsonb_array_elements(q.part->'factors') AS f
               WHERE f->>'scope' = 'scope_3_3c') END AS three_c
    FROM (
        SELECT (SELECT p FROM jsonb_array_elements(e.year_parts) AS p
                WHERE (p->>'start_date')::date = g.first_day AND (p->>'end_date')::date = g.last_day
                  AND (SELECT min((a->>'start_date')::date) = t.start_date AND max((a->>'end_date')::date) = t.end_date
                       FROM jsonb_array_elements(e.year_parts) AS a)) AS part
    ) AS q
    OFFSET 0  -- evaluated once per row, not once per use of its columns
) AS x
                       WHERE e.invoice_id = t.id
                   ) END AS amounts
            OFFSET 0
        ) AS y
        WHERE t.results > 0
    ),
    -- Months no longer of an invoice (its period corrected, its last result gone) go; the others are
    -- written only where they change (a recalculation that finds the same numbers writes nothing).
    gone AS (
        DELETE FROM invoicing_invoicemonth AS o
        WHERE o.invoice_id = ANY(%(ids)s::uuid[])
          AND NOT EXISTS (SELECT FROM months AS n WHERE n.invoice_id = o.invoice_id AND n.month = o.month)
    ),
    written AS (
        INSERT INTO invoicing_invoicemonth AS o (invoice_id, organization_id, facility_id, month, stationary_scope_1, stationary_scope_2_location_based, stationary_scope_2_market_based, stationary_biogenic_co2, stationary_generation_scope_3_cat3a, stationary_generation_scope_3_cat3b, stationary_generation_scope_3_cat3c, stationary_generation_biogenic_co2, electricity_scope_2_market_based, electricity_biogenic_co2, electricity_location_based_scope_2_location_based, electricity_generation_scope_3_cat3b, electricity_generation_biogenic_co2, electricity_transmission_and_distribution_scope_3_cat3c, electricity_transmission_and_distribution_biogenic_co2, energy_energy_kwh)
        SELECT invoice_id, organization_id, facility_id, month, stationary_scope_1, stationary_scope_2_location_based, stationary_scope_2_market_based, stationary_biogenic_co2, stationary_generation_scope_3_cat3a, stationary_generation_scope_3_cat3b, stationary_generation_scope_3_cat3c, stationary_generation_biogenic_co2, electricity_scope_2_market_based, electricity_biogenic_co2, electricity_location_based_scope_2_location_based, electricity_generation_scope_3_cat3b, electricity_generation_biogenic_co2, electricity_transmission_and_distribution_scope_3_cat3c, electricity_transmission_and_distribution_biogenic_co2, energy_energy_kwh FROM months
        ON CONFLICT (invoice_id, month) DO UPDATE SET facility_id = EXCLUDED.facility_id, stationary_scope_1 = EXCLUDED.stationary_scope_1, stationary_scope_2_location_based = EXCLUDED.stationary_scope_2_location_based, stationary_scope_2_market_based = EXCLUDED.stationary_scope_2_market_based, stationary_biogenic_co2 = EXCLUDED.stationary_biogenic_co2, stationary_generation_scope_3_cat3a = EXCLUDED.stationary_generation_scope_3_cat3a, stationary_generation_scope_3_cat3b = EXCLUDED.stationary_generation_scope_3_cat3b, stationary_generation_scope_3_cat3c = EXCLUDED.stationary_generation_scope_3_cat3c, stationary_generation_biogenic_co2 = EXCLUDED.stationary_generation_biogenic_co2, electricity_scope_2_market_based = EXCLUDED.electricity_scope_2_market_based, electricity_biogenic_co2 = EXCLUDED.electricity_biogenic_co2, electricity_location_based_scope_2_location_based = EXCLUDED.electricity_location_based_scope_2_location_based, electricity_generation_scope_3_cat3b = EXCLUDED.electricity_generation_scope_3_cat3b, electricity_generation_biogenic_co2 = EXCLUDED.electricity_generation_biogenic_co2, electricity_transmission_and_distribution_scope_3_cat3c = EXCLUDED.electricity_transmission_and_distribution_scope_3_cat3c, electricity_transmission_and_distribution_biogenic_co2 = EXCLUDED.electricity_transmission_and_distribution_biogenic_co2, energy_energy_kwh = EXCLUDED.energy_energy_kwh
        WHERE (o.facility_id, o.stationary_scope_1, o.stationary_scope_2_location_based, o.stationary_scope_2_market_based, o.stationary_biogenic_co2, o.stationary_generation_scope_3_cat3a, o.stationary_generation_scope_3_cat3b, o.stationary_generation_scope_3_cat3c, o.stationary_generation_biogenic_co2, o.electricity_scope_2_market_based, o.electricity_biogenic_co2, o.electricity_location_based_scope_2_location_based, o.electricity_generation_scope_3_cat3b, o.electricity_generation_biogenic_co2, o.electricity_transmission_and_distribution_scope_3_cat3c, o.electricity_transmission_and_distribution_biogenic_co2, o.energy_energy_kwh) IS DISTINCT FROM (EXCLUDED.facility_id, EXCLUDED.stationary_scope_1, EXCLUDED.stationary_scope_2_location_based, EXCLUDED.stationary_scope_2_market_based, EXCLUDED.stationary_biogenic_co2, EXCLUDED.stationary_generation_scope_3_cat3a, EXCLUDED.stationary_generation_scope_3_cat3b, EXCLUDED.stationary_generation_scope_3_cat3c, EXCLUDED.stationary_generation_biogenic_co2, EXCLUDED.electricity_scope_2_market_based, EXCLUDED.electricity_biogenic_co2, EXCLUDED.electricity_location_based_scope_2_location_based, EXCLUDED.electricity_generation_scope_3_cat3b, EXCLUDED.electricity_generation_biogenic_co2, EXCLUDED.electricity_transmission_and_distribution_scope_3_cat3c, EXCLUDED.electricity_transmission_and_distribution_biogenic_co2, EXCLUDED.energy_energy_kwh)
    )
    UPDATE invoicing_invoice AS i
    SET co2e = t.co2e, total_energy_kwh = t.energy, calculated_categories = t.results,
        failure_codes = t.failure_codes, updated_at = i.updated_at
    FROM totals AS t
    WHERE i.id = t.id
      AND (i.co2e, i.total_energy_kwh, i.calculated_categories, i.failure_codes)
          IS DISTINCT FROM (t.co2e, t.energy, t.results, t.failure_codes)
"""
BATCH = 10_000


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT invoice_id FROM invoicing_invoiceemission UNION SELECT invoice_id FROM invoicing_invoicecalculationfailure"
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        for start in range(0, len(ids), BATCH):
            cursor.execute(REFRESH, {"ids": ids[start : start + BATCH]})


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
        migrations.RunPython(backfill, migrations.RunPython.noop),
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
