"""What a worker does: claim a job, then process its chunks, one transaction per chunk.

A chunk is claimed with `SELECT … FOR UPDATE SKIP LOCKED` on its pending row, so a second delivery
of the same task, or a duplicate sent by the reconciler, finds nothing to do. The chunk's results,
its per-invoice errors, the job's counters (F() increments) and heartbeat commit together: a worker
killed mid-chunk leaves the chunk pending and nothing half-counted.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from django.db import OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from invoicing.choices import result_unit
from invoicing.emissions import InvoiceFailure
from jobs.models import (
    ChunkStatus,
    JobStatus,
    ProcessingJob,
    ProcessingJobChunk,
    ProcessingJobError,
)
from jobs.services.dispatch import processing_job_chunks_dispatch

logger = logging.getLogger(__name__)

# PostgreSQL deadlock_detected and serialization_failure: the chunk is simply run again.
RETRYABLE_SQLSTATES = {"40P01", "40001"}
CHUNK_DEADLOCK_RETRIES = 3


def processing_job_start(*, job_id: uuid.UUID) -> bool:
    """Claim a PENDING job (a conditional UPDATE: a second delivery does nothing) and fan out its chunks."""
    now = timezone.now()
    claimed = ProcessingJob.objects.filter(id=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.PROCESSING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return False
    job = ProcessingJob.objects.get(id=job_id)
    numbers = list(
        ProcessingJobChunk.objects.filter(job=job, status=ChunkStatus.PENDING)
        .order_by("number")
        .values_list("number", flat=True)
    )
    processing_job_chunks_dispatch(job=job, numbers=numbers, attempt=job.attempts)
    processing_job_finish_if_done(job_id=job_id)  # a job without invoices completes at once
    return True


def processing_job_chunk_run(*, job_id: uuid.UUID, number: int) -> bool:
    """Process one chunk if it is still pending and the job is still running; True if it was processed."""
    for attempt in range(CHUNK_DEADLOCK_RETRIES):
        try:
            processed = _run_chunk(job_id, number)
            break
        except OperationalError as exc:
            sqlstate = getattr(exc.__cause__, "sqlstate", None)
            if sqlstate not in RETRYABLE_SQLSTATES or attempt == CHUNK_DEADLOCK_RETRIES - 1:
                raise
            logger.info("chunk %s of %s hit %s; running it again", number, job_id, sqlstate)
    if processed:
        processing_job_finish_if_done(job_id=job_id)
    return processed


def _run_chunk(job_id: uuid.UUID, number: int) -> bool:
    from invoicing.emissions import calculate_invoices

    with transaction.atomic():
        chunk = (
            # of=self and no ordering: Meta.ordering would join (and lock) the job row, which other chunks
            # update at their end, and SKIP LOCKED would then skip this chunk.
            ProcessingJobChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(job_id=job_id, number=number, status=ChunkStatus.PENDING)
            .order_by()
            .first()
        )
        if chunk is None:
            logger.info("chunk %s of job %s: already done or being done by another worker", number, job_id)
            return False
        job = ProcessingJob.objects.only("id", "status", "activity_category").get(id=job_id)
        if job.status != JobStatus.PROCESSING:
            logger.info("chunk %s of job %s: skipped, the job is %s", number, job_id, job.status)
            return False  # cancelled or failed: stop here, the chunk stays pending
        ids = chunk.invoice_ids
        category = job.activity_category
        # Lock the invoices in id order so two jobs over the same invoices never deadlock.
        before = _category_total(ids, category, lock=True)
        result = calculate_invoices(invoice_ids=ids, category=category, job_id=job.id)
        after = _category_total(ids, category)
        failures = {failure.invoice_id: failure for failure in result.failures}
        _replace_errors(job_id, ids, list(failures.values()))
        succeeded = len(set(result.succeeded_ids) - failures.keys())
        now = timezone.now()
        ProcessingJobChunk.objects.filter(pk=chunk.pk).update(
            status=ChunkStatus.DONE, items_success=succeeded, items_failed=len(failures), completed_at=now
        )
        ProcessingJob.objects.filter(id=job_id).update(
            items_success=F("items_success") + succeeded,
            items_failed=F("items_failed") + len(failures),
            # NULL (a job from before these totals) stays NULL: not recorded.
            category_total_before=F("category_total_before") + before,
            category_total_after=F("category_total_after") + after,
            heartbeat_at=now,
        )
    return True


def _replace_errors(job_id: uuid.UUID, ids: list[uuid.UUID], failures: list[InvoiceFailure]) -> None:
    """The chunk's per-invoice errors replace an earlier attempt's: two statements with array parameters
    (an `IN (…)` of 5,000 placeholders cost more to build than to run)."""
    table = ProcessingJobError._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE job_id = %s AND invoice_id = ANY(%s::uuid[])", [job_id, ids])
        if failures:
            cursor.execute(
                f"INSERT INTO {table} (job_id, invoice_id, code, message, created_at) "
                "SELECT %s, u.invoice_id, u.code, u.message, %s "
                "FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS u(invoice_id, code, message)",
                [
                    job_id,
                    timezone.now(),
                    [f.invoice_id for f in failures],
                    [f.code for f in failures],
                    [f.message for f in failures],
                ],
            )


def _category_total(ids: list[uuid.UUID], category: str, *, lock: bool = False) -> Decimal:
    """The sum of the invoices' results for `category`, in its unit (invoicing.choices.result_unit:
    kWh for energy, else kg CO2e); with `lock`, the invoices are first locked in id order."""
    column = result_unit(category).value  # the InvoiceEmission column of that unit
    lock_clause = "ORDER BY id FOR UPDATE" if lock else ""
    with connection.cursor() as cursor:
        # A LEFT JOIN reads (and so locks) every invoice, with or without a row for the category.
        cursor.execute(
            f"SELECT coalesce(sum(e.{column}), 0) FROM "
            f"(SELECT id FROM invoicing_invoice WHERE id = ANY(%s::uuid[]) {lock_clause}) AS i "
            "LEFT JOIN invoicing_invoiceemission AS e ON e.invoice_id = i.id AND e.category = %s",
            [ids, category],
        )
        (total,) = cursor.fetchone()
    return Decimal(total)


def processing_job_finish_if_done(*, job_id: uuid.UUID) -> bool:
    """Mark a running job COMPLETED once no chunk is pending (run after a chunk's commit, by one winner)."""
    pending = ProcessingJobChunk.objects.filter(job_id=OuterRef("pk"), status=ChunkStatus.PENDING)
    return bool(
        ProcessingJob.objects.filter(id=job_id, status=JobStatus.PROCESSING)
        .exclude(Exists(pending))
        .update(status=JobStatus.COMPLETED, completed_at=timezone.now(), heartbeat_at=timezone.now())
    )


def processing_job_record_error(*, job_id: uuid.UUID, error: str) -> None:
    """Keep the last exception a chunk raised, so that a job FAILED after its retries says why."""
    ProcessingJob.objects.filter(id=job_id).update(last_error=error[:2000])
