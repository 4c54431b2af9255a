"""The app as the README serves it: uWSGI with config/uwsgi.ini."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.workers import ROOT, worker_env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> tuple[bytes, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        response = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = response.partition(b"\r\n\r\n")
    return head, body


@pytest.fixture
def server_port():  # type: ignore[no-untyped-def]
    port = _free_port()
    log = Path(tempfile.mkdtemp(prefix="uwsgi-test-")) / "uwsgi.log"
    command = [str(ROOT / ".venv" / "bin" / "uwsgi"), "--ini", str(ROOT / "config" / "uwsgi.ini")]
    process = subprocess.Popen([*command, "--http-socket", f"127.0.0.1:{port}", "--logto", str(log)], env=worker_env())
    try:
        deadline = time.monotonic() + 60  # stops a hang only
        while True:
            try:
                _get(port, "/v1/schema/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text(errors="replace")[-3000:]) from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.django_db
def test_uwsgi_serves_the_api_with_its_json_errors(server_port):
    head, body = _get(server_port, "/v1/invoices")
    assert head.startswith(b"HTTP/1.1 401"), head
    assert b'"code":"AUTHENTICATION_FAILED"' in body.replace(b" ", b"")
    head, body = _get(server_port, "/v1/schema/")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert b"openapi" in body
