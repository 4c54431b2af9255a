"""Hand work to RQ. Only ids travel; the RQ job ids are ours and stored on the rows.

Every function here tolerates Redis being down: the row stays as it was and the reconciler
(jobs/services/reconcile.py) tries again later.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from redis.exceptions import RedisError
from rq import Queue

from invoicing.text import counted
from jobs.models import ChunkStatus, JobStatus, ProcessingJob, ProcessingJobChunk
from jobs.queue import chunk_task_id, get_queue, start_task_id

logger = logging.getLogger(__name__)

START_TASK = "jobs.tasks.start_job"
CHUNK_TASK = "jobs.tasks.run_chunk"


def processing_jobs_dispatch(*, job_ids: Sequence[uuid.UUID]) -> int:
    """Enqueue the start task of each PENDING job; returns how many were handed to Redis."""
    jobs = list(ProcessingJob.objects.filter(id__in=job_ids, status=JobStatus.PENDING).only("id", "attempts"))
    if not jobs:
        return 0
    try:
        queue = get_queue()
        with queue.connection.pipeline() as pipe:
            for job in jobs:
                task_id = start_task_id(job.id, job.attempts + 1)
                queue.enqueue_call(START_TASK, args=(str(job.id),), job_id=task_id, pipeline=pipe)
            pipe.execute()
    except RedisError as exc:
        logger.warning("Redis unreachable; %s stay PENDING for the reconciler: %s", counted(len(jobs), "job"), exc)
        return 0
    now = timezone.now()
    for job in jobs:
        ProcessingJob.objects.filter(id=job.id, attempts=job.attempts).update(
            rq_job_id=start_task_id(job.id, job.attempts + 1),
            dispatched_at=now,
            attempts=F("attempts") + 1,
        )
    return len(jobs)


def processing_job_chunks_dispatch(*, job: ProcessingJob, numbers: Sequence[int], attempt: int) -> int:
    """Enqueue one task per chunk (so several workers share a job) and record their ids on the chunks."""
    if not numbers:
        return 0
    # Record the task ids first: a chunk task that started while this UPDATE still held the chunk rows
    # would skip its (locked) chunk.
    ProcessingJobChunk.objects.filter(job=job, number__in=numbers, status=ChunkStatus.PENDING).update(
        rq_job_id=Concat(Value(f"pj-{job.id}-c"), Cast("number", CharField()), Value(f"-a{attempt}"))
    )
    _enqueue_chunks(get_queue(), job.id, numbers, attempt)
    return len(numbers)


def _enqueue_chunks(queue: Queue, job_id: uuid.UUID, numbers: Sequence[int], attempt: int) -> None:
    batch = 500
    for start in range(0, len(numbers), batch):
        data = [
            Queue.prepare_data(CHUNK_TASK, args=(str(job_id), number), job_id=chunk_task_id(job_id, number, attempt))
            for number in numbers[start : start + batch]
        ]
        queue.enqueue_many(data)
