"""Create processing jobs over a set of invoices and hand them to RQ once they are committed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from invoicing.models import Invoice, Organization
from jobs.models import ChunkStatus, JobTrigger, ProcessingJob, ProcessingJobChunk
from jobs.services.dispatch import processing_jobs_dispatch


def processing_jobs_create(
    *,
    organization: Organization,
    invoices: QuerySet[Invoice],
    activity_categories: Sequence[str],
    trigger: str,
    triggered_by: Any = None,
    retry_of: ProcessingJob | None = None,
) -> list[ProcessingJob]:
    """One PENDING job per activity category over the same invoice set, in one transaction.

    The set is split into chunks of JOBS_CHUNK_SIZE invoices (in id order), written with one
    INSERT … SELECT so that it never enters Python. The jobs are enqueued after the commit; if Redis
    is down they stay PENDING and the reconciler dispatches them. The caller has checked the
    recalculation rules (invoicing.services.recalculation); an empty set creates jobs with no chunk.
    """
    if trigger not in JobTrigger.values:
        raise ValueError(f"unknown trigger {trigger!r}")
    with transaction.atomic():
        jobs = [
            ProcessingJob.objects.create(
                organization=organization,
                activity_category=category,
                trigger=trigger,
                triggered_by=triggered_by if getattr(triggered_by, "pk", None) else None,
                retry_of=retry_of,
            )
            for category in activity_categories
        ]
        _insert_chunks(jobs, invoices.filter(organization=organization).order_by())
        job_ids = [job.id for job in jobs]
        transaction.on_commit(lambda: processing_jobs_dispatch(job_ids=job_ids))
    return jobs


def _insert_chunks(jobs: list[ProcessingJob], invoices: QuerySet[Invoice]) -> None:
    """The first job's chunks by INSERT … SELECT; the other jobs get copies of them."""
    first, *others = jobs
    chunks = ProcessingJobChunk._meta.db_table
    columns = "job_id, number, size, invoice_ids, status, items_success, items_failed, rq_job_id"
    select_sql, params = invoices.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {chunks} ({columns}) "
            "SELECT %s, n, count(*), array_agg(id ORDER BY id), %s, 0, 0, '' "
            f"FROM (SELECT s.id, (row_number() OVER (ORDER BY s.id) - 1) / %s AS n FROM ({select_sql}) s) numbered "
            "GROUP BY n RETURNING size",
            [first.id, ChunkStatus.PENDING, settings.JOBS_CHUNK_SIZE, *params],
        )
        sizes = [size for (size,) in cursor.fetchall()]
        for job in others:
            cursor.execute(
                f"INSERT INTO {chunks} ({columns}) SELECT %s, number, size, invoice_ids, %s, 0, 0, '' "
                f"FROM {chunks} WHERE job_id = %s",
                [job.id, ChunkStatus.PENDING, first.id],
            )
    for job in jobs:
        job.items_total, job.chunks_total = sum(sizes), len(sizes)
    ProcessingJob.objects.bulk_update(jobs, ["items_total", "chunks_total"])
