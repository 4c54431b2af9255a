"""The app through the server `make run` and production run (`python -m config.server`), over real HTTP.

Data is committed (transactional tests) so that the server's processes see it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
from django.conf import settings

from tests.conftest import Tenant
from tests.factories import make_invoice
from tests.serving import Server, http_request, serving
from tests.workers import wait_until, worker_env

# The catalogue rows that migrations load are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SERVER_APPLICATION_NAME = "invoicing-serving-test"  # libpq's PGAPPNAME: how pg_stat_activity names its connections


@pytest.fixture(scope="module")
def server(django_db_setup: None, django_db_blocker: object) -> Iterator[Server]:
    env = {**worker_env(), "PGAPPNAME": SERVER_APPLICATION_NAME}
    env.pop("DB_POOL_MAX_SIZE", None)  # the test process has no pool (tests/environment.py), the server its default
    with serving(env) as server:
        yield server


def _headers(tenant: Tenant) -> dict[str, str]:
    return {"x-api-key": tenant.api_key, "x-organization-id": str(tenant.organization.id)}


def _server_connections(conn: psycopg.Connection[tuple[int]]) -> set[int]:
    """The backend pids of the server's connections."""
    rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [SERVER_APPLICATION_NAME])
    return {pid for (pid,) in rows.fetchall()}


class ConnectionSampler:
    """The server's connections, sampled every 10 ms while in use: the most at once, and every one seen."""

    def __init__(self) -> None:
        self.peak = 0
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    def _sample(self) -> None:
        with psycopg.connect(worker_env()["DATABASE_URL"], autocommit=True) as conn:
            while not self._stop.wait(0.01):
                pids = _server_connections(conn)
                self.peak = max(self.peak, len(pids))
                self.seen |= pids

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


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

    with ConnectionSampler() as sampler:
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
