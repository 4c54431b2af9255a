"""The reconciler: no job is ever lost.

The database is the record, so this looks at rows, and asks Redis only whether their work is still
waiting in the queue:
- a PENDING job that was never handed to Redis (Redis was down), or whose start task is gone, is
  dispatched again after JOBS_DISPATCH_GRACE seconds;
- a PROCESSING job whose heartbeat is older than JOBS_HEARTBEAT_TIMEOUT (its worker died, or a chunk
  kept failing) gets its pending chunks dispatched again — it resumes from its first unfinished chunk,
  since done chunks are never redone; a chunk task still queued in Redis is left alone;
- a job dispatched JOBS_MAX_ATTEMPTS times without finishing is marked FAILED with the reason.
Runs every JOBS_RECONCILE_INTERVAL seconds in the worker's scheduler (jobs/worker.py) and as
`python manage.py reconcile_jobs`. Also purges expired idempotency keys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from redis.exceptions import RedisError
from rq.job import Job
from rq.job import JobStatus as RQStatus

from jobs.models import ChunkStatus, JobStatus, ProcessingJob, ProcessingJobChunk
from jobs.queue import get_queue
from jobs.services.dispatch import processing_job_chunks_dispatch, processing_jobs_dispatch
from jobs.services.idempotency import idempotency_keys_purge
from jobs.services.processing import processing_job_finish_if_done

logger = logging.getLogger(__name__)

WAITING = {RQStatus.SCHEDULED, RQStatus.DEFERRED}  # and QUEUED while in the queue's list


@dataclass
class ReconcileReport:
    dispatched: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    redis_error: str = ""

    def __str__(self) -> str:
        text = (
            f"dispatched {len(self.dispatched)}, resumed {len(self.resumed)}, "
            f"completed {len(self.completed)}, failed {len(self.failed)}"
        )
        return text + (f"; Redis unreachable: {self.redis_error}" if self.redis_error else "")


def processing_jobs_reconcile() -> ReconcileReport:
    report = ReconcileReport()
    now = timezone.now()
    try:
        _reconcile_pending(now, report)
        _reconcile_stale(now, report)
    except RedisError as exc:
        logger.warning("reconciler: Redis unreachable, will try again: %s", exc)
        report.redis_error = str(exc)
    idempotency_keys_purge()
    return report


def _reconcile_pending(now: datetime, report: ReconcileReport) -> None:
    grace = now - timedelta(seconds=settings.JOBS_DISPATCH_GRACE)
    pending = ProcessingJob.objects.filter(status=JobStatus.PENDING).filter(
        Q(dispatched_at__isnull=True, created_at__lte=grace) | Q(dispatched_at__lte=grace)
    )
    for job in pending.only("id", "attempts", "rq_job_id", "dispatched_at"):
        if job.dispatched_at is not None and _waiting_in_queue([job.rq_job_id]):
            continue  # still in the queue behind other work
        if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
            _fail(job, f"The job never started after {job.attempts} dispatches.", report)
            continue
        if processing_jobs_dispatch(job_ids=[job.id]):
            report.dispatched.append(str(job.id))
        else:
            raise RedisError("could not dispatch")


def _reconcile_stale(now: datetime, report: ReconcileReport) -> None:
    stale = now - timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT)
    jobs = ProcessingJob.objects.filter(status=JobStatus.PROCESSING).filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lte=stale)
    )
    for job in jobs:
        chunks = list(
            ProcessingJobChunk.objects.filter(job=job, status=ChunkStatus.PENDING)
            .order_by("number")
            .values_list("number", "rq_job_id")
        )
        if not chunks:
            if processing_job_finish_if_done(job_id=job.id):
                report.completed.append(str(job.id))
            continue
        waiting = _waiting_in_queue([task_id for _, task_id in chunks if task_id])
        lost = [number for number, task_id in chunks if task_id not in waiting]
        if not lost:
            continue
        if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
            reason = f"Stopped after {job.attempts} attempts; {len(chunks)} chunk(s) never finished."
            _fail(job, reason + (f" Last error: {job.last_error}" if job.last_error else ""), report)
            continue
        attempt = job.attempts + 1
        processing_job_chunks_dispatch(job=job, numbers=lost, attempt=attempt)
        ProcessingJob.objects.filter(id=job.id).update(
            attempts=F("attempts") + 1, heartbeat_at=timezone.now(), dispatched_at=timezone.now()
        )
        logger.info("reconciler: resumed job %s from chunk %d (attempt %d)", job.id, lost[0], attempt)
        report.resumed.append(str(job.id))


def _waiting_in_queue(task_ids: list[str]) -> set[str]:
    """The tasks that some worker will still pick up.

    A task's status alone is not enough: a worker killed between popping a task off the queue and
    marking it started leaves it "queued" in its hash but in no queue, so a queued task counts only
    while its id is really in the queue's list.
    """
    if not task_ids:
        return set()
    queue = get_queue()
    in_queue = set(queue.get_job_ids())
    tasks = [task for task in Job.fetch_many(task_ids, connection=queue.connection) if task is not None]

    def waiting(task: Job) -> bool:
        status = task.get_status(refresh=False)
        return task.id in in_queue if status == RQStatus.QUEUED else status in WAITING

    return {task.id for task in tasks if waiting(task)}


def _fail(job: ProcessingJob, reason: str, report: ReconcileReport) -> None:
    updated = ProcessingJob.objects.filter(id=job.id, status__in=[JobStatus.PENDING, JobStatus.PROCESSING]).update(
        status=JobStatus.FAILED, failure_reason=reason, completed_at=timezone.now()
    )
    if updated:
        logger.warning("reconciler: job %s FAILED: %s", job.id, reason)
        report.failed.append(str(job.id))
