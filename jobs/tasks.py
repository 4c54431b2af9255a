"""RQ task functions: thin wrappers that turn ids back into service calls."""

from __future__ import annotations

import traceback
import uuid

from jobs.services.processing import processing_job_chunk_run, processing_job_record_error, processing_job_start


def start_job(job_id: str) -> bool:
    return processing_job_start(job_id=uuid.UUID(job_id))


def run_chunk(job_id: str, number: int) -> bool:
    try:
        return processing_job_chunk_run(job_id=uuid.UUID(job_id), number=number)
    except Exception:
        processing_job_record_error(job_id=uuid.UUID(job_id), error=traceback.format_exc(limit=3))
        raise
