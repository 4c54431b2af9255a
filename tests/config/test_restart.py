"""`make run` on embedded servers, stopped in every way (SIGINT, SIGTERM, SIGKILL; the web server, the worker
or everything at once), starts again, and neither the stop nor the start prints a traceback.

The embedded servers live in a temporary EMBEDDED_DATA_DIR for the whole module (created once: a first
start runs initdb and every migration). Each case stops the `make run` the previous case left running,
then starts a new one and leaves it running.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from tests.serving import ROOT, free_port, http_request

pytestmark = pytest.mark.slow

START_TIMEOUT = 600  # s; stops a hang only (the first start creates a cluster and migrates from zero)
STOP_TIMEOUT = 120  # s; stops a hang only
# make run as a developer starts it: no URLs, DEBUG and the pool at their defaults, not inside another make
NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "DEBUG", "DB_POOL_MAX_SIZE", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}


@dataclass
class MakeRun:
    """One `make run`, in a process group of its own as a terminal would start it."""

    env: dict[str, str]
    port: int
    log: Path = field(default_factory=lambda: Path(tempfile.mkstemp(prefix="make-run-", suffix=".log")[1]))
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                ["make", "--no-print-directory", "run", f"PORT={self.port}"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.serves_the_api():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"make run did not start:\n{self.output()[-4000:]}")
            time.sleep(0.5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def serves_the_api(self) -> bool:
        key = re.search(r"x-api-key: (\S+)", self.output())
        organization = re.search(r"x-organization-id: (\S+)", self.output())
        if not (key and organization):
            return False
        headers = {"x-api-key": key[1], "x-organization-id": organization[1]}
        try:
            return http_request(self.port, "GET", "/v1/invoices?size=1", headers, timeout=10).status == 200
        except OSError:
            return False

    def processes(self) -> list[psutil.Process]:
        """make, run.sh, the web server and its workers, the RQ worker and its children."""
        assert self.process is not None
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def named(self, fragment: str) -> psutil.Process:
        """The process whose command line contains `fragment` and whose parent's does not (the leader)."""
        matching = [p for p in self.processes() if fragment in _command_line(p)]
        return next(p for p in matching if fragment not in _command_line(p.parent()))

    def wait_until_stopped(self, processes: list[psutil.Process]) -> None:
        _, alive = psutil.wait_procs(processes, timeout=STOP_TIMEOUT)
        assert not alive, f"still running: {[' '.join(p.cmdline()) for p in alive]}\n{self.output()[-3000:]}"
        assert self.process is not None
        self.process.wait(timeout=STOP_TIMEOUT)


def _command_line(process: psutil.Process) -> str:
    """The command line; empty for a child that has just ended and not yet been reaped (a zombie)."""
    try:
        return " ".join(process.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return ""


@pytest.fixture(scope="module")
def make_run() -> Iterator[MakeRun]:
    data_dir = tempfile.mkdtemp(prefix="restart-")
    env = {
        **{k: v for k, v in os.environ.items() if k not in NOT_INHERITED},
        "EMBEDDED_DATA_DIR": data_dir,
        "DEMO_INVOICES": "5",
        "ADMIN_PASSWORD": "restart-admin-pass",
    }
    run = MakeRun(env=env, port=free_port())
    yield run
    if run.process is not None and run.process.poll() is None:
        processes = run.processes()
        os.killpg(run.process.pid, signal.SIGINT)
        run.wait_until_stopped(processes)
    subprocess.run([sys.executable, "-m", "config.embedded", "stop"], cwd=ROOT, env=env, check=False)
    subprocess.run(["rm", "-rf", data_dir], check=False)
    run.log.unlink()


def _send(run: MakeRun, how: str) -> list[psutil.Process]:
    """Stop `run` as `how` says; returns every process it had."""
    processes = run.processes()
    assert run.process is not None
    target, signame = how.split(" ")
    signum = getattr(signal, signame)
    if target == "terminal":  # Ctrl-C or a hang-up: the signal goes to the terminal's process group
        os.killpg(run.process.pid, signum)
    elif target == "everything":  # every process at once, as `kill -9 -1` or an out-of-memory killer would
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):  # one that the signal to another already ended
                process.send_signal(signum)
    else:
        run.named({"web": "config.server", "worker": "rqworker"}[target]).send_signal(signum)
    return processes


@pytest.mark.parametrize(
    "how",
    [
        "terminal SIGINT",
        "terminal SIGTERM",
        "everything SIGTERM",
        "everything SIGKILL",
        "web SIGINT",
        "web SIGTERM",
        "web SIGKILL",
        "worker SIGINT",
        "worker SIGTERM",
        "worker SIGKILL",
    ],
)
def test_make_run_starts_again_after_a_stop(make_run: MakeRun, how: str) -> None:
    if make_run.process is None or make_run.process.poll() is not None:
        make_run.start()
    stopped_output = len(make_run.output())

    make_run.wait_until_stopped(_send(make_run, how))
    stop = make_run.output()[stopped_output:]
    make_run.start()

    assert "Traceback" not in stop, stop
    assert "Traceback" not in make_run.output(), make_run.output()


def test_a_client_of_the_embedded_servers_killed_while_it_starts_them_leaves_nothing_behind(
    make_run: MakeRun,
) -> None:
    """A test run or a command killed at any moment: nothing it wrote is read by the next start."""
    env = {**make_run.env, "EMBEDDED_DATA_DIR": tempfile.mkdtemp(prefix="killed-client-")}
    try:
        for delay in (0.2, 0.6, 1.5, 3.0):  # during imports, the lock, initdb, the start
            client = subprocess.Popen([sys.executable, "-m", "config.embedded", "start"], cwd=ROOT, env=env)
            time.sleep(delay)
            client.kill()
            client.wait()
        started = subprocess.run(
            [sys.executable, "-m", "config.embedded", "start"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert started.returncode == 0, started.stderr
        assert "Traceback" not in started.stderr
    finally:
        subprocess.run([sys.executable, "-m", "config.embedded", "stop"], cwd=ROOT, env=env, check=False)
        subprocess.run(["rm", "-rf", env["EMBEDDED_DATA_DIR"]], check=False)
