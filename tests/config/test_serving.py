"""The app through the server `make run` and production run (`python -m config.server`), over real HTTP.

Data is committed (transactional tests) so that the server's processes see it.
"""

from __future__ import annotations

import json
import socket
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
from django.conf import settings

from tests.conftest import Tenant
from tests.factories import make_invoice
from tests.serving import (
    ConnectionSampler,
    Response,
    Server,
    http_request,
    parse_response,
    query_string_of,
    server_connections,
    serving,
)
from tests.workers import WorkerProcess, wait_until, worker_env

# The catalogue rows that migrations load are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SERVER_APPLICATION_NAME = "invoicing-serving-test"  # libpq's PGAPPNAME: how pg_stat_activity names its connections


@pytest.fixture(scope="module")
def server(django_db_setup: None, django_db_blocker: object) -> Iterator[Server]:
    env = {**worker_env(), "PGAPPNAME": SERVER_APPLICATION_NAME}
    env.pop("DB_POOL_MAX_SIZE", None)  # the server's own default (one connection per thread)
    with serving(env) as server:
        yield server


def _headers(tenant: Tenant) -> dict[str, str]:
    return {"x-api-key": tenant.api_key, "x-organization-id": str(tenant.organization.id)}


def _json(response: Response) -> dict[str, object]:
    return json.loads(response.body)  # type: ignore[no-any-return]


def _server_connections(conn: psycopg.Connection[tuple[int]]) -> set[int]:
    return server_connections(conn, SERVER_APPLICATION_NAME)


@pytest.mark.slow
def test_it_answers_every_request_sequential_and_concurrent_on_the_same_few_database_connections(
    server: Server, acme: Tenant
) -> None:
    for _ in range(3):
        make_invoice(acme.facility)
    path = "/v1/invoices?size=2"
    bound = settings.WEB_WORKERS * settings.WEB_THREADS  # by default, a pool of WEB_THREADS in each process

    def client(requests_count: int) -> Counter[int]:
        return Counter(http_request(server.port, "GET", path, _headers(acme)).status for _ in range(requests_count))

    with ConnectionSampler(worker_env()["DATABASE_URL"], SERVER_APPLICATION_NAME) as sampler:
        sequential = client(2000)
        with ThreadPoolExecutor(8) as pool:
            concurrent = sum(pool.map(client, [250] * 8), Counter())

    assert sequential == {200: 2000}
    assert concurrent == {200: 2000}
    assert 1 <= sampler.peak <= bound
    assert len(sampler.seen) <= bound  # reused from request to request, never one per request or client


def test_connections_the_database_server_dropped_are_replaced_before_a_request_uses_them(
    server: Server, acme: Tenant
) -> None:
    with psycopg.connect(worker_env()["DATABASE_URL"], autocommit=True) as conn:
        for _ in range(10):
            assert http_request(server.port, "GET", "/v1/invoices", _headers(acme)).status == 200
        dropped = _server_connections(conn)
        assert dropped
        conn.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) pid", [list(dropped)])
        wait_until(lambda: not _server_connections(conn) & dropped, what="the connections to be dropped")

        statuses = Counter(http_request(server.port, "GET", "/v1/invoices", _headers(acme)).status for _ in range(20))

        assert statuses == {200: 20}


def test_a_query_string_of_8_KB_is_served_whole(server: Server, acme: Tenant, borealis: Tenant) -> None:
    for _ in range(2):
        make_invoice(acme.facility)
    make_invoice(borealis.facility)
    query = query_string_of(settings.MAX_QUERY_STRING_BYTES, acme.facility.id)
    assert settings.MAX_QUERY_STRING_BYTES - 1 <= len(query) <= settings.MAX_QUERY_STRING_BYTES

    response = http_request(server.port, "GET", f"/v1/invoices?{query}", _headers(acme))

    assert response.status == 200, response.body[:300]
    assert _json(response)["total"] == 2  # the last parameter counted: without it, no facility matches


@pytest.mark.parametrize("length", [8193, 20_000, 60_000])
def test_a_longer_query_string_is_refused_with_414_in_the_api_format(server: Server, acme: Tenant, length: int) -> None:
    query = query_string_of(length, acme.facility.id)

    response = http_request(server.port, "GET", f"/v1/invoices?{query}", _headers(acme))

    assert response.status == 414
    assert _json(response)["code"] == "URI_TOO_LONG"


def test_a_request_line_past_what_the_server_reads_gets_its_status_not_a_reset(server: Server) -> None:
    response = http_request(server.port, "GET", "/v1/invoices?" + "a" * 100_000)

    assert response.status == 414
    assert not response.body.lstrip().startswith(b"<")


def test_a_body_over_the_limit_is_refused_with_413_even_without_expect_100_continue(
    server: Server, acme: Tenant
) -> None:
    body = b"[" + b"0," * settings.API_MAX_BODY_BYTES + b"0]"

    response = requests.post(
        f"http://127.0.0.1:{server.port}/v1/invoices/recalculate",
        data=body,
        headers={**_headers(acme), "Content-Type": "application/json"},
        timeout=60,
    )

    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/v1/invoices/recalculate"), ("POST", "/v1/invoices"), ("PATCH", "/v1/invoices/{invoice}")],
)
def test_json_nested_deeper_than_the_limit_is_a_400(server: Server, acme: Tenant, method: str, path: str) -> None:
    invoice = make_invoice(acme.facility)
    body = b"[" * 2000 + b"]" * 2000  # 4 KB

    response = http_request(
        server.port,
        method,
        path.format(invoice=invoice.id),
        {**_headers(acme), "Content-Type": "application/json"},
        body,
    )

    assert response.status == 400, response.body[:300]
    assert _json(response)["code"] == "VALIDATION_ERROR"
    assert f"nested deeper than {settings.API_MAX_JSON_DEPTH} levels" in str(_json(response)["detail"])


def test_a_body_shorter_than_its_content_length_is_a_400_as_soon_as_the_client_ends_it(
    server: Server, acme: Tenant
) -> None:
    head = "\r\n".join(
        [
            "POST /v1/invoices/recalculate HTTP/1.1",
            f"Host: 127.0.0.1:{server.port}",
            *(f"{name}: {value}" for name, value in _headers(acme).items()),
            "Content-Type: application/json",
            "Content-Length: 100",
        ]
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:  # a hang fails here
        sock.sendall(head.encode() + b"\r\n\r\n" + b'{"invoice_ids": [')
        sock.shutdown(socket.SHUT_WR)
        raw = b"".join(iter(lambda: sock.recv(65536), b""))

    response = parse_response(raw)
    assert response.status == 400
    assert _json(response) == {
        "code": "BAD_REQUEST",
        "detail": "The request body ended after 17 of the 100 bytes its Content-Length announced.",
    }


@pytest.mark.parametrize("body", [b"\xff\xfe not utf-8", b'{"invoice_ids": [', b"not json"])
def test_an_unreadable_body_is_a_400(server: Server, acme: Tenant, body: bytes) -> None:
    response = http_request(
        server.port, "POST", "/v1/invoices/recalculate", {**_headers(acme), "Content-Type": "application/json"}, body
    )

    assert response.status == 400
    assert _json(response)["code"] == "VALIDATION_ERROR"


def test_clients_that_keep_connections_alive_get_every_answer(server: Server, acme: Tenant) -> None:
    url = f"http://127.0.0.1:{server.port}/v1"

    def client(number: int) -> Counter[int]:
        statuses: Counter[int] = Counter()
        with requests.Session() as session:
            session.headers.update(_headers(acme))
            for attempt in range(20):
                statuses[session.get(f"{url}/invoices?size=1", timeout=30).status_code] += 1
                created = session.post(
                    f"{url}/facilities", json={"name": f"Site {number}-{attempt}", "country": "ES"}, timeout=30
                )
                statuses[created.status_code] += 1
        return statuses

    with ThreadPoolExecutor(16) as pool:
        statuses = sum(pool.map(client, range(16)), Counter())

    assert statuses == {200: 320, 201: 320}


def test_no_secret_reaches_the_logs_of_a_serving_run(
    server: Server, acme: Tenant, superuser: object, queue: object
) -> None:
    worker = WorkerProcess()
    base = f"http://127.0.0.1:{server.port}"
    headers = _headers(acme)
    try:
        with requests.Session() as api:
            api.headers.update(headers)
            assert api.get(f"{base}/v1/invoices", timeout=30).status_code == 200
            invoice = make_invoice(acme.facility)
            recalculated = api.post(
                f"{base}/v1/invoices/recalculate",
                json={"invoice_ids": [str(invoice.id)], "activity_categories": ["electricity"]},
                timeout=30,
            )
            assert recalculated.status_code == 202, recalculated.text
            # Refused requests carry the key too: an unknown parameter, an oversized query and header, a bad body.
            assert api.get(f"{base}/v1/invoices?api_key={acme.api_key}", timeout=30).status_code == 400
            assert api.get(f"{base}/v1/invoices?q={'x' * 9000}", timeout=30).status_code == 414
            oversized = {"x-api-key": acme.api_key * 500, "x-organization-id": headers["x-organization-id"]}
            assert requests.get(f"{base}/v1/invoices", headers=oversized, timeout=30).status_code == 401
            unreadable = api.post(f"{base}/v1/invoices", data=b"{", headers={"Content-Type": "application/json"})
            assert unreadable.status_code == 400
        with requests.Session() as browser:
            browser.get(f"{base}/admin/login/", timeout=30)
            login = {"csrfmiddlewaretoken": browser.cookies["csrftoken"], "next": "/admin/"}
            refused = browser.post(f"{base}/admin/login/", data={**login, "username": "root", "password": "not-it-42"})
            assert refused.status_code == 200
            browser.post(f"{base}/admin/login/", data={**login, "username": "root", "password": "root-pass-123"})
            session_id = str(browser.cookies["sessionid"])
            assert browser.get(f"{base}/admin/", timeout=30).status_code == 200
        wait_for_completed_jobs()
    finally:
        worker.kill()

    logs = server.output() + worker.output()
    assert "Bad Request: /v1/invoices" in logs  # the logs are the ones this run wrote
    for secret in (acme.api_key, acme.api_key.split(".", 1)[1], "root-pass-123", "not-it-42", session_id):
        assert secret not in logs


def wait_for_completed_jobs() -> None:
    from jobs.models import JobStatus, ProcessingJob

    wait_until(
        lambda: ProcessingJob.objects.exclude(status=JobStatus.COMPLETED).count() == 0,
        what="the recalculation to complete",
    )
