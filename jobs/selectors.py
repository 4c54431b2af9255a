"""Reads of processing jobs, always scoped to an organization."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from invoicing.errors import NotFoundError
from invoicing.models import Organization
from jobs.models import ProcessingJob, ProcessingJobError

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
