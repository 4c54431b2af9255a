"""A job whose invoices failed turns "Completed with errors" (amber) in the job list as it finishes, live."""

from __future__ import annotations

import pytest
from django.db import connections

from jobs.models import JobStatus, ProcessingJob
from tests.browser.conftest import ARTIFACTS, admin_login, wait_for_jobs_to_end
from tests.factories import make_invoice
from tests.jobs.scenarios import bills_of_1990, mixed_heat_bills, recalculation_start
from tests.workers import WorkerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AMBER = "rgb(214, 138, 0)"  # jobs/static/jobs/progress.css
GREEN = "rgb(58, 138, 58)"


def test_failed_and_mixed_jobs_end_amber_and_a_clean_one_green(page, live_server, acme, queue) -> None:  # type: ignore[no-untyped-def]
    jobs = {
        "all failed": recalculation_start(acme, bills_of_1990(acme, 5), "electricity"),
        "mixed": recalculation_start(acme, mixed_heat_bills(acme), "stationary"),
        "clean": recalculation_start(acme, [make_invoice(acme.facility) for _ in range(2)], "energy"),
    }

    admin_login(page, live_server, "/admin/jobs/processingjob/")
    page.wait_for_selector(".job-progress")
    assert {badge.inner_text() for badge in page.query_selector_all(".job-status")} == {"Pending"}
    page.evaluate("window.__samePage = true")  # gone if the page were reloaded

    worker = WorkerProcess(burst=True)
    wait_for_jobs_to_end(page)
    assert worker.finish() == 0, worker.output()[-3000:]
    assert page.evaluate("window.__samePage") is True
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin_jobs_completed_with_errors.png"), full_page=True)

    def badge(job_id):  # type: ignore[no-untyped-def]
        element = page.query_selector(f'.job-status[data-job-id="{job_id}"]')
        return (
            element.inner_text(),
            element.get_attribute("class"),
            element.evaluate("el => getComputedStyle(el).backgroundColor"),
        )

    def bar(job_id):  # type: ignore[no-untyped-def]
        element = page.query_selector(f'.job-progress[data-job-id="{job_id}"]')
        fill = element.query_selector(".job-progress-fill").evaluate("el => getComputedStyle(el).backgroundColor")
        return element.get_attribute("data-outcome"), element.inner_text(), fill

    amber_badge = ("Completed with errors", "job-status job-status-completed_with_errors", AMBER)
    assert badge(jobs["all failed"]) == amber_badge
    assert badge(jobs["mixed"]) == amber_badge
    assert badge(jobs["clean"]) == ("Completed", "job-status job-status-completed", GREEN)
    assert bar(jobs["all failed"]) == ("completed_with_errors", "5 / 5 (100%), 5 failed", AMBER)
    assert bar(jobs["mixed"]) == ("completed_with_errors", "6 / 6 (100%), 3 failed", AMBER)
    assert bar(jobs["clean"]) == ("completed", "2 / 2 (100%)", GREEN)
    assert set(ProcessingJob.objects.values_list("status", flat=True)) == {JobStatus.COMPLETED}  # the public status

    # The job page, loaded afresh, says the same and lists the failures by code.
    page.goto(f"{live_server.url}/admin/jobs/processingjob/{jobs['mixed']}/change/")
    assert badge(jobs["mixed"]) == amber_badge
    assert [group.get_attribute("data-code") for group in page.query_selector_all(".job-error-group")] == [
        "NO_FUEL",
        "NO_FACTOR",
    ]
    page.screenshot(path=str(ARTIFACTS / "admin_job_errors_by_code.png"), full_page=True)
    connections.close_all()
