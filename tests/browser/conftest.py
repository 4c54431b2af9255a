"""Headless Debian Chromium driven by Playwright, and a real RQ worker on the test database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

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


def admin_login(page: Any, live_server: Any, next_path: str) -> None:
    """Create the superuser `browser` and log in as it, landing on `next_path`."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("browser", "browser@localhost", "browser-pass-123")
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", "browser")
    page.fill("#id_password", "browser-pass-123")
    page.click("input[type=submit]")


def wait_for_jobs_to_end(page: Any, *, complete: bool = False) -> None:
    """Until every progress bar on the page shows a final status (and, with `complete`, 100%), as the
    page's own polling updates them."""
    done = "el.getAttribute('aria-valuenow') === '100' && " if complete else ""
    page.wait_for_function(
        f"[...document.querySelectorAll('.job-progress')].every(el => {done}"
        "!['PENDING', 'PROCESSING'].includes(el.dataset.status))",
        timeout=120_000,
    )
