"""The documented request limits, at their boundaries (through Django's test client; tests/config/test_serving.py
sends the same requests through the real server)."""

import json

import pytest
from django.conf import settings

from tests.serving import query_string_of

pytestmark = pytest.mark.django_db

RECALCULATE = "/v1/invoices/recalculate"


def _nested(depth: int) -> str:
    """`depth` arrays and objects inside each other around an id list: {"invoice_ids": [[...]]}."""
    return '{"invoice_ids": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_json_as_deep_as_the_limit_is_parsed(client, acme):
    response = client.post(
        RECALCULATE, _nested(settings.API_MAX_JSON_DEPTH), content_type="application/json", **acme.headers
    )

    assert response.status_code == 400
    assert "nested deeper" not in json.dumps(response.json())
    assert any(field.startswith("invoice_ids") for field in response.json()["errors"])  # the serializer saw it


def test_json_one_level_deeper_is_refused_before_any_validation(client, acme):
    response = client.post(
        RECALCULATE, _nested(settings.API_MAX_JSON_DEPTH + 1), content_type="application/json", **acme.headers
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "VALIDATION_ERROR",
        "detail": f"JSON parse error - nested deeper than {settings.API_MAX_JSON_DEPTH} levels.",
    }


def test_a_query_string_at_the_limit_reaches_the_api_and_one_byte_more_is_414(client, acme):
    query = query_string_of(settings.MAX_QUERY_STRING_BYTES, acme.facility.id)

    at_limit = client.get(f"/v1/invoices?{query}", **acme.headers)
    over = client.get(f"/v1/invoices?{query.ljust(settings.MAX_QUERY_STRING_BYTES + 1, '0')}", **acme.headers)

    assert at_limit.status_code == 200, at_limit.content[:300]
    assert over.status_code == 414
    assert over.json() == {
        "code": "URI_TOO_LONG",
        "detail": f"The query string has {settings.MAX_QUERY_STRING_BYTES + 1:,} bytes; "
        f"at most {settings.MAX_QUERY_STRING_BYTES:,} are accepted.",
    }


def test_a_body_over_the_limit_is_413_and_one_at_the_limit_is_read(client, acme):
    at_limit = json.dumps({"invoice_ids": ["0" * (settings.API_MAX_BODY_BYTES - 20)]})
    at_limit = at_limit[: settings.API_MAX_BODY_BYTES - 3] + '"]}'

    read = client.post(RECALCULATE, at_limit, content_type="application/json", **acme.headers)
    refused = client.post(RECALCULATE, at_limit + " ", content_type="application/json", **acme.headers)

    assert len(at_limit) == settings.API_MAX_BODY_BYTES
    assert read.status_code == 400
    assert read.json()["code"] == "VALIDATION_ERROR"  # parsed, then refused by the serializer
    assert refused.status_code == 413
    assert refused.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_every_parameter_an_8_KB_query_string_can_hold_is_read(client, acme):
    query = "a&" * (settings.MAX_QUERY_STRING_BYTES // 2 - 2) + "zz"  # the most parameters that fit

    response = client.get(f"/v1/invoices?{query}", **acme.headers)

    assert response.status_code == 400
    assert "zz" in response.json()["errors"]  # the last parameter was read
