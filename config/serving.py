"""The app served as in production (config/uwsgi.ini) on a local port, and a bare HTTP client for it.

Used by the serving test (tests/config/test_serving.py) and the list benchmark (bench/bench_api_list.py).
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(port: int, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
    """One HTTP/1.1 GET on a new connection to 127.0.0.1, read to the server's close: (status, body).

    A bare socket rather than http.client: its header parsing costs 0.15 ms a request on this
    machine, which is the client's time, not the server's. For the same reason no name lookup:
    `socket.create_connection` asks getaddrinfo even for an address (0.07 ms a request here).
    """
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)  # stops a hang only
        sock.connect(("127.0.0.1", port))
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        chunks = []
        while chunk := sock.recv(262144):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def start_uwsgi(port: int, *, env: Mapping[str, str], log: Path, timeout: float = 60) -> subprocess.Popen[bytes]:
    """uWSGI with config/uwsgi.ini on 127.0.0.1:`port`, once it answers; its log goes to `log`."""
    command = [str(ROOT / ".venv" / "bin" / "uwsgi"), "--ini", str(ROOT / "config" / "uwsgi.ini")]
    process = subprocess.Popen([*command, "--http-socket", f"127.0.0.1:{port}", "--logto", str(log)], env=env)
    deadline = time.monotonic() + timeout  # stops a hang only
    while process.poll() is None and time.monotonic() < deadline:
        try:
            http_get(port, "/v1/schema/")
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"uWSGI did not start:\n{log.read_text(errors='replace')[-3000:]}")
