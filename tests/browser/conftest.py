"""Headless Debian Chromium driven by Playwright, and a real RQ worker on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django_rq
import pytest
from django.conf import settings
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make browser` (make test does).")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server's request threads close their connection after each request instead of keeping it
    # (CONN_MAX_AGE), so that no idle session is left to block dropping the test database.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1600, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


class BurstWorker:
    """`rqworker --burst` as a subprocess on our Redis database and pytest-django's test database."""

    def __init__(self) -> None:
        url = urlsplit(settings.DATABASE_URL)
        database_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL, "DEBUG": "0"}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "rqworker", settings.JOBS_QUEUE, "--burst"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def finish(self) -> str:
        output, _ = self.process.communicate(timeout=300)
        return output


@pytest.fixture
def rq_queue() -> Iterator[object]:
    """Our own Redis database (REDIS_URL), emptied before and after."""
    queue = django_rq.get_queue(settings.JOBS_QUEUE)
    queue.connection.flushdb()
    yield queue
    queue.connection.flushdb()
