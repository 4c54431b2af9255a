"""The reconciler's rules that the fault scenarios (test_recovery.py) do not isolate: one run at a time,
a running task is left alone while its worker is alive, and it never runs in a work horse."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from rq.job import Job
from rq.job import JobStatus as RQStatus

from jobs.models import JobStatus, ProcessingJob
from jobs.queue import get_queue
from jobs.services.reconcile import ADVISORY_LOCK, processing_jobs_reconcile
from tests.jobs.test_pipeline import iberdrola_invoices, start_electricity
from tests.workers import wait_until, worker_env

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_reconciler_skips_its_run_while_another_one_runs(queue) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(worker_env()["DATABASE_URL"]) as elsewhere:
        elsewhere.execute("SELECT pg_advisory_lock(%s, %s)", ADVISORY_LOCK)
        assert processing_jobs_reconcile(wait=False).skipped
        elsewhere.execute("SELECT pg_advisory_unlock(%s, %s)", ADVISORY_LOCK)
        assert not processing_jobs_reconcile(wait=False).skipped


def test_the_command_waits_for_a_run_in_progress_and_then_runs(queue, capsys) -> None:  # type: ignore[no-untyped-def]
    elsewhere = psycopg.connect(worker_env()["DATABASE_URL"], autocommit=True)
    elsewhere.execute("SELECT pg_advisory_lock(%s, %s)", ADVISORY_LOCK)
    release = threading.Timer(1.0, elsewhere.close)
    release.start()
    started = time.monotonic()
    call_command("reconcile_jobs")
    assert time.monotonic() - started >= 0.9
    assert capsys.readouterr().out.startswith("dispatched 0, resumed 0")
    release.join()


@pytest.mark.slow
def test_a_chunk_still_running_on_a_live_worker_is_not_dispatched_again(  # type: ignore[no-untyped-def]
    acme, start_worker, monkeypatch
):
    timeout = 2
    monkeypatch.setenv("JOBS_HEARTBEAT_TIMEOUT", str(timeout))  # the worker marks its task alive every second
    invoices = iberdrola_invoices(acme, 2)
    ids = [str(invoice.id) for invoice in invoices]
    # Another transaction holds the invoices, so the chunk waits for it as long as the test wants.
    with psycopg.connect(worker_env()["DATABASE_URL"]) as other, other.transaction():
        other.execute("SELECT id FROM invoicing_invoice WHERE id = ANY(%s::uuid[]) FOR UPDATE", [ids])
        job = ProcessingJob.objects.get(id=start_electricity(acme, invoices, "api").processing_job_ids[0])
        start_worker()
        wait_until(lambda: _task_status(job.chunks.get().rq_job_id) == RQStatus.STARTED, what="the chunk to start")
        time.sleep(3 * timeout)  # no progress all that time
        with override_settings(JOBS_HEARTBEAT_TIMEOUT=timeout), connection.cursor() as cursor:
            # Dispatching the chunk again would wait for the running one's lock: fail instead of hanging.
            cursor.execute("SET lock_timeout = '10s'")
            report = processing_jobs_reconcile()
            cursor.execute("RESET lock_timeout")
        assert (report.resumed, report.failed) == ([], [])
    wait_until(lambda: ProcessingJob.objects.get(id=job.id).status == JobStatus.COMPLETED, what="COMPLETED")
    job.refresh_from_db()
    assert (job.attempts, job.items_success) == (1, 2)


def _task_status(task_id: str) -> str | None:
    if not task_id:
        return None
    task = Job.fetch_many([task_id], connection=get_queue().connection)[0]
    return None if task is None else task.get_status()


@pytest.mark.slow
def test_the_reconciler_thread_stays_out_of_the_work_horse(worker, queue) -> None:  # type: ignore[no-untyped-def]
    from rq import Queue

    # In the worker's process there are at least RQ's pubsub thread and the reconciler; a forked work horse
    # has only the thread that forked it.
    task = Queue(queue.name, connection=queue.connection).enqueue("threading.active_count")
    wait_until(lambda: task.get_status() == RQStatus.FINISHED, what="the task")
    assert task.return_value() == 1
