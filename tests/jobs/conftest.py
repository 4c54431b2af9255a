"""The pipeline tests use the shared worker fixtures of tests/conftest.py and helpers of tests/workers.py.

`run_jobs` runs jobs in the test's own process through the RQ task functions a worker calls (claim,
then each chunk), for tests about what a finished job shows rather than about workers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

import pytest

from jobs.models import ProcessingJob, ProcessingJobChunk
from jobs.tasks import run_chunk, start_job


@pytest.fixture
def run_jobs(queue: object) -> Callable[[Iterable[uuid.UUID]], list[ProcessingJob]]:
    """Call it with job ids: each is started and its chunks run, in order; returns the jobs as they end."""

    def run(job_ids: Iterable[uuid.UUID]) -> list[ProcessingJob]:
        ids = list(job_ids)
        for job_id in ids:
            start_job(str(job_id))
            for number in ProcessingJobChunk.objects.filter(job_id=job_id).values_list("number", flat=True):
                run_chunk(str(job_id), number)
        jobs = {job.id: job for job in ProcessingJob.objects.filter(id__in=ids)}
        return [jobs[job_id] for job_id in ids]

    return run
