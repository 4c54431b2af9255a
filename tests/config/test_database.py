"""The database backend: persistent connections are checked without a round trip, and replaced when dead."""

import select
import time

import psycopg
import pytest
from django.db import connection

# Real connections, outside a test transaction; the catalogue rows migrations load are restored after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def persistent_connection(monkeypatch):
    """A new connection that Django keeps (none closed for age, whatever ran before this test)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    connection.close()
    yield
    connection.close()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _start_request() -> None:
    """What Django does as each request starts (the test client skips it)."""
    connection.close_if_unusable_or_obsolete()


def _last_query_of(pid: int) -> str:
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        (query,) = admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchall()[0]
        return str(query)


def test_a_healthy_connection_is_kept_and_checked_without_a_query():
    pid = _backend_pid()
    _start_request()
    connection.close_if_health_check_failed()  # what the request's first query does first
    assert connection.health_check_done  # type: ignore[attr-defined]
    assert _last_query_of(pid) == "SELECT pg_backend_pid()"
    assert _backend_pid() == pid


def _drop_from_the_server(pid: int) -> None:
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + 5
    while not poller.poll(50) and time.monotonic() < deadline:
        pass


def test_a_connection_the_server_dropped_is_replaced_before_the_next_request_uses_it():
    pid = _backend_pid()
    _drop_from_the_server(pid)

    _start_request()

    assert _backend_pid() != pid
