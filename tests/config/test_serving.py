"""The app as the README serves it: uWSGI with config/uwsgi.ini."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from config.serving import free_port, http_get, start_uwsgi
from tests.workers import worker_env


@pytest.fixture
def server_port():  # type: ignore[no-untyped-def]
    port = free_port()
    process = start_uwsgi(port, env=worker_env(), log=Path(tempfile.mkdtemp(prefix="uwsgi-test-")) / "uwsgi.log")
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.django_db
def test_uwsgi_serves_the_api_with_its_json_errors(server_port):
    status, body = http_get(server_port, "/v1/invoices")
    assert status == 401, body
    assert b'"code":"AUTHENTICATION_FAILED"' in body.replace(b" ", b"")
    status, body = http_get(server_port, "/v1/schema/")
    assert status == 200, body[:300]
    assert b"openapi" in body
