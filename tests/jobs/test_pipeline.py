"""The job pipeline end to end: HTTP request → PostgreSQL rows → Redis → a real `rqworker` subprocess."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from invoicing.models import InvoiceEmission
from invoicing.services.recalculation import invoice_recalculation_start
from jobs.models import ChunkStatus, JobStatus, ProcessingJob, ProcessingJobError
from jobs.services.control import processing_job_cancel, processing_job_retry_failed
from jobs.services.processing import processing_job_chunk_run
from tests.factories import make_invoice, supplier
from tests.workers import wait_until

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]
URL = "/v1/invoices/recalculate"


def iberdrola_invoices(tenant, count, **overrides):  # type: ignore[no-untyped-def]
    """Electricity bills of 1,500 kWh in 2024 on the Iberdrola contract (MITECO v31: 0.275 kg/kWh)."""
    fields = {"supplier": supplier("iberdrola-clientes"), "supply_contract": tenant.contract, **overrides}
    return [
        make_invoice(tenant.facility, start_date=date(2024, 1, 1 + i % 28), end_date=date(2024, 1, 28), **fields)
        for i in range(count)
    ]


def recalculate(client, tenant, invoices, categories):  # type: ignore[no-untyped-def]
    body = {"invoice_ids": [str(i.id) for i in invoices], "activity_categories": categories}
    response = client.post(URL, json.dumps(body), content_type="application/json", **tenant.headers)
    assert response.status_code == 202, response.content
    return response.json()


def start_electricity(tenant, invoices, trigger):  # type: ignore[no-untyped-def]
    """The electricity recalculation of `invoices`, started through the shared service."""
    return invoice_recalculation_start(
        organization=tenant.organization,
        invoices=[i.id for i in invoices],
        activity_categories=["electricity"],
        trigger=trigger,
    )


def emissions(invoices, category="electricity"):  # type: ignore[no-untyped-def]
    rows = InvoiceEmission.objects.filter(invoice__in=invoices, category=category)
    return {row.invoice_id: (row.kg_co2e, row.factor_value, row.quantity) for row in rows}


def test_the_documented_example_runs_end_to_end(client, acme, drain_queue):
    invoices = iberdrola_invoices(acme, 2)
    body = recalculate(client, acme, invoices, ["electricity", "energy"])
    drain_queue()
    jobs = {job.activity_category: job for job in ProcessingJob.objects.filter(id__in=body["processing_job_ids"])}
    for job in jobs.values():
        assert (job.status, job.items_total, job.items_success, job.items_failed) == (JobStatus.COMPLETED, 2, 2, 0)
        assert job.percent_done == 100
        assert job.started_at is not None
        assert job.completed_at is not None
    assert {row[0] for row in emissions(invoices).values()} == {Decimal("412.5")}  # 1,500 kWh x 0.275
    energy = InvoiceEmission.objects.filter(invoice__in=invoices, category="energy")
    assert set(energy.values_list("kwh", "kg_co2e")) == {(Decimal("1500"), None)}  # kWh in its own column
    assert jobs["electricity"].category_total_before == 0
    assert jobs["electricity"].category_total_after == Decimal("825")
    detail = client.get(f"/v1/processing-jobs/{jobs['electricity'].id}", **acme.headers).json()
    assert (detail["status"], detail["percent_done"], detail["category_total_after"]) == ("COMPLETED", 100, 825.0)
    assert detail["category_total_unit"] == "kg_co2e"
    for invoice in invoices:
        invoice.refresh_from_db()
        assert (invoice.status, invoice.co2e) == ("active", Decimal("412.5"))


def test_an_invoice_that_cannot_be_calculated_is_recorded_and_the_job_still_completes(client, acme, drain_queue):
    good = iberdrola_invoices(acme, 1)
    bad = make_invoice(acme.facility, start_date=date(1990, 1, 1), end_date=date(1990, 1, 31))  # no factor that old
    body = recalculate(client, acme, [*good, bad], ["electricity"])
    drain_queue()
    job = ProcessingJob.objects.get(id=body["processing_job_ids"][0])
    assert (job.status, job.items_success, job.items_failed) == (JobStatus.COMPLETED, 1, 1)
    error = ProcessingJobError.objects.get(job=job)
    assert error.invoice_id == bad.id
    assert error.message
    detail = client.get(f"/v1/processing-jobs/{job.id}", **acme.headers).json()
    assert {code: group["count"] for code, group in detail["errors_by_code"].items()} == {"NO_FACTOR": 1}
    listed = client.get(f"/v1/processing-jobs/{job.id}/errors", **acme.headers).json()["items"]
    assert [(item["invoice_id"], item["message"]) for item in listed] == [(str(bad.id), error.message)]


def test_with_redis_down_the_request_succeeds_and_the_reconciler_completes_the_jobs(client, acme, queue, drain_queue):
    invoices = iberdrola_invoices(acme, 3)
    closed_port = {"default": {"URL": "redis://127.0.0.1:1/5"}}
    with override_settings(RQ_QUEUES=closed_port):
        body = recalculate(client, acme, invoices, ["electricity"])
    job = ProcessingJob.objects.get(id=body["processing_job_ids"][0])
    assert (job.status, job.dispatched_at, job.attempts) == (JobStatus.PENDING, None, 0)
    with override_settings(RQ_QUEUES=closed_port, JOBS_DISPATCH_GRACE=0):
        call_command("reconcile_jobs")  # Redis still down: nothing lost, nothing changed
    assert ProcessingJob.objects.get(id=job.id).status == JobStatus.PENDING
    with override_settings(JOBS_DISPATCH_GRACE=0):
        call_command("reconcile_jobs")
    drain_queue()
    job.refresh_from_db()
    assert (job.status, job.items_success, job.attempts) == (JobStatus.COMPLETED, 3, 1)
    assert {row[0] for row in emissions(invoices).values()} == {Decimal("412.5")}


@override_settings(JOBS_CHUNK_SIZE=2)
def test_a_worker_killed_mid_job_is_resumed_by_the_reconciler_with_the_same_final_numbers(
    acme, start_worker, drain_queue
):
    invoices = iberdrola_invoices(acme, 120)
    result = start_electricity(acme, invoices, "command")
    job = ProcessingJob.objects.get(id=result.processing_job_ids[0])
    worker = start_worker()
    wait_until(lambda: ProcessingJob.objects.get(id=job.id).items_success >= 4, what="the first chunks")
    worker.kill()
    job.refresh_from_db()
    assert job.status == JobStatus.PROCESSING
    assert job.chunks.filter(status=ChunkStatus.PENDING).exists()
    with override_settings(JOBS_HEARTBEAT_TIMEOUT=0):
        call_command("reconcile_jobs")
    drain_queue()
    job.refresh_from_db()
    assert (job.status, job.items_total, job.items_success, job.items_failed) == (JobStatus.COMPLETED, 120, 120, 0)
    assert job.chunks.filter(status=ChunkStatus.DONE).count() == 60
    resumed = emissions(invoices)
    # An undisturbed run over the same invoices stores exactly the same numbers.
    undisturbed = start_electricity(acme, invoices, "command")
    drain_queue()
    again = ProcessingJob.objects.get(id=undisturbed.processing_job_ids[0])
    assert (again.items_success, again.items_failed) == (120, 0)
    assert emissions(invoices) == resumed
    assert again.category_total_after == job.category_total_after == Decimal("412.5") * 120


def test_two_concurrent_recalculations_of_the_same_invoices_end_consistent(acme, start_worker, queue):
    invoices = iberdrola_invoices(acme, 40)
    ids = [i.id for i in invoices]
    with override_settings(JOBS_CHUNK_SIZE=5):
        first = invoice_recalculation_start(
            organization=acme.organization, invoices=ids, activity_categories=["electricity", "energy"], trigger="api"
        )
        second = invoice_recalculation_start(
            organization=acme.organization, invoices=ids, activity_categories=["electricity", "energy"], trigger="api"
        )
    start_worker(), start_worker()
    job_ids = [*first.processing_job_ids, *second.processing_job_ids]
    wait_until(
        lambda: ProcessingJob.objects.filter(id__in=job_ids, status=JobStatus.COMPLETED).count() == 4,
        what="four completed jobs",
    )
    assert all(job.items_success == 40 for job in ProcessingJob.objects.filter(id__in=job_ids))
    assert InvoiceEmission.objects.filter(invoice__in=invoices).count() == 80
    assert set(emissions(invoices).values()) == {(Decimal("412.5"), Decimal("0.275"), Decimal("1500"))}
    assert {i.co2e for i in type(invoices[0]).objects.filter(id__in=ids)} == {Decimal("412.5")}


def test_running_the_same_job_twice_stores_identical_results(acme, drain_queue):
    invoices = iberdrola_invoices(acme, 5)
    result = start_electricity(acme, invoices, "api")
    drain_queue()
    job = ProcessingJob.objects.get(id=result.processing_job_ids[0])
    stored = emissions(invoices)
    # A second delivery of the same start task and chunk task does nothing…
    from jobs.tasks import run_chunk, start_job

    assert start_job(str(job.id)) is False
    assert run_chunk(str(job.id), 0) is False
    job.refresh_from_db()
    assert (job.items_success, job.items_failed) == (5, 0)
    # …and a second run of the same recalculation stores the same numbers.
    start_electricity(acme, invoices, "api")
    drain_queue()
    assert emissions(invoices) == stored


@override_settings(JOBS_CHUNK_SIZE=1)
def test_a_cancelled_job_stops_at_its_next_chunk_and_says_so(acme, drain_queue):
    invoices = iberdrola_invoices(acme, 3)
    result = start_electricity(acme, invoices, "admin")
    job = ProcessingJob.objects.get(id=result.processing_job_ids[0])
    ProcessingJob.objects.filter(id=job.id).update(status=JobStatus.PROCESSING)  # as a worker's claim would
    assert processing_job_chunk_run(job_id=job.id, number=0) is True
    processing_job_cancel(job=job)
    assert processing_job_chunk_run(job_id=job.id, number=1) is False
    drain_queue()
    job.refresh_from_db()
    assert (job.status, job.items_success) == (JobStatus.CANCELLED, 1)
    assert "Cancelled" in job.failure_reason
    retry = processing_job_retry_failed(job=job, trigger="admin")
    assert retry.items_total == 2
    drain_queue()
    retried = ProcessingJob.objects.get(id=retry.id)
    assert (retried.status, retried.items_success, retried.retry_of_id) == (JobStatus.COMPLETED, 2, job.id)


@override_settings(JOBS_MAX_ATTEMPTS=1, JOBS_HEARTBEAT_TIMEOUT=0)
def test_a_job_whose_worker_keeps_dying_is_failed_with_the_reason_after_its_attempts(acme, queue):
    invoices = iberdrola_invoices(acme, 2)
    result = start_electricity(acme, invoices, "api")
    job = ProcessingJob.objects.get(id=result.processing_job_ids[0])
    ProcessingJob.objects.filter(id=job.id).update(status=JobStatus.PROCESSING)  # claimed by a worker that died
    queue.connection.flushdb()  # …and its tasks are gone
    call_command("reconcile_jobs")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Stopped after 1 attempt;" in job.failure_reason
