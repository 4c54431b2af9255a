# Each chunk carries its invoice ids as an array instead of one jobs_processingjobinvoice row per
# invoice: starting a job writes a few rows, with no per-invoice foreign-key checks at commit.

import django.contrib.postgres.fields
from django.db import migrations, models

COPY_SETS = """
UPDATE jobs_processingjobchunk AS c
SET invoice_ids = coalesce(
    (SELECT array_agg(i.invoice_id ORDER BY i.invoice_id) FROM jobs_processingjobinvoice AS i
     WHERE i.job_id = c.job_id AND i.chunk = c.number),
    '{}')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0002_pipeline"),
    ]

    operations = [
        migrations.AddField(
            model_name="processingjobchunk",
            name="invoice_ids",
            field=django.contrib.postgres.fields.ArrayField(base_field=models.UUIDField(), default=list),
        ),
        migrations.RunSQL(COPY_SETS, migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name="processingjobinvoice",
            name="job_item_chunk",
        ),
        migrations.RemoveConstraint(
            model_name="processingjobinvoice",
            name="jobs_item_unique",
        ),
        migrations.RemoveField(
            model_name="processingjob",
            name="invoices",
        ),
        migrations.DeleteModel(
            name="ProcessingJobInvoice",
        ),
    ]
