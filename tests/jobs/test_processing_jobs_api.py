"""GET /v1/processing-jobs, /v1/processing-jobs/{id} and /v1/processing-jobs/{id}/errors, and the jobs a new
invoice starts by itself."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from invoicing.errors import CalculationFailureCode
from invoicing.services.recalculation import invoice_recalculation_start
from jobs.models import JobStatus, ProcessingJob, ProcessingJobError
from tests.factories import make_invoice, unit
from tests.jobs.scenarios import all_failing_job, mixed_job

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
def test_a_job_whose_invoices_all_failed_is_completed_with_its_failures_counted_by_code(client, acme, run_jobs):
    job = all_failing_job(acme, run_jobs, count=5)

    body = client.get(f"{URL}/{job.id}", **acme.headers).json()

    assert (body["status"], body["items_total"], body["items_success"], body["items_failed"]) == ("COMPLETED", 5, 0, 5)
    assert body["errors_by_code"] == {
        "NO_FACTOR": {"count": 5, "description": CalculationFailureCode.NO_FACTOR.label},
    }
    for field in [
        "created_at",
        "started_at",
        "completed_at",
        "trigger",
        "category_total_before",
        "category_total_after",
    ]:
        assert field in body


@pytest.mark.django_db
def test_a_job_with_mixed_outcomes_counts_each_code_and_adds_up_to_its_failures(client, acme, run_jobs):
    job = mixed_job(acme, run_jobs)

    body = client.get(f"{URL}/{job.id}", **acme.headers).json()

    assert (body["status"], body["items_success"], body["items_failed"]) == ("COMPLETED", 3, 3)
    assert {code: group["count"] for code, group in body["errors_by_code"].items()} == {"NO_FUEL": 2, "NO_FACTOR": 1}
    assert sum(group["count"] for group in body["errors_by_code"].values()) == body["items_failed"]
    assert body["errors_by_code"]["NO_FUEL"]["description"] == "A heat invoice without a facility fuel"


@pytest.mark.django_db
def test_the_errors_of_a_job_are_listed_page_by_page_with_every_invoice_once(client, acme, run_jobs):
    job = all_failing_job(acme, run_jobs, count=5)
    failed = {str(error.invoice_id) for error in ProcessingJobError.objects.filter(job=job)}

    pages = [client.get(f"{URL}/{job.id}/errors", {"page": n, "size": 2}, **acme.headers).json() for n in (1, 2, 3)]

    assert [(p["total"], p["page"], p["size"], p["pages"]) for p in pages] == [(5, n, 2, 3) for n in (1, 2, 3)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    listed = [item["invoice_id"] for p in pages for item in p["items"]]
    assert sorted(listed) == sorted(failed)
    item = pages[0]["items"][0]
    assert set(item) == {"invoice_id", "code", "message"}
    assert item["code"] == "NO_FACTOR"
    assert item["message"] == (
        "No grid electricity generation factor in ES for 1990 or an earlier year:"
        " no loaded dataset publishes one (docs/emissions.md: Known gaps)."
    )


@pytest.mark.django_db
def test_the_errors_can_be_narrowed_to_one_code(client, acme, run_jobs):
    job = mixed_job(acme, run_jobs)

    no_fuel = client.get(f"{URL}/{job.id}/errors", {"code": "NO_FUEL"}, **acme.headers).json()
    everything = client.get(f"{URL}/{job.id}/errors", **acme.headers).json()
    unit_mismatch = client.get(f"{URL}/{job.id}/errors", {"code": "UNIT_MISMATCH"}, **acme.headers).json()

    assert (no_fuel["total"], {item["code"] for item in no_fuel["items"]}) == (2, {"NO_FUEL"})
    assert [item["code"] for item in everything["items"]] == ["NO_FACTOR", "NO_FUEL", "NO_FUEL"]  # by code
    assert (unit_mismatch["total"], unit_mismatch["items"]) == (0, [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"code": "NO_SUCH_CODE"}, "code"),
        ({"code": ["NO_FUEL", "NO_FACTOR"]}, "code"),
        ({"size": "101"}, "size"),
        ({"page": "0"}, "page"),
        ({"status[]": "COMPLETED"}, "status[]"),
    ],
)
def test_a_bad_errors_parameter_is_a_validation_error_naming_it(client, acme, params, named):
    (job,) = start(acme, [make_invoice(acme.facility)], ["electricity"])
    response = client.get(f"{URL}/{job.id}/errors", params, **acme.headers)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert named in response.json()["errors"]


@pytest.mark.django_db
def test_the_errors_of_another_organizations_job_are_not_found(client, acme, borealis, run_jobs):
    theirs = all_failing_job(borealis, run_jobs, count=1)
    response = client.get(f"{URL}/{theirs.id}/errors", **acme.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert client.get(f"{URL}/{uuid.uuid4()}/errors", **acme.headers).status_code == 404


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


@pytest.mark.django_db
def test_the_detail_and_an_errors_page_cost_a_fixed_number_of_queries(
    client, acme, run_jobs, django_assert_num_queries
):
    job = mixed_job(acme, run_jobs)
    client.get(URL, **acme.headers)  # records the key's last use
    # key lookup + the job + its errors counted by code (one GROUP BY, however many codes)
    with django_assert_num_queries(3):
        assert client.get(f"{URL}/{job.id}", **acme.headers).status_code == 200
    # key lookup + the job + the page (2 rows < 50: the last page, so no COUNT)
    with django_assert_num_queries(3):
        assert len(client.get(f"{URL}/{job.id}/errors", {"code": "NO_FUEL"}, **acme.headers).json()["items"]) == 2
    # a full page cannot tell the total: one COUNT more
    with django_assert_num_queries(4):
        assert client.get(f"{URL}/{job.id}/errors", {"size": 1}, **acme.headers).json()["total"] == 3
