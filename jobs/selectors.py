"""Reads of processing jobs, always scoped to an organization."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Func, QuerySet, UUIDField

from invoicing.errors import NotFoundError
from invoicing.models import Invoice, Organization
from jobs.models import ProcessingJob, ProcessingJobChunk, ProcessingJobError


def processing_job_list(*, organization: Organization) -> QuerySet[ProcessingJob]:
    return ProcessingJob.objects.filter(organization=organization).order_by("-created_at", "-id")


def processing_job_get(*, organization: Organization, job_id: uuid.UUID | str) -> ProcessingJob:
    job = processing_job_list(organization=organization).filter(id=job_id).first()
    if job is None:
        raise NotFoundError("No processing job with that id in this organization.")
    return job


def processing_job_error_list(*, job: ProcessingJob, code: str | None = None) -> QuerySet[ProcessingJobError]:
    """The job's per-invoice errors (of one CalculationFailureCode if given), by code then oldest first:
    the order of the (job, code, id) index, so that any page is read from the index."""
    errors = ProcessingJobError.objects.filter(job=job)
    if code:
        errors = errors.filter(code=code)
    return errors.order_by("code", "id")


def processing_job_error_counts(*, job_ids: Iterable[uuid.UUID]) -> QuerySet[Any, Any]:
    """How many invoices failed with each code, per job: rows `{"job_id", "code", "count"}`, by job,
    then most frequent first (then by code). The one grouping of errors that the API, the admin and
    `recalculate_invoices --wait` show; callers may annotate more (an example message)."""
    return (
        ProcessingJobError.objects.filter(job_id__in=list(job_ids))
        .values("job_id", "code")
        .annotate(count=Count("id"))
        .order_by("job_id", "-count", "code")
    )


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
