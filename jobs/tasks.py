"""RQ task functions: thin wrappers that turn ids back into service calls."""

from __future__ import annotations

import logging
import math
import time
import traceback
import uuid
from datetime import UTC, datetime

from django.conf import settings

from jobs.queue import get_queue
from jobs.services.processing import processing_job_chunk_run, processing_job_record_error, processing_job_start
from jobs.services.reconcile import processing_jobs_reconcile

logger = logging.getLogger(__name__)

RECONCILE_TASK = "jobs.tasks.reconcile"


def start_job(job_id: str) -> bool:
    return processing_job_start(job_id=uuid.UUID(job_id))


def run_chunk(job_id: str, number: int) -> bool:
    try:
        return processing_job_chunk_run(job_id=uuid.UUID(job_id), number=number)
    except Exception:
        processing_job_record_error(job_id=uuid.UUID(job_id), error=traceback.format_exc(limit=3))
        raise


def reconcile() -> str:
    try:
        return str(processing_jobs_reconcile())
    finally:
        schedule_reconciler()


def schedule_reconciler() -> str:
    """Schedule the next reconciler run. Ids are per time slot, so every worker schedules the same one."""
    interval = settings.JOBS_RECONCILE_INTERVAL
    slot = math.floor(time.time() / interval + 1) * interval
    task_id = f"jobs-reconcile-{slot}"
    get_queue().enqueue_at(
        datetime.fromtimestamp(slot, tz=UTC), RECONCILE_TASK, job_id=task_id, result_ttl=interval * 10
    )
    return task_id
