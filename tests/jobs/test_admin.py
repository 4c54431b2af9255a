"""The ProcessingJob admin: list with progress, JSON progress endpoint, errors, cancel and retry, scoping."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from jobs.models import JobStatus, ProcessingJob, ProcessingJobError
from jobs.selectors import processing_job_invoices
from tests.factories import make_invoice

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


def test_the_detail_lists_per_invoice_errors_linking_to_the_invoices(root, acme) -> None:
    invoice = make_invoice(acme.facility)
    job = make_job(acme, status=JobStatus.COMPLETED, items_failed=1, items_total=1)
    ProcessingJobError.objects.create(
        job=job, invoice_id=invoice.id, code="FACTOR_NOT_FOUND", message="No factor for ES 2031."
    )
    html = root.get(reverse("admin:jobs_processingjob_change", args=[job.id])).content.decode()
    assert reverse("admin:invoicing_invoice_change", args=[invoice.id]) in html
    assert "FACTOR_NOT_FOUND" in html
    assert "No factor for ES 2031." in html


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
    ProcessingJobError.objects.create(job=job, invoice_id=failed.id, code="FACTOR_NOT_FOUND", message="missing")
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
