"""The reconciler: no job is ever lost.

The database is the record, so this looks at rows, and asks Redis only whether their work is still
with RQ (waiting in the queue, or running on a worker that is still alive):
- a PENDING job that was never handed to Redis (Redis was down), or whose start task is gone, is
  dispatched again after JOBS_DISPATCH_GRACE seconds;
- a PROCESSING job without progress for JOBS_HEARTBEAT_TIMEOUT seconds gets its lost chunks dispatched
  again — those whose task is neither queued nor running on a live worker (its worker was killed, its
  task failed or was deleted, or Redis lost it). It resumes from its first unfinished chunk, since done
  chunks are never redone;
- a job dispatched JOBS_MAX_ATTEMPTS times without finishing is marked FAILED with the reason.
Every non-burst worker runs it every JOBS_RECONCILE_INTERVAL seconds (jobs/worker.py); a PostgreSQL
advisory lock lets one run at a time across all machines. Also `python manage.py reconcile_jobs`.
Also purges expired idempotency keys.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from redis.exceptions import RedisError
from rq.job import Job
from rq.job import JobStatus as RQStatus

from invoicing.text import counted
from jobs.models import ChunkStatus, JobStatus, ProcessingJob, ProcessingJobChunk
from jobs.queue import get_queue
from jobs.services.dispatch import processing_job_chunks_dispatch, processing_jobs_dispatch
from jobs.services.idempotency import idempotency_keys_purge
from jobs.services.processing import processing_job_finish_if_done

logger = logging.getLogger(__name__)

# The two keys of the session-level advisory lock (pg_advisory_lock(int, int)) a reconciler run holds.
ADVISORY_LOCK = (0x6A6F6273, 1)  # "jobs", reconciler

WAITING = {RQStatus.SCHEDULED, RQStatus.DEFERRED}  # and QUEUED while in the queue's list


@dataclass
class ReconcileReport:
    dispatched: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    redis_error: str = ""
    skipped: bool = False  # another reconciler was running (only without `wait`)

    def __bool__(self) -> bool:
        """True if the run changed something or could not reach Redis."""
        return bool(self.dispatched or self.resumed or self.completed or self.failed or self.redis_error)

    def __str__(self) -> str:
        if self.skipped:
            return "skipped: another reconciler is running"
        text = (
            f"dispatched {len(self.dispatched)}, resumed {len(self.resumed)}, "
            f"completed {len(self.completed)}, failed {len(self.failed)}"
        )
        return text + (f"; Redis unreachable: {self.redis_error}" if self.redis_error else "")


def processing_jobs_reconcile(*, wait: bool = True) -> ReconcileReport:
    """Dispatch lost work again and fail jobs out of attempts; one run at a time across all machines.

    With `wait` it waits for a run in progress elsewhere to end; without, it returns a report with
    `skipped` set. Redis being down is reported in `redis_error` (nothing is changed then); PostgreSQL
    being down raises django.db.DatabaseError.
    """
    report = ReconcileReport()
    with _exclusive(wait=wait) as acquired:
        if not acquired:
            report.skipped = True
            return report
        now = timezone.now()
        try:
            get_queue().connection.ping()  # so that an outage is one error, not one per job dispatched
            _reconcile_pending(now, report)
            _reconcile_stale(now, report)
        except RedisError as exc:
            report.redis_error = str(exc) or type(exc).__name__
        idempotency_keys_purge()
    return report


@contextmanager
def _exclusive(*, wait: bool) -> Iterator[bool]:
    """Hold the reconciler's advisory lock. It is a session lock, not a transaction's: a reconciler run
    must commit as it goes (see processing_job_chunks_dispatch). A dead process's lock goes with its
    connection."""
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", ADVISORY_LOCK)
            acquired = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", ADVISORY_LOCK)
            (acquired,) = cursor.fetchone()
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", ADVISORY_LOCK)


def _reconcile_pending(now: datetime, report: ReconcileReport) -> None:
    grace = now - timedelta(seconds=settings.JOBS_DISPATCH_GRACE)
    pending = ProcessingJob.objects.filter(status=JobStatus.PENDING).filter(
        Q(dispatched_at__isnull=True, created_at__lte=grace) | Q(dispatched_at__lte=grace)
    )
    for job in pending.only("id", "attempts", "rq_job_id", "dispatched_at"):
        if job.dispatched_at is not None and _with_rq([job.rq_job_id], now):
            continue  # still in the queue behind other work, or being started
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
        with_rq = _with_rq([task_id for _, task_id in chunks if task_id], now)
        lost = [number for number, task_id in chunks if task_id not in with_rq]
        if not lost:
            continue
        if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
            reason = (
                f"Stopped after {counted(job.attempts, 'attempt')}; {counted(len(chunks), 'chunk')} never finished."
            )
            _fail(job, reason + (f" Last error: {job.last_error}" if job.last_error else ""), report)
            continue
        attempt = job.attempts + 1
        processing_job_chunks_dispatch(job=job, numbers=lost, attempt=attempt)
        ProcessingJob.objects.filter(id=job.id).update(
            attempts=F("attempts") + 1, heartbeat_at=timezone.now(), dispatched_at=timezone.now()
        )
        logger.info("reconciler: resumed job %s from chunk %d (attempt %d)", job.id, lost[0], attempt)
        report.resumed.append(str(job.id))


def _with_rq(task_ids: list[str], now: datetime) -> set[str]:
    """The tasks that a worker will still pick up or is still running.

    A task's status alone is not enough. A worker killed between popping a task off the queue and
    marking it started leaves it "queued" in its hash but in no queue, so a queued task counts only
    while its id is really in the queue's list. A worker killed while running a task leaves it
    "started" for good, so a started task counts only while its worker's heartbeat (every third of
    JOBS_HEARTBEAT_TIMEOUT, jobs/worker.py) is recent.
    """
    if not task_ids:
        return set()
    queue = get_queue()
    in_queue = set(queue.get_job_ids())
    tasks = [task for task in Job.fetch_many(task_ids, connection=queue.connection) if task is not None]
    alive_since = now - timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT)

    def with_rq(task: Job) -> bool:
        status = task.get_status(refresh=False)
        if status == RQStatus.QUEUED:
            return task.id in in_queue
        if status == RQStatus.STARTED:
            return task.last_heartbeat is not None and task.last_heartbeat >= alive_since
        return status in WAITING

    return {task.id for task in tasks if with_rq(task)}


def _fail(job: ProcessingJob, reason: str, report: ReconcileReport) -> None:
    updated = ProcessingJob.objects.filter(id=job.id, status__in=[JobStatus.PENDING, JobStatus.PROCESSING]).update(
        status=JobStatus.FAILED, failure_reason=reason, completed_at=timezone.now()
    )
    if updated:
        logger.warning("reconciler: job %s FAILED: %s", job.id, reason)
        report.failed.append(str(job.id))
