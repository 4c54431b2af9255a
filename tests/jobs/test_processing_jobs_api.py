"""GET /v1/processing-jobs and /v1/processing-jobs/{id}, and the jobs a new invoice starts by itself."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from invoicing.services.recalculation import invoice_recalculation_start
from jobs.models import JobStatus, ProcessingJob, ProcessingJobError
from tests.factories import make_invoice, unit

URL = "/v1/processing-jobs"


def start(tenant, invoices, categories):  # type: ignore[no-untyped-def]
    result = invoice_recalculation_start(
        organization=tenant.organization,
        invoices=[i.id for i in invoices],
        activity_categories=categories,
        trigger="api",
    )
    return list(ProcessingJob.objects.filter(id__in=result.processing_job_ids))


@pytest.mark.django_db
def test_it_lists_the_organizations_jobs_newest_first_with_pagination(client, acme, borealis):
    invoice = make_invoice(acme.facility)
    for category in ["electricity", "energy", "electricity_generation"]:
        start(acme, [invoice], [category])
    start(borealis, [make_invoice(borealis.facility)], ["energy"])
    response = client.get(URL, {"size": 2}, **acme.headers)
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["size"], body["pages"]) == (3, 1, 2, 2)
    assert [item["activity_category"] for item in body["items"]] == ["electricity_generation", "energy"]
    item = body["items"][0]
    assert (item["status"], item["items_total"], item["percent_done"], item["trigger"]) == ("PENDING", 1, 0, "api")


@pytest.mark.django_db
def test_it_filters_by_status_category_and_creation_date(client, acme):
    invoice = make_invoice(acme.facility)
    (electricity,) = start(acme, [invoice], ["electricity"])
    (energy,) = start(acme, [invoice], ["energy"])
    ProcessingJob.objects.filter(id=energy.id).update(status=JobStatus.COMPLETED)
    ProcessingJob.objects.filter(id=electricity.id).update(created_at=timezone.now() - timedelta(days=10))

    def ids(params):  # type: ignore[no-untyped-def]
        response = client.get(URL, params, **acme.headers)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids({"status[]": ["COMPLETED"]}) == {str(energy.id)}
    assert ids({"status[]": ["COMPLETED", "PENDING"]}) == {str(energy.id), str(electricity.id)}
    assert ids({"activity_category[]": "electricity"}) == {str(electricity.id)}
    today = timezone.now().date()
    assert ids({"created_from": str(today - timedelta(days=1))}) == {str(energy.id)}
    assert ids({"created_to": str(today - timedelta(days=5))}) == {str(electricity.id)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"status[]": "DONE"}, {"activity_category[]": "scope9"}, {"created_from": "yesterday"}, {"colour": "red"}],
)
def test_a_bad_filter_is_a_validation_error(client, acme, params):
    response = client.get(URL, params, **acme.headers)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


@pytest.mark.django_db
def test_the_detail_shows_the_errors_capped_with_their_count(client, acme):
    (job,) = start(acme, [make_invoice(acme.facility)], ["electricity"])
    ProcessingJobError.objects.bulk_create(
        ProcessingJobError(job=job, invoice_id=uuid.uuid4(), code="NO_FACTOR", message="No factor for 1990.")
        for _ in range(150)
    )
    body = client.get(f"{URL}/{job.id}", **acme.headers).json()
    assert body["errors_count"] == 150
    assert len(body["errors"]) == 100
    assert set(body["errors"][0]) == {"invoice_id", "code", "message"}
    for field in ["created_at", "started_at", "completed_at", "trigger", "co2e_before", "co2e_after"]:
        assert field in body


@pytest.mark.django_db
def test_a_job_of_another_organization_is_not_found(client, acme, borealis):
    (job,) = start(borealis, [make_invoice(borealis.facility)], ["energy"])
    response = client.get(f"{URL}/{job.id}", **acme.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert client.get(f"{URL}/{uuid.uuid4()}", **acme.headers).status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_invoice_gets_its_categories_calculated_by_system_jobs(client, acme, queue):
    body = {
        "type": "electricity",
        "quantity": 1500,
        "unit_id": str(unit("kwh").id),
        "start_date": "2024-03-01",
        "end_date": "2024-03-31",
        "facility_id": str(acme.facility.id),
    }
    response = client.post("/v1/invoices", json.dumps(body), content_type="application/json", **acme.headers)
    assert response.status_code == 201, response.content
    jobs = ProcessingJob.objects.filter(chunks__invoice_ids__contains=[response.json()["id"]])
    assert {job.trigger for job in jobs} == {"system"}
    assert {job.activity_category for job in jobs} >= {"electricity", "energy"}
    patched = client.patch(
        f"/v1/invoices/{response.json()['id']}",
        json.dumps({"status": "inactive"}),
        content_type="application/json",
        **acme.headers,
    )
    assert patched.status_code == 200
    assert ProcessingJob.objects.filter(chunks__invoice_ids__contains=[response.json()["id"]]).count() == jobs.count()
