"""Staff recalculate invoices from the admin and watch the job's progress bar fill without a reload."""

from __future__ import annotations

import pytest
from django.db import connections

from jobs.models import ProcessingJob
from tests.browser.conftest import ARTIFACTS, admin_login, wait_for_jobs_to_end
from tests.factories import make_invoice
from tests.workers import WorkerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_bulk_recalculation_shows_live_progress_until_complete(page, live_server, acme, queue, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JOBS_CHUNK_SIZE = 4  # several chunks, so the bar moves in steps
    for _ in range(12):
        make_invoice(acme.facility)

    admin_login(page, live_server, "/admin/invoicing/invoice/")
    page.wait_for_selector("#result_list")

    page.check("#action-toggle")
    page.select_option("select[name=action]", "recalculate_emissions")
    page.click("button[name=index]")
    assert page.inner_text("[data-testid=selected-count]") == "12"
    for box in page.query_selector_all("input[name=activity_categories]"):
        if box.get_attribute("value") not in {"electricity", "energy"}:
            box.uncheck()
    page.click("input[type=submit].default")

    page.wait_for_selector(".job-progress")
    assert "/admin/jobs/processingjob/" in page.url
    bars = page.query_selector_all(".job-progress")
    assert len(bars) == 2
    assert all(bar.get_attribute("aria-valuenow") == "0" for bar in bars)
    page.evaluate("window.__samePage = true")  # gone if the page were reloaded

    worker = WorkerProcess(burst=True)
    wait_for_jobs_to_end(page, complete=True)
    assert worker.finish() == 0, worker.output()[-3000:]

    assert page.evaluate("window.__samePage") is True
    texts = [bar.inner_text() for bar in page.query_selector_all(".job-progress-text")]
    assert texts == ["12 / 12 (100%)", "12 / 12 (100%)"]
    assert set(ProcessingJob.objects.values_list("items_total", flat=True)) == {12}
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin_job_list.png"), full_page=True)
    # ORM calls made while Playwright runs use a connection of their own context: close it, or it
    # would keep the test database from being dropped.
    connections.close_all()
