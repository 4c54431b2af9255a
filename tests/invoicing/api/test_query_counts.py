"""Exact query counts of the hot endpoints (healthchecks-style): a new query on these paths is a decision.

Every request starts with the API key lookup (the key with its organization, one query, never cached
so that revoking a key takes effect at once). The key's last use is recorded at most once a minute,
so each test makes one request first and counts the ones after it. Counts are taken inside the
test's transaction: Django's atomic blocks show as SAVEPOINT/RELEASE statements.
"""

from __future__ import annotations

import pytest

from tests.factories import invoice_body, make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def warm_acme_api(acme, acme_api):  # type: ignore[no-untyped-def]
    for _ in range(30):
        make_invoice(acme.facility)
    acme_api.get("/v1/invoices")  # records the key's last use
    return acme_api


def test_a_list_page_that_tells_its_total_costs_two_queries(warm_acme_api, django_assert_num_queries):
    # key lookup + the page (30 rows < 50: the last page, so the total is known without a COUNT); each
    # item's audit_codes come in the page's query (a subquery per row on the findings' GIN index)
    with django_assert_num_queries(2):
        assert len(warm_acme_api.get("/v1/invoices", {"type[]": "electricity"}).json()["items"]) == 30


def test_a_full_list_page_adds_one_count(warm_acme_api, django_assert_num_queries):
    # key lookup + the page + COUNT(*) of the filtered list (a full page cannot tell the total)
    with django_assert_num_queries(3):
        assert warm_acme_api.get("/v1/invoices", {"size": 10, "sort": "-quantity"}).json()["total"] == 30


def test_a_detail_costs_five_queries(acme, warm_acme_api, django_assert_num_queries):
    invoice = make_invoice(acme.facility)
    # key lookup + the invoice with its audit_codes (a subquery) + its emission rows and its failures (one
    # prefetch each, however many categories) + the categories its active jobs have still to calculate
    with django_assert_num_queries(5):
        assert warm_acme_api.get(f"/v1/invoices/{invoice.id}").status_code == 200


def test_create_costs_sixteen_queries(acme, warm_acme_api, django_assert_num_queries):
    body = invoice_body(acme.facility)
    # key lookup + SAVEPOINT (service) + unit + facility + the organization's supply contracts (the one
    # in force) + SAVEPOINT (the insert, so that a duplicate number is reported) + INSERT + two RELEASEs
    # + the bill audit of its supply point (3: the supply point, the organization's audit lock, one
    # statement replacing its findings) + the detail as above (4). The calculation is started after the
    # commit (in a test, never: the test's transaction does not commit).
    with django_assert_num_queries(16):
        assert warm_acme_api.post("/v1/invoices", body).status_code == 201


def test_the_recalculate_post_costs_thirteen_queries_for_two_categories(acme, warm_acme_api, django_assert_num_queries):
    invoice = make_invoice(acme.facility)
    body = {"invoice_ids": [str(invoice.id)], "activity_categories": ["electricity", "energy"]}
    # key lookup + SAVEPOINTs of the view, the rules and the job creation (3) + the scoped ids and
    # types + one INSERT per job (2) + the chunks by INSERT … SELECT, copied for the second job (2)
    # + the jobs' totals (1 UPDATE) + three RELEASEs. Enqueueing happens after the commit.
    with django_assert_num_queries(13):
        assert warm_acme_api.post("/v1/invoices/recalculate", body).status_code == 202


def test_an_audit_page_costs_three_queries(acme, warm_acme_api, django_assert_num_queries):
    from invoicing.services.audits import invoice_audit_refresh

    invoice_audit_refresh(organization_id=acme.organization.id, everything=True)  # 30 bills of one period
    # key lookup + the page (one row per finding, nothing joined) + COUNT(*) (a full page of 10)
    with django_assert_num_queries(3):
        assert warm_acme_api.get("/v1/invoices/audit", {"size": 10}).json()["total"] > 10
