"""Staff controls over a job: cancel it, or retry the invoices it could not calculate."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from invoicing.errors import JobNotCancellable, NothingToRetry
from invoicing.models import Invoice
from jobs.models import ACTIVE_STATUSES, ChunkStatus, JobStatus, ProcessingJob, ProcessingJobError
from jobs.selectors import processing_job_invoice_ids
from jobs.services.creation import processing_jobs_create


def processing_job_cancel(*, job: ProcessingJob, cancelled_by: Any = None) -> ProcessingJob:
    """Stop a PENDING or PROCESSING job: a chunk already running finishes, no further chunk starts."""
    now = timezone.now()
    who = getattr(cancelled_by, "get_username", lambda: "")() or "an operator"
    reason = f"Cancelled by {who} at {now:%Y-%m-%d %H:%M:%S} UTC; invoices not yet processed were left as they were."
    updated = ProcessingJob.objects.filter(id=job.id, status__in=ACTIVE_STATUSES).update(
        status=JobStatus.CANCELLED, completed_at=now, failure_reason=reason
    )
    job.refresh_from_db()
    if not updated:
        raise JobNotCancellable(f"The job is {job.status} and can no longer be cancelled.", status=job.status)
    return job


def processing_job_retry_failed(*, job: ProcessingJob, trigger: str, triggered_by: Any = None) -> ProcessingJob:
    """A new job of the same category over the invoices this job failed, plus those it never reached
    if it was stopped. The invoices passed the recalculation rules when the job was started."""
    if job.status in ACTIVE_STATUSES:
        raise NothingToRetry("The job is still running; retry its failures once it has finished.", status=job.status)
    failed = ProcessingJobError.objects.filter(job=job).values("invoice_id")
    unreached = processing_job_invoice_ids(job=job, chunk_status=ChunkStatus.PENDING)
    invoices = Invoice.objects.filter(Q(id__in=failed) | Q(id__in=unreached), organization=job.organization)
    if not invoices.exists():
        raise NothingToRetry("The job has no failed or unprocessed invoices to retry.")
    (retry,) = processing_jobs_create(
        organization=job.organization,
        invoices=invoices,
        activity_categories=[job.activity_category],
        trigger=trigger,
        triggered_by=triggered_by,
        retry_of=job,
    )
    return retry
