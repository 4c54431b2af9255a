"""Real RQ workers for the pipeline tests: subprocesses on our Redis database and the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django_rq
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def worker_env() -> dict[str, str]:
    """The worker's environment: the same Redis, and the *test* database pytest-django created."""
    url = urlsplit(settings.DATABASE_URL)
    database_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    return {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL, "DEBUG": "0"}


@pytest.fixture
def queue() -> Iterator[object]:
    """Our own Redis database, emptied before each test."""
    q = django_rq.get_queue(settings.JOBS_QUEUE)
    q.connection.flushdb()
    yield q
    q.connection.flushdb()


@pytest.fixture
def drain_queue(queue: object) -> Callable[[], None]:
    """Run a real `rqworker --burst` until the queue is empty (start tasks fan out into chunk tasks)."""

    def drain() -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", "rqworker", settings.JOBS_QUEUE, "--burst"],
            cwd=ROOT,
            env=worker_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]

    return drain


class WorkerProcess:
    """A long-running worker in its own process group, so that SIGKILL also takes its work horse."""

    def __init__(self) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix="rqworker-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "rqworker", settings.JOBS_QUEUE],
            cwd=ROOT,
            env=worker_env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def start_worker(queue: object) -> Iterator[Callable[[], WorkerProcess]]:
    workers: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        workers.append(WorkerProcess())
        return workers[-1]

    yield start
    for worker in workers:
        worker.kill()


def wait_until(condition: Callable[[], bool], *, timeout: float = 120, what: str = "condition") -> None:
    """Poll for a state reached by another process (not a timing assertion: the limit only stops a hang)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            from jobs.models import ProcessingJob

            state = list(ProcessingJob.objects.values_list("status", "items_success", "items_failed", "last_error"))
            raise AssertionError(f"gave up waiting for {what}: {state}")
        time.sleep(0.05)
