"""The RQ worker class (settings.RQ["WORKER_CLASS"]): it schedules the job reconciler when it starts.

The reconciler then reschedules itself every JOBS_RECONCILE_INTERVAL seconds; the scheduled runs are
enqueued by a worker started with `--with-scheduler` (as `make run` does).
"""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from rq import Worker

logger = logging.getLogger(__name__)


class JobsWorker(Worker):
    def work(self, *args: Any, **kwargs: Any) -> bool:
        # Import the tasks and the engine once here: every job runs in a forked work horse, which would
        # otherwise import them again (and pay for it) on every chunk.
        import invoicing.emissions.calculator  # noqa: F401
        from jobs.tasks import schedule_reconciler

        try:
            schedule_reconciler()
        except RedisError as exc:  # the worker itself will report Redis problems
            logger.warning("could not schedule the job reconciler: %s", exc)
        return super().work(*args, **kwargs)
