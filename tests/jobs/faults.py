"""Recovery from faults, end to end, on private PostgreSQL and Redis servers that can be killed.

A `FaultWorld` runs its own PostgreSQL cluster (the machine's binaries, on a Unix socket in a temporary
directory) and its own Redis server, and the project's real commands and `rqworker` processes against
them, with the JOBS_* settings it is given through the environment. Each scenario of `SCENARIOS` starts
a recalculation job, causes one fault mid-job, and returns the seconds from the end of the fault to the
job's COMPLETED, after checking that a second, undisturbed run of the same job stores the same numbers.

Used by tests/jobs/test_recovery.py (short intervals) and bench/bench_recovery.py (default settings).
The machine's own servers are never touched.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psutil
import psycopg
import redis
from rq import Queue

from jobs.worker import REDIS_RETRY_SECONDS

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("FAULT_PG_BIN", "/usr/lib/postgresql/15/bin"))
QUEUE = "default"


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` system user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PostgresServer:
    """A throwaway PostgreSQL cluster listening only on a Unix socket in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "pgdata"
        self.log = directory / "postgres.log"

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions")

    def start(self) -> None:
        options = f"-c listen_addresses='' -c unix_socket_directories='{self.directory}' -c fsync=off"
        self._run("pg_ctl", "start", "-w", "-D", str(self.data), "-l", str(self.log), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (as a restart does); `immediate` is a crash."""
        self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data), check=False)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        subprocess.run([*_as_postgres_user(), str(PG_BIN / program), *args], check=check, capture_output=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.directory}"


class RedisServer:
    """A Redis server on a Unix socket that keeps nothing on disk: a restart loses every queued task."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(unix_socket_path=str(self.socket)).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        """A crash (SIGKILL): whatever was queued is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.socket.unlink(missing_ok=True)

    @property
    def url(self) -> str:
        return f"unix://{self.socket}?db=0"


class Worker:
    """A `manage.py rqworker` in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "rqworker", QUEUE],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def work_horse(self, timeout: float = 60) -> psutil.Process:
        """The forked process running a task right now (waits for the next one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            children = psutil.Process(self.process.pid).children()
            if children:
                return children[0]
            time.sleep(0.005)
        raise AssertionError(f"no work horse within {timeout} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL the worker process alone (its work horse, if any, is left running)."""
        self.process.kill()
        self.process.wait(timeout=30)

    def kill_group(self) -> None:
        """SIGKILL the worker and everything it started."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@dataclass(frozen=True)
class JobRow:
    status: str
    items_total: int
    items_success: int
    items_failed: int
    category_total_after: Decimal
    attempts: int


class FaultWorld:
    """Private servers, the project's commands and its workers, with the given JOBS_* settings.

    `settings` are environment variables for every command and worker (e.g. JOBS_HEARTBEAT_TIMEOUT);
    `timings` reads back the values those processes use.
    """

    DATABASE = "recovery"

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="faults-"))
        os.chmod(self.directory, 0o755)  # noqa: S103 - the postgres user needs to reach its own subdirectory
        self.postgres = PostgresServer(self.directory / "pg")
        self.redis = RedisServer(self.directory / "redis")
        self.settings = dict(settings or {})
        self.workers: list[Worker] = []  # those of the scenario running
        self.started = itertools.count(1)

    # --- servers -------------------------------------------------------------------------------

    def start(self) -> None:
        self.postgres.init()
        self.postgres.start()
        with psycopg.connect(self.postgres.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.DATABASE}"')
        self.redis.start()
        self.manage("migrate", "--noinput")

    def close(self) -> None:
        for worker in self.workers:
            worker.kill_group()
        self.redis.stop()
        self.postgres.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def env(self) -> dict[str, str]:
        inherited = {name: value for name, value in os.environ.items() if not name.startswith("JOBS_")}
        env = {
            **inherited,
            "DATABASE_URL": self.postgres.url(self.DATABASE),
            "REDIS_URL": self.redis.url,
            "DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
            **self.settings,
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        return env

    @functools.cached_property
    def timings(self) -> dict[str, int]:
        """The JOBS_* intervals (seconds) as the commands and workers of this world see them."""
        code = (
            "import json; from django.conf import settings as s; print(json.dumps({n: getattr(s, n) for n in "
            "['JOBS_HEARTBEAT_TIMEOUT', 'JOBS_RECONCILE_INTERVAL', 'JOBS_DISPATCH_GRACE']}))"
        )
        return json.loads(self.manage("shell", "--verbosity", "0", "-c", code))

    def recovery_bound(self, *, processing_allowance: float) -> float:
        """Seconds from the end of a fault to COMPLETED that the settings promise, plus time to process.

        A lost job is noticed once it has made no progress for JOBS_HEARTBEAT_TIMEOUT (a PENDING one after
        JOBS_DISPATCH_GRACE), by the next run of a worker's reconciler, JOBS_RECONCILE_INTERVAL later at
        most; a worker reaches a Redis that is back within REDIS_RETRY_SECONDS.
        """
        timings = self.timings
        noticed = max(timings["JOBS_HEARTBEAT_TIMEOUT"], timings["JOBS_DISPATCH_GRACE"])
        return noticed + timings["JOBS_RECONCILE_INTERVAL"] + REDIS_RETRY_SECONDS + processing_allowance

    # --- the project's interfaces ------------------------------------------------------------

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def organization(self, *, invoices: int, name: str) -> str:
        """A new organization holding `invoices` synthetic invoices (about half of them electricity)."""
        summary = json.loads(
            self.manage("generate_invoices", "--organizations", "1", "--invoices", str(invoices), "--name-prefix", name)
        )
        return summary["organizations"][0]

    def recalculate(self, organization: str) -> str:
        """Start the electricity recalculation of the organization's electricity invoices; its job id."""
        out = self.manage(
            "recalculate_invoices", "--organization", organization, "--type", "electricity", "--category", "electricity"
        )
        return out.splitlines()[1].split()[0]

    def start_worker(self) -> Worker:
        worker = Worker(self.env, self.directory / f"worker-{next(self.started)}.log")
        self.workers.append(worker)
        return worker

    def empty_queue(self) -> int:
        """What an operator's "empty queue" does (rq empty, or the dashboard's action)."""
        return Queue(QUEUE, connection=redis.Redis.from_url(self.redis.url)).empty()

    # --- observing -----------------------------------------------------------------------------

    def job(self, job_id: str) -> JobRow | None:
        """The job's row, or None while PostgreSQL cannot be reached."""
        try:
            with psycopg.connect(self.postgres.url(self.DATABASE), connect_timeout=2) as conn:
                row = conn.execute(
                    "SELECT status, items_total, items_success, items_failed, category_total_after, attempts "
                    "FROM jobs_processingjob WHERE id = %s",
                    [job_id],
                ).fetchone()
        except psycopg.OperationalError:
            return None
        assert row is not None, job_id
        return JobRow(*row)

    def wait_for(self, job_id: str, condition: Callable[[JobRow], bool], *, timeout: float, what: str) -> JobRow:
        deadline = time.monotonic() + timeout
        while True:
            row = self.job(job_id)
            if row is not None and condition(row):
                return row
            if row is not None and row.status in {"FAILED", "CANCELLED"}:
                raise AssertionError(f"job {job_id} is {row.status} while waiting for {what}; logs in {self.directory}")
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up after {timeout:g} s waiting for {what}: {row}; logs in {self.directory}")
            time.sleep(0.05)

    def wait_completed(self, job_id: str, *, timeout: float) -> float:
        """Wait for COMPLETED; returns time.monotonic() when it was seen."""
        self.wait_for(job_id, lambda row: row.status == "COMPLETED", timeout=timeout, what="COMPLETED")
        return time.monotonic()

    def emissions_digest(self, organization: str) -> tuple[int, str]:
        """Every stored emission of the organization's invoices, as a count and an md5."""
        with psycopg.connect(self.postgres.url(self.DATABASE)) as conn:
            row = conn.execute(
                "SELECT count(*), md5(string_agg(concat_ws('|', e.invoice_id, e.category, e.kg_co2e, e.factor_value,"
                " e.quantity, i.co2e), ',' ORDER BY e.invoice_id, e.category)) "
                "FROM invoicing_invoiceemission e JOIN invoicing_invoice i ON i.id = e.invoice_id "
                "WHERE i.organization_id = %s",
                [organization],
            ).fetchone()
        assert row is not None
        return row[0], row[1]


@dataclass(frozen=True)
class Recovery:
    """One scenario's outcome: seconds from the end of the fault to COMPLETED, the final row, and
    what its workers logged."""

    seconds: float
    job: JobRow
    logs: str = ""


def _job_under_way(world: FaultWorld, organization: str, *, timeout: float) -> tuple[Worker, str]:
    """A worker, and a job of the organization it has made its first chunk of."""
    worker = world.start_worker()
    job_id = world.recalculate(organization)
    world.wait_for(
        job_id,
        lambda row: row.status == "PROCESSING" and row.items_success + row.items_failed > 0,
        timeout=timeout,
        what="the job's first chunk",
    )
    return worker, job_id


def _recovered(world: FaultWorld, job_id: str, *, fault_over: float, timeout: float) -> Recovery:
    completed = world.wait_completed(job_id, timeout=timeout)
    row = world.job(job_id)
    assert row is not None
    return Recovery(completed - fault_over, row)


def _check_same_numbers(world: FaultWorld, organization: str, faulted: JobRow, *, timeout: float) -> None:
    """The faulted job counted every invoice once, and an undisturbed run stores exactly the same numbers."""
    assert faulted.items_success + faulted.items_failed == faulted.items_total, faulted
    stored = world.emissions_digest(organization)
    again = world.recalculate(organization)
    world.wait_completed(again, timeout=timeout)
    undisturbed = world.job(again)
    assert undisturbed is not None
    assert (undisturbed.items_success, undisturbed.items_failed) == (faulted.items_success, faulted.items_failed)
    assert undisturbed.category_total_after == faulted.category_total_after
    assert world.emissions_digest(organization) == stored


def worker_sigkill(world: FaultWorld, organization: str, timeout: float, *, whole_group: bool) -> Recovery:
    """The worker is SIGKILLed mid-chunk, alone (its work horse finishes the chunk on its own) or with its
    whole process group; a new worker starts."""
    worker, job_id = _job_under_way(world, organization, timeout=timeout)
    worker.work_horse()
    if whole_group:
        worker.kill_group()
    else:
        worker.kill()
    world.start_worker()
    return _recovered(world, job_id, fault_over=time.monotonic(), timeout=timeout)


def work_horse_sigkill(world: FaultWorld, organization: str, timeout: float) -> Recovery:
    """The work horse is SIGKILLed mid-chunk; the worker itself goes on."""
    worker, job_id = _job_under_way(world, organization, timeout=timeout)
    worker.work_horse().kill()
    return _recovered(world, job_id, fault_over=time.monotonic(), timeout=timeout)


def redis_restart(world: FaultWorld, organization: str, timeout: float, *, down: float = 5) -> Recovery:
    """Redis crashes mid-job and loses its queue; a second job is started while it is down; it comes back.

    Returns the later of the two jobs' recoveries.
    """
    _, running = _job_under_way(world, organization, timeout=timeout)
    world.redis.stop()
    posted = world.recalculate(organization)  # answered while Redis is down: stays PENDING
    time.sleep(down)
    world.redis.start()
    fault_over = time.monotonic()
    first = _recovered(world, running, fault_over=fault_over, timeout=timeout)
    second = _recovered(world, posted, fault_over=fault_over, timeout=timeout)
    assert (second.job.items_success, second.job.category_total_after) == (
        first.job.items_success,
        first.job.category_total_after,
    )
    return max(first, second, key=lambda recovery: recovery.seconds)


def postgres_restart(world: FaultWorld, organization: str, timeout: float, *, down: float = 10) -> Recovery:
    """PostgreSQL is stopped mid-job for `down` seconds (every session ended), then started again."""
    _, job_id = _job_under_way(world, organization, timeout=timeout)
    world.postgres.stop("fast")
    time.sleep(down)
    world.postgres.start()
    return _recovered(world, job_id, fault_over=time.monotonic(), timeout=timeout)


def queue_emptied(world: FaultWorld, organization: str, timeout: float) -> Recovery:
    """An operator empties the queue while the job's chunk tasks wait in it."""
    _, job_id = _job_under_way(world, organization, timeout=timeout)
    assert world.empty_queue() > 0, "the job's chunks had all been taken already"
    return _recovered(world, job_id, fault_over=time.monotonic(), timeout=timeout)


SCENARIOS: dict[str, Callable[[FaultWorld, str, float], Recovery]] = {
    "worker SIGKILL": functools.partial(worker_sigkill, whole_group=False),
    "work horse SIGKILL": work_horse_sigkill,
    "worker process group SIGKILL, new worker": functools.partial(worker_sigkill, whole_group=True),
    "Redis restarted (queue lost)": redis_restart,
    "PostgreSQL restarted": postgres_restart,
    "queue emptied by hand": queue_emptied,
}


def run_scenario(world: FaultWorld, name: str, *, invoices: int, timeout: float) -> Recovery:
    """A fresh organization, the scenario, the same-numbers check; the workers are stopped afterwards."""
    organization = world.organization(invoices=invoices, name=f"Faults {uuid.uuid4().hex[:8]}")
    try:
        recovery = SCENARIOS[name](world, organization, timeout)
        _check_same_numbers(world, organization, recovery.job, timeout=timeout)
        logs = "".join(worker.log.read_text(errors="replace") for worker in world.workers)
        return dataclasses.replace(recovery, logs=logs)
    finally:
        for worker in world.workers:
            worker.kill_group()
        world.workers.clear()
        with contextlib.suppress(redis.RedisError):
            world.empty_queue()
