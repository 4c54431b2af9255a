"""The app served by the production server (`python -m config.server`, what `make run` runs) on a local
port, and a bare HTTP client for it. Used by the serving tests (tests/config/) and the list benchmark
(bench/bench_api_list.py).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


def http_request(
    port: int,
    method: str,
    path: str,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    *,
    timeout: float = 30,
) -> Response:
    """One HTTP/1.1 request on a new connection to 127.0.0.1, read to the server's close.

    A bare socket rather than http.client, whose header parsing costs 0.15 ms a request here (the
    client's time, counted against the server in a benchmark), and without a name lookup. Raises
    OSError when the connection is reset or the server closes it without an answer.
    """
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(body)}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)  # stops a hang only
        sock.connect(("127.0.0.1", port))
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        chunks = []
        while chunk := sock.recv(262144):
            chunks.append(chunk)
    return parse_response(b"".join(chunks))


def parse_response(raw: bytes) -> Response:
    """A whole HTTP/1.1 response, its body decoded if chunked; OSError if there is none."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise ConnectionError(f"no HTTP response, only {raw[:200]!r}")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        chunks, rest = [], body
        while True:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            chunks.append(rest[:size])
            rest = rest[size + 2 :]
        body = b"".join(chunks)
    return Response(int(status_line.split(" ", 2)[1]), headers, body)


def query_string_of(length: int, facility_id: uuid.UUID) -> str:
    """`facility_id[]` values of facilities that do not exist, then `facility_id`: a query string of `length`
    bytes, or one less (percent-encoding a hyphen adds two bytes)."""
    last = f"facility_id[]={facility_id}"
    parameters: list[str] = []
    while len("&".join([*parameters, last])) + 51 <= length:
        parameters.append(f"facility_id[]={uuid.uuid4()}")
    query = "&".join([*parameters, last])
    padding = (length - len(query)) // 2  # a percent-encoded hyphen is two bytes longer
    return query.replace("-", "%2D", padding)


def server_connections(conn: Any, application_name: str) -> set[int]:
    """The backend pids of the connections named `application_name` (libpq's PGAPPNAME) to `conn`'s database
    (another run on the same PostgreSQL server, such as a benchmark of another checkout, is not counted)."""
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
        [application_name],
    )
    return {pid for (pid,) in rows.fetchall()}


class ConnectionSampler:
    """A server's database connections (those named `application_name`), sampled every 10 ms while in use:
    the most at once (`peak`) and every one seen (`seen`)."""

    def __init__(self, conninfo: str, application_name: str) -> None:
        self.peak = 0
        self.seen: set[int] = set()
        self._conninfo, self._application_name = conninfo, application_name
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            while not self._stop.wait(0.01):
                pids = server_connections(conn, self._application_name)
                self.peak = max(self.peak, len(pids))
                self.seen |= pids

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serving(env: Mapping[str, str], *, port: int | None = None, timeout: float = 120) -> Iterator[Server]:
    """`python -m config.server` with `env` on 127.0.0.1, once it answers; stopped (SIGTERM) at the end.
    Its output goes to a log file (Server.log), removed at the end."""
    port = port or free_port()
    log = Path(tempfile.mkdtemp(prefix="server-")) / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "config.server", "--port", str(port)],
            cwd=ROOT,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(port, process, log)
    try:
        deadline = time.monotonic() + timeout  # stops a hang only
        while True:
            try:
                http_request(port, "GET", "/v1/units")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{server.output()[-3000:]}") from None
                time.sleep(0.1)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(log.parent, ignore_errors=True)
