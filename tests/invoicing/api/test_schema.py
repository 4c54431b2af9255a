"""The OpenAPI schema is valid, documents what clients send, and the API keeps to it."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from invoicing.models import Organization
from invoicing.services.organizations import api_key_create
from tests.factories import make_contract, make_facility, make_facility_fuel, make_invoice

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_schema_documents_bracket_parameters_headers_and_errors():
    schema = Client().get("/v1/schema/?format=json").json()
    operation = schema["paths"]["/v1/invoices"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"type[]", "status[]", "cups[]", "source[]", "invoice_id", "sort", "page", "size"} <= names
    assert {"400", "401", "403", "404", "429", "500"} <= set(operation["responses"])
    headers = {s["name"] for s in schema["components"]["securitySchemes"].values()}
    assert headers == {"x-api-key", "x-organization-id"}


def test_the_docs_page_is_served_without_internet_assets():
    html = Client().get("/v1/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html
    assert "unpkg.com" not in html


@pytest.fixture
def tenant_headers(db):  # type: ignore[no-untyped-def]
    organization = Organization.objects.create(name="Fuzz S.L.", country="ES")
    facility = make_facility(organization, name="Fuzz site", cups=["ES0021000000000001RK"])
    contract = make_contract(facility, cups="ES0021000000000001RK")
    make_facility_fuel(facility)
    for _ in range(3):
        make_invoice(facility, supply_contract=contract)
    key = api_key_create(organization=organization).plaintext
    return {"x-api-key": key, "x-organization-id": str(organization.id)}


def _load_schema():  # type: ignore[no-untyped-def]
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/v1/schema/?format=json", application)


schema = _load_schema()


@pytest.fixture(autouse=True)
def _keep_connection_open():  # type: ignore[no-untyped-def]
    # Like Django's test client: keep the test's connection (and transaction) open across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_never_fails_and_keeps_to_its_schema(case, tenant_headers):
    response = case.call(headers=tenant_headers)
    assert response.status_code < 500, response.text
    case.validate_response(
        response,
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
    )
