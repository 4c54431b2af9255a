"""The RQ worker class (settings.RQ["WORKER_CLASS"]): it also runs the job reconciler on its own timer.

The reconciler used to be a task scheduled through RQ's scheduler, which a Redis restart or a killed
worker could stop for ten minutes or more. Now every long-running worker runs it in a thread of its
main process every JOBS_RECONCILE_INTERVAL seconds (a PostgreSQL advisory lock lets one run at a time
across machines), so recovery needs no process but the workers themselves. The thread is not in RQ's
work horse: a fork copies only the thread that forks.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from rq import Worker

logger = logging.getLogger(__name__)

REDIS_RETRY_SECONDS = 5  # at most, between a worker's attempts to reach Redis again


class JobsWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # How often the worker marks its running task alive; the reconciler counts a started task as
        # lost once that mark is JOBS_HEARTBEAT_TIMEOUT old (jobs/services/reconcile.py).
        kwargs.setdefault("job_monitoring_interval", max(1, settings.JOBS_HEARTBEAT_TIMEOUT // 3))
        super().__init__(*args, **kwargs)
        # RQ retries Redis only while it waits for a task and quits on a connection error anywhere else
        # (a Redis restart while a task runs would end the worker for good). With this, an outage pauses
        # the worker and its work horse, which go on within REDIS_RETRY_SECONDS of Redis being back.
        self.connection.set_retry(Retry(ExponentialBackoff(cap=REDIS_RETRY_SECONDS, base=0.1), retries=-1))

    def work(self, *args: Any, **kwargs: Any) -> bool:
        # Import the engine once here: every job runs in a forked work horse, which would otherwise
        # import it again (and pay for it) on every chunk.
        import invoicing.emissions.calculator  # noqa: F401

        burst = kwargs.get("burst", args[0] if args else False)  # Worker.work(burst=False, ...)
        timer = None if burst else ReconcilerTimer(interval=settings.JOBS_RECONCILE_INTERVAL)
        if timer is not None:
            timer.start()
        try:
            return super().work(*args, **kwargs)
        finally:
            if timer is not None:
                timer.stop()


class ReconcilerTimer(threading.Thread):
    """Runs the reconciler now and then every `interval` seconds until stopped.

    An outage of PostgreSQL or Redis is logged once, when it starts and when it ends; the timer keeps
    trying at every tick.
    """

    def __init__(self, *, interval: float) -> None:
        super().__init__(name="jobs-reconciler", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.outage = ""  # what is unreachable, while it is

    def run(self) -> None:
        while True:
            self.tick()
            if self.stopping.wait(self.interval):
                return

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)

    def tick(self) -> None:
        from jobs.services.reconcile import processing_jobs_reconcile

        try:
            report = processing_jobs_reconcile(wait=False)
        except DatabaseError as exc:
            self.down("PostgreSQL", exc)
        except Exception:
            logger.exception("job reconciler: unexpected error; trying again in %g s", self.interval)
        else:
            if report.redis_error:
                self.down("Redis", report.redis_error)
            else:
                self.up()
                if report:
                    logger.info("job reconciler: %s", report)
        finally:
            # A connection per run: nothing is kept open between runs, and a broken one is never reused.
            with contextlib.suppress(DatabaseError):
                connection.close()

    def down(self, what: str, error: object) -> None:
        if self.outage != what:
            logger.warning("job reconciler: %s unreachable (%s); trying every %g s", what, error, self.interval)
            self.outage = what

    def up(self) -> None:
        if self.outage:
            logger.info("job reconciler: %s reachable again", self.outage)
            self.outage = ""
