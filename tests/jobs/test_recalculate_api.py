"""POST /v1/invoices/recalculate: its documented contract, without running the jobs."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from django.test import override_settings

from jobs.models import JobStatus, ProcessingJob
from jobs.selectors import processing_job_invoices
from tests.factories import make_facility_fuel, make_invoice

URL = "/v1/invoices/recalculate"
pytestmark = pytest.mark.django_db


def post(client, tenant, body, **headers):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **tenant.headers, **headers)


def heat_invoice(tenant):  # type: ignore[no-untyped-def]
    fuel = make_facility_fuel(tenant.facility, "natural_gas")
    return make_invoice(tenant.facility, type="heat", facility_fuel=fuel, quantity="1000")


def test_the_documented_request_answers_202_with_one_job_per_category(client, acme):
    first, second = make_invoice(acme.facility), make_invoice(acme.facility)
    response = post(
        client,
        acme,
        {"invoice_ids": [str(first.id), str(second.id)], "activity_categories": ["electricity", "energy"]},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["invoice_ids"] == [str(first.id), str(second.id)]
    assert body["count"] == 2
    assert len(body["processing_job_ids"]) == 2
    jobs = ProcessingJob.objects.filter(id__in=body["processing_job_ids"])
    assert {(j.activity_category, j.items_total, j.trigger) for j in jobs} == {
        ("electricity", 2, "api"),
        ("energy", 2, "api"),
    }
    assert all(job.status == JobStatus.PENDING for job in jobs)


def test_it_drops_invoices_of_other_organizations(client, acme, borealis):
    ours, theirs = make_invoice(acme.facility), make_invoice(borealis.facility)
    response = post(client, acme, {"invoice_ids": [str(theirs.id), str(ours.id)], "activity_categories": ["energy"]})
    assert response.status_code == 202
    assert response.json()["invoice_ids"] == [str(ours.id)]
    assert response.json()["count"] == 1
    job_id = response.json()["processing_job_ids"][0]
    job = ProcessingJob.objects.get(id=job_id)
    assert list(processing_job_invoices(job=job).values_list("id", flat=True)) == [ours.id]


def test_when_every_id_is_dropped_it_answers_count_0_and_creates_no_job(client, acme, borealis):
    theirs = make_invoice(borealis.facility)
    response = post(
        client, acme, {"invoice_ids": [str(theirs.id), str(uuid.uuid4())], "activity_categories": ["energy"]}
    )
    assert response.status_code == 202
    assert response.json() == {"invoice_ids": [], "count": 0, "processing_job_ids": []}
    assert not ProcessingJob.objects.exists()


def test_it_merges_duplicate_categories_and_ids(client, acme):
    invoice = make_invoice(acme.facility)
    response = post(
        client,
        acme,
        {"invoice_ids": [str(invoice.id)] * 3, "activity_categories": ["electricity", "electricity", "energy"]},
    )
    assert response.status_code == 202
    assert response.json()["invoice_ids"] == [str(invoice.id)]
    assert len(response.json()["processing_job_ids"]) == 2


def test_a_water_invoice_is_unsupported(client, acme):
    water = make_invoice(acme.facility, type="water", unit_code="m3")
    response = post(client, acme, {"invoice_ids": [str(water.id)], "activity_categories": ["energy"]})
    assert response.status_code == 400
    assert response.json()["code"] == "UNSUPPORTED_INVOICE_TYPE"
    assert not ProcessingJob.objects.exists()


def test_heat_and_electricity_together_are_mixed_types(client, acme):
    ids = [str(make_invoice(acme.facility).id), str(heat_invoice(acme).id)]
    response = post(client, acme, {"invoice_ids": ids, "activity_categories": ["electricity", "energy"]})
    assert response.status_code == 400
    assert response.json()["code"] == "MIXED_INVOICE_TYPES"


def test_heat_and_electricity_together_are_accepted_for_energy_alone(client, acme):
    ids = [str(make_invoice(acme.facility).id), str(heat_invoice(acme).id)]
    response = post(client, acme, {"invoice_ids": ids, "activity_categories": ["energy"]})
    assert response.status_code == 202
    assert response.json()["count"] == 2


def test_a_category_of_another_type_is_a_mismatch(client, acme):
    response = post(
        client,
        acme,
        {"invoice_ids": [str(heat_invoice(acme).id)], "activity_categories": ["stationary", "electricity"]},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "ACTIVITY_CATEGORY_MISMATCH"
    assert response.json()["activity_categories"] == ["electricity"]


def test_unsupported_type_is_checked_before_mixed_types_and_mismatch(client, acme):
    ids = [str(make_invoice(acme.facility).id), str(heat_invoice(acme).id)]
    ids.append(str(make_invoice(acme.facility, type="recharge").id))
    response = post(client, acme, {"invoice_ids": ids, "activity_categories": ["stationary"]})
    assert response.json()["code"] == "UNSUPPORTED_INVOICE_TYPE"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"activity_categories": ["energy"]}, "invoice_ids"),
        ({"invoice_ids": [], "activity_categories": ["energy"]}, "invoice_ids"),
        ({"invoice_ids": ["not-a-uuid"], "activity_categories": ["energy"]}, "invoice_ids.0"),
        ({"invoice_ids": [str(uuid.uuid4())], "activity_categories": []}, "activity_categories"),
        ({"invoice_ids": [str(uuid.uuid4())], "activity_categories": ["scope4"]}, "activity_categories.0"),
        ({"invoice_ids": [str(uuid.uuid4())], "activity_categories": ["energy"], "extra": 1}, "extra"),
        ({"invoice_ids": "abc", "activity_categories": ["energy"]}, "invoice_ids"),
    ],
)
def test_a_bad_body_is_a_validation_error_naming_the_field(client, acme, body, field):
    response = post(client, acme, body)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["errors"]


def test_more_than_10000_ids_is_a_validation_error(client, acme):
    ids = [str(uuid.uuid4()) for _ in range(10_001)]
    response = post(client, acme, {"invoice_ids": ids, "activity_categories": ["energy"]})
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "invoice_ids" in response.json()["errors"]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "null", ""])
def test_a_body_that_is_not_a_json_object_is_a_validation_error(client, acme, raw):
    response = post(client, acme, raw)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_invoice_statuses_do_not_change(client, acme):
    invoice = make_invoice(acme.facility, status="review")
    post(client, acme, {"invoice_ids": [str(invoice.id)], "activity_categories": ["electricity"]})
    invoice.refresh_from_db()
    assert invoice.status == "review"


def test_an_idempotency_key_replays_the_first_response_and_creates_nothing(client, acme):
    body = {"invoice_ids": [str(make_invoice(acme.facility).id)], "activity_categories": ["electricity"]}
    first = post(client, acme, body, HTTP_IDEMPOTENCY_KEY="key-1")
    again = post(client, acme, body, HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ProcessingJob.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_a_422(client, acme):
    invoice = make_invoice(acme.facility)
    post(
        client,
        acme,
        {"invoice_ids": [str(invoice.id)], "activity_categories": ["electricity"]},
        HTTP_IDEMPOTENCY_KEY="k",
    )
    response = post(
        client, acme, {"invoice_ids": [str(invoice.id)], "activity_categories": ["energy"]}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    assert ProcessingJob.objects.count() == 1


def test_idempotency_keys_belong_to_one_organization(client, acme, borealis):
    body = {"invoice_ids": [str(make_invoice(acme.facility).id)], "activity_categories": ["electricity"]}
    post(client, acme, body, HTTP_IDEMPOTENCY_KEY="shared")
    response = post(client, borealis, body, HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 202
    assert response.json()["count"] == 0


def test_a_failed_request_does_not_burn_its_idempotency_key(client, acme):
    invoice = heat_invoice(acme)
    bad = post(
        client,
        acme,
        {"invoice_ids": [str(invoice.id)], "activity_categories": ["electricity"]},
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert bad.status_code == 400
    good = post(
        client,
        acme,
        {"invoice_ids": [str(invoice.id)], "activity_categories": ["electricity"]},
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert good.json()["code"] == "ACTIVITY_CATEGORY_MISMATCH"


def test_it_needs_an_api_key(client):
    response = client.post(URL, data="{}", content_type="application/json")
    assert response.status_code == 401


@override_settings(JOBS_CHUNK_SIZE=2)
def test_a_job_is_split_into_chunks(client, acme):
    ids = [
        str(make_invoice(acme.facility, start_date=date(2024, m, 1), end_date=date(2024, m, 28)).id)
        for m in range(1, 6)
    ]
    response = post(client, acme, {"invoice_ids": ids, "activity_categories": ["electricity"]})
    job = ProcessingJob.objects.get(id=response.json()["processing_job_ids"][0])
    assert job.chunks_total == 3
    assert sorted(job.chunks.values_list("size", flat=True)) == [1, 2, 2]
