"""The ProcessingJob admin: list with progress, JSON progress endpoint, errors, cancel and retry, scoping."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

import jobs.admin as jobs_admin
from jobs.models import JobStatus, ProcessingJob, ProcessingJobError
from jobs.selectors import processing_job_invoices
from tests.factories import make_invoice
from tests.jobs.scenarios import all_failing_job, mixed_job

CHANGELIST = reverse("admin:jobs_processingjob_changelist")
PROGRESS = reverse("admin:jobs_processingjob_progress")


def make_job(tenant, **fields):  # type: ignore[no-untyped-def]
    values = {"activity_category": "electricity", "trigger": "admin", "items_total": 4}
    values.update(fields)
    return ProcessingJob.objects.create(organization=tenant.organization, **values)


@pytest.fixture
def root(client, superuser):  # type: ignore[no-untyped-def]
    client.force_login(superuser)
    return client


def test_the_list_shows_status_progress_counts_and_a_link_to_the_rq_dashboard(root, acme, superuser) -> None:
    job = make_job(
        acme,
        status=JobStatus.PROCESSING,
        items_success=2,
        items_failed=1,
        triggered_by=superuser,
        started_at=timezone.now(),
    )
    html = root.get(CHANGELIST).content.decode()
    assert f'class="job-progress" data-job-id="{job.id}" data-status="PROCESSING"' in html
    assert "3 / 4 (75%)" in html
    assert "job-status-processing" in html
    assert "Admin (root)" in html
    assert reverse("django_rq:home") in html
    assert "jobs/progress.js" in html


def test_the_list_can_be_filtered_to_given_jobs(root, acme) -> None:
    wanted, other = make_job(acme), make_job(acme)
    html = root.get(f"{CHANGELIST}?id__in={wanted.id}").content.decode()
    assert str(wanted.id) in html
    assert str(other.id) not in html


def test_the_progress_endpoint_reports_counts_and_percent(root, acme) -> None:
    job = make_job(acme, status=JobStatus.PROCESSING, items_success=1, items_failed=1)
    (reported,) = root.get(PROGRESS, {"ids": str(job.id)}).json()["jobs"]
    assert reported["id"] == str(job.id)
    assert reported["status"] == "PROCESSING"
    assert (reported["items_done"], reported["items_total"], reported["percent"]) == (2, 4, 50)


def test_the_progress_endpoint_rejects_malformed_ids_with_a_code(root) -> None:
    response = root.get(PROGRESS, {"ids": "not-a-uuid"})
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_members_see_only_their_organizations_jobs_in_the_list_and_the_endpoint(
    client, staff_user, acme, borealis
) -> None:
    mine, theirs = make_job(acme), make_job(borealis)
    client.force_login(staff_user)
    html = client.get(CHANGELIST).content.decode()
    assert str(mine.id) in html
    assert str(theirs.id) not in html
    data = client.get(PROGRESS, {"ids": f"{mine.id},{theirs.id}"}).json()
    assert [job["id"] for job in data["jobs"]] == [str(mine.id)]
    assert client.get(reverse("admin:jobs_processingjob_change", args=[theirs.id])).status_code == 302


def test_a_completed_job_with_failed_invoices_is_completed_with_errors_in_the_list_the_page_and_the_endpoint(
    root, acme, run_jobs
) -> None:
    failing, mixed = all_failing_job(acme, run_jobs), mixed_job(acme, run_jobs)
    clean = make_job(acme, status=JobStatus.COMPLETED, items_success=4)

    listing = root.get(CHANGELIST).content.decode()
    for job in (failing, mixed):
        assert job.status == JobStatus.COMPLETED  # the public status is unchanged
        assert (
            f'<span class="job-status job-status-completed_with_errors" data-job-id="{job.id}" '
            'data-field="outcome_label">Completed with errors</span>'
        ) in listing
        assert f'data-job-id="{job.id}" data-status="COMPLETED" data-outcome="completed_with_errors"' in listing
    assert f'<span class="job-status job-status-completed" data-job-id="{clean.id}"' in listing
    assert "5 / 5 (100%), 5 failed" in listing
    assert "6 / 6 (100%), 3 failed" in listing

    page = root.get(reverse("admin:jobs_processingjob_change", args=[mixed.id])).content.decode()
    assert "job-status-completed_with_errors" in page
    assert "Completed with errors" in page

    reported = {job["id"]: job for job in root.get(PROGRESS, {"ids": f"{failing.id},{clean.id}"}).json()["jobs"]}
    assert (reported[str(failing.id)]["outcome"], reported[str(failing.id)]["outcome_label"]) == (
        "completed_with_errors",
        "Completed with errors",
    )
    assert reported[str(clean.id)]["outcome"] == "completed"


def test_the_job_page_groups_failed_invoices_by_code_with_counts_and_links_to_the_invoices(
    root, acme, run_jobs
) -> None:
    job = mixed_job(acme, run_jobs)
    errors = {error.code: error for error in ProcessingJobError.objects.filter(job=job)}

    page = root.get(reverse("admin:jobs_processingjob_change", args=[job.id])).content.decode()

    no_fuel, no_factor = page.index('id="errors-NO_FUEL"'), page.index('id="errors-NO_FACTOR"')
    assert no_fuel < no_factor  # most frequent first
    assert "A heat invoice without a facility fuel" in page
    assert '<span class="job-error-count">2 invoices</span>' in page
    assert '<span class="job-error-count">1 invoice</span>' in page
    for error in errors.values():
        assert reverse("admin:invoicing_invoice_change", args=[error.invoice_id]) in page
        assert error.message in page
    assert "not shown" not in page


def test_each_group_of_failed_invoices_is_paged(root, acme, run_jobs, monkeypatch) -> None:
    monkeypatch.setattr(jobs_admin, "ERRORS_PER_PAGE", 2)
    job = all_failing_job(acme, run_jobs, count=5)
    url = reverse("admin:jobs_processingjob_change", args=[job.id])
    ordered = [str(error.invoice_id) for error in ProcessingJobError.objects.filter(job=job).order_by("id")]

    seen = []
    query = ""
    for number in (1, 2, 3):
        page = root.get(url + query).content.decode()
        assert f"page {number} of 3" in page
        seen += [invoice_id for invoice_id in ordered if f">{invoice_id}</a>" in page]
        next_link = re.search(r'<a href="(\?[^"]*)" rel="next">', page)
        if number < 3:
            assert next_link is not None
            query = html.unescape(next_link.group(1))
            assert "errors=NO_FACTOR" in query
        else:
            assert next_link is None
            assert 'rel="prev"' in page
    assert seen == ordered  # every invoice once, in order


def test_a_job_without_failures_says_so(root, acme) -> None:
    job = make_job(acme, status=JobStatus.COMPLETED, items_success=4)
    page = root.get(reverse("admin:jobs_processingjob_change", args=[job.id])).content.decode()
    assert '<p class="job-errors-none">None.</p>' in page


def test_jobs_show_category_labels_in_the_list_the_filters_and_the_page_title(root, acme) -> None:
    job = make_job(acme, activity_category="electricity_transmission_and_distribution", items_total=5)
    label = "Electricity: T&amp;D losses (Scope 3 cat. 3c)"

    listing = root.get(CHANGELIST).content.decode()
    page = root.get(reverse("admin:jobs_processingjob_change", args=[job.id])).content.decode()

    assert f'<td class="field-activity_category">{label}</td>' in listing
    assert f'<a href="?activity_category__exact=electricity_transmission_and_distribution">{label}</a>' in listing
    assert f"<title>{label}: 5 invoices (Pending) |" in page
    assert f'<li aria-current="page">{label}: 5 invoices (Pending)</li>' in page
    assert f'<div class="readonly">{label}</div>' in page
    assert "electricity_transmission_and_distribution" not in page


def test_cancel_stops_a_pending_job_and_says_so(root, acme) -> None:
    job = make_job(acme)
    root.post(CHANGELIST, {"action": "cancel_jobs", "index": "0", ACTION_CHECKBOX_NAME: [str(job.id)]})
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert "root" in job.failure_reason


def test_cancelling_a_finished_job_is_refused_with_a_code(root, acme) -> None:
    job = make_job(acme, status=JobStatus.COMPLETED)
    response = root.post(
        CHANGELIST, {"action": "cancel_jobs", "index": "0", ACTION_CHECKBOX_NAME: [str(job.id)]}, follow=True
    )
    assert "JOB_NOT_CANCELLABLE" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED


def test_retry_failed_starts_a_new_job_over_the_failed_invoices(root, acme) -> None:
    failed, fine = make_invoice(acme.facility), make_invoice(acme.facility)
    job = make_job(acme, status=JobStatus.COMPLETED, items_total=2, items_success=1, items_failed=1)
    ProcessingJobError.objects.create(job=job, invoice_id=failed.id, code="NO_FACTOR", message="missing")
    response = root.post(CHANGELIST, {"action": "retry_failed", "index": "0", ACTION_CHECKBOX_NAME: [str(job.id)]})
    retry = ProcessingJob.objects.exclude(id=job.id).get()
    assert retry.items_total == 1
    assert retry.trigger == "admin"
    assert list(processing_job_invoices(job=retry)) == [failed]
    assert fine not in processing_job_invoices(job=retry)
    assert response["Location"].endswith(f"?id__in={retry.id}")


def test_searching_jobs_by_a_non_uuid_does_not_fail(root, acme) -> None:
    job = make_job(acme)
    assert root.get(CHANGELIST, {"q": "not a uuid"}).status_code == 200
    assert str(job.id) in root.get(CHANGELIST, {"q": str(job.id)}).content.decode()


def test_membership_staff_get_no_link_to_the_rq_dashboard(client, staff_user, acme) -> None:
    job = make_job(acme, status=JobStatus.COMPLETED)
    client.force_login(staff_user)

    listing = client.get(CHANGELIST).content.decode()
    detail = client.get(reverse("admin:jobs_processingjob_change", args=[job.id])).content.decode()

    assert reverse("django_rq:home") not in listing
    assert reverse("django_rq:home") not in detail
    assert client.get(reverse("django_rq:home")).status_code == 403


def test_the_recalculate_page_offers_the_categories_by_their_labels(root, acme) -> None:
    invoices = [make_invoice(acme.facility) for _ in range(2)]
    page = root.post(
        reverse("admin:invoicing_invoice_changelist"),
        {"action": "recalculate_emissions", "index": "0", ACTION_CHECKBOX_NAME: [str(i.pk) for i in invoices]},
    ).content.decode()
    checkbox = re.search(r'value="electricity_transmission_and_distribution"[^>]*>\s*([^<]+)</label>', page)
    assert checkbox is not None
    assert html.unescape(checkbox.group(1)).strip() == "Electricity: T&D losses (Scope 3 cat. 3c)"
