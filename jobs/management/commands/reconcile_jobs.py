"""`python manage.py reconcile_jobs`: dispatch lost or stalled recalculation jobs again.

Every worker already does this on its own timer (jobs/worker.py); the command is for operators.
"""

from __future__ import annotations

from typing import Any

from invoicing.management.base import DomainCommand
from jobs.services.reconcile import processing_jobs_reconcile


class Command(DomainCommand):
    help = (
        "Re-dispatch PENDING jobs that never reached a worker and PROCESSING jobs whose worker stopped, "
        "and mark jobs FAILED after their last attempt. Workers do this every JOBS_RECONCILE_INTERVAL "
        "seconds; if one is doing it now, this waits for it to finish first.\nExample: manage.py reconcile_jobs"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = processing_jobs_reconcile(wait=True)
        self.stdout.write(str(report))
        if report.redis_error:
            self.stderr.write("Redis is unreachable; run again once it is back.")
