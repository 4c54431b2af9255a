"""401 / 403 on every endpoint, and one JSON error format (never HTML) under /v1/."""

from __future__ import annotations

import pytest
from django.test import Client

from invoicing.services.organizations import api_key_revoke

from .conftest import ENDPOINTS, ApiClient

pytestmark = pytest.mark.django_db

NOWHERE = "5f0b6f0e-4a51-4c1e-9d0a-6c1f3a7e2b90"  # a fixed id, so parallel workers collect the same tests
PATHS = sorted({(e.method, e.path.replace("{invoice}", NOWHERE).replace("{facility}", NOWHERE)) for e in ENDPOINTS})


def assert_error(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_a_missing_key_is_401_on_every_endpoint(method, path):
    assert_error(ApiClient(None, {}).request(method, path, {}), 401, "AUTHENTICATION_FAILED")


def test_an_unknown_key_is_401(acme):
    headers = {"HTTP_X_API_KEY": "ik_000000000.nope", "HTTP_X_ORGANIZATION_ID": str(acme.organization.id)}
    assert_error(ApiClient(None, headers).get("/v1/invoices"), 401, "AUTHENTICATION_FAILED")


def test_a_right_prefix_with_a_wrong_secret_is_401(acme):
    headers = {**acme.headers, "HTTP_X_API_KEY": acme.api_key.split(".")[0] + ".wrong"}
    assert_error(ApiClient(None, headers).get("/v1/invoices"), 401, "AUTHENTICATION_FAILED")


def test_a_revoked_key_is_401(acme):
    from invoicing.models import ApiKey

    api_key_revoke(api_key=ApiKey.objects.get(organization=acme.organization))
    assert_error(ApiClient(acme).get("/v1/invoices"), 401, "AUTHENTICATION_FAILED")


def test_a_keys_last_use_is_recorded_at_most_once_a_minute(acme):
    from datetime import timedelta

    from invoicing.models import ApiKey

    def last_used_at():  # type: ignore[no-untyped-def]
        return ApiKey.objects.get(organization=acme.organization).last_used_at

    assert last_used_at() is None
    ApiClient(acme).get("/v1/invoices")
    first = last_used_at()
    assert first is not None
    ApiClient(acme).get("/v1/invoices")
    assert last_used_at() == first
    ApiKey.objects.filter(organization=acme.organization).update(last_used_at=first - timedelta(minutes=2))
    ApiClient(acme).get("/v1/invoices")
    assert last_used_at() > first


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_a_key_used_for_another_organization_is_403_on_every_endpoint(acme, borealis, method, path):
    headers = {**acme.headers, "HTTP_X_ORGANIZATION_ID": str(borealis.organization.id)}
    assert_error(ApiClient(None, headers).request(method, path, {}), 403, "ORGANIZATION_FORBIDDEN")


@pytest.mark.parametrize("organization_id", ["", "not-a-uuid", NOWHERE])
def test_a_malformed_or_unknown_organization_id_is_the_same_403(acme, organization_id):
    headers = {**acme.headers, "HTTP_X_ORGANIZATION_ID": organization_id}
    response = ApiClient(None, headers).get("/v1/invoices")
    assert_error(response, 403, "ORGANIZATION_FORBIDDEN")
    assert response.json()["detail"] == "This API key may not act for that organization."


def test_authentication_comes_before_parameter_validation(acme):
    assert_error(ApiClient(None, {}).get("/v1/invoices", {"typo": "1"}), 401, "AUTHENTICATION_FAILED")


def test_an_unknown_path_under_v1_is_a_json_404(acme_api):
    assert_error(acme_api.get("/v1/no-such-thing"), 404, "NOT_FOUND")
    assert_error(Client().get("/v1/invoices/"), 404, "NOT_FOUND")


def test_a_wrong_method_is_a_json_405(acme_api):
    assert_error(acme_api.request("put", "/v1/invoices", {}), 405, "METHOD_NOT_ALLOWED")
    assert_error(acme_api.delete("/v1/units"), 405, "METHOD_NOT_ALLOWED")


def test_a_body_that_is_not_json_is_a_415(acme):
    response = Client().post("/v1/invoices", "type=heat", content_type="text/plain", **acme.headers)
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_malformed_json_is_a_400(acme):
    response = Client().post("/v1/invoices", "{oops", content_type="application/json", **acme.headers)
    assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*", "text/html;q=0.5, */*;q=0.1"])
@pytest.mark.parametrize("path", ["/v1/invoices", "/v1/units"])
def test_clients_that_accept_json_get_json(acme, path, accept):
    headers = acme.headers if accept is None else {**acme.headers, "HTTP_ACCEPT": accept}
    response = Client().get(path, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert "items" in response.json()


@pytest.mark.parametrize("path", ["/v1/invoices", "/v1/units"])
def test_a_client_that_accepts_no_json_gets_a_406(acme, path):
    assert_error(Client().get(path, HTTP_ACCEPT="text/html", **acme.headers), 406, "NOT_ACCEPTABLE")


def test_an_unexpected_error_is_a_json_500(acme, monkeypatch):
    # The one stub in the suite: there is no honest way to make our own code fail on demand.
    from invoicing.api import invoices

    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(invoices, "invoice_list", explode)
    client = Client(raise_request_exception=False)
    response = client.get("/v1/invoices", **acme.headers)
    assert_error(response, 500, "INTERNAL_ERROR")
    assert "boom" not in response.content.decode()


def test_the_admin_keeps_its_html_pages():
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_an_admin_session_is_no_key_to_the_api(acme, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-for-tests-only"))
    assert client.get("/admin/").status_code == 200  # the admin still has its session
    response = client.get("/v1/invoices", HTTP_X_ORGANIZATION_ID=str(acme.organization.id))
    assert_error(response, 401, "AUTHENTICATION_FAILED")
    assert "sessionid" not in response.cookies
