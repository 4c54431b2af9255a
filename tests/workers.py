"""Real RQ workers for tests: `manage.py rqworker` subprocesses on our Redis and pytest-django's test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def worker_env() -> dict[str, str]:
    """The worker's environment: the same Redis, and the *test* database pytest-django created."""
    url = urlsplit(settings.DATABASE_URL)
    database_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL, "DEBUG": "0"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def rqworker_command(*, burst: bool = False) -> list[str]:
    return [sys.executable, "manage.py", "rqworker", settings.JOBS_QUEUE, *(["--burst"] if burst else [])]


def drain_queue() -> None:
    """Run a real `rqworker --burst` until the queue is empty (start tasks fan out into chunk tasks)."""
    result = subprocess.run(
        rqworker_command(burst=True), cwd=ROOT, env=worker_env(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]


class WorkerProcess:
    """A worker in its own process group, so that SIGKILL also takes its work horse."""

    def __init__(self, *, burst: bool = False) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix="rqworker-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            rqworker_command(burst=burst),
            cwd=ROOT,
            env=worker_env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def finish(self, timeout: float = 300) -> int:
        """Wait for a burst worker to drain the queue and exit; returns its exit code."""
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def wait_until(condition: Callable[[], bool], *, timeout: float = 120, what: str = "condition") -> None:
    """Poll for a state reached by another process (not a timing assertion: the limit only stops a hang)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            from jobs.models import ProcessingJob

            state = list(ProcessingJob.objects.values_list("status", "items_success", "items_failed", "last_error"))
            raise AssertionError(f"gave up waiting for {what}: {state}")
        time.sleep(0.05)
