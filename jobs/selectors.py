"""Reads of processing jobs, always scoped to an organization."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Func, QuerySet, UUIDField

from invoicing.errors import NotFoundError
from invoicing.models import Invoice, Organization
from jobs.models import ProcessingJob, ProcessingJobChunk, ProcessingJobError

JOB_ERRORS_SHOWN = 100  # per-invoice errors returned with a job; the count is always complete


def processing_job_list(*, organization: Organization) -> QuerySet[ProcessingJob]:
    return ProcessingJob.objects.filter(organization=organization).order_by("-created_at", "-id")


def processing_job_get(*, organization: Organization, job_id: uuid.UUID | str) -> ProcessingJob:
    job = processing_job_list(organization=organization).filter(id=job_id).first()
    if job is None:
        raise NotFoundError("No processing job with that id in this organization.")
    return job


def processing_job_errors(*, job: ProcessingJob, limit: int = JOB_ERRORS_SHOWN) -> tuple[list[ProcessingJobError], int]:
    errors = ProcessingJobError.objects.filter(job=job).order_by("id")
    return list(errors[:limit]), errors.count()


class _Unnest(Func):
    function = "unnest"
    output_field = UUIDField()


def processing_job_invoice_ids(*, job: ProcessingJob, chunk_status: str | None = None) -> QuerySet[Any, Any]:
    """The ids of the job's invoices (optionally only of chunks in one status), as a subquery."""
    chunks = ProcessingJobChunk.objects.filter(job=job).order_by()
    if chunk_status is not None:
        chunks = chunks.filter(status=chunk_status)
    return chunks.annotate(invoice_id=_Unnest("invoice_ids")).values("invoice_id")


def processing_job_invoices(*, job: ProcessingJob) -> QuerySet[Invoice]:
    """The job's set of invoices (those still existing)."""
    return Invoice.objects.filter(id__in=processing_job_invoice_ids(job=job))
