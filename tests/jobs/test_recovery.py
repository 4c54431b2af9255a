"""Recovery from each fault a job can meet, on private PostgreSQL and Redis servers that the tests kill.

Short intervals (below) make each recovery take seconds; the bound each test asserts is derived from
them (FaultWorld.recovery_bound). `make bench` (bench/bench_recovery.py) runs the same scenarios with
the default settings.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.jobs.faults import SCENARIOS, FaultWorld, run_scenario

pytestmark = pytest.mark.slow

SHORT_INTERVALS = {
    "JOBS_HEARTBEAT_TIMEOUT": "3",
    "JOBS_RECONCILE_INTERVAL": "1",
    "JOBS_DISPATCH_GRACE": "2",
    "JOBS_CHUNK_SIZE": "20",  # about 30 chunks a job, so that every fault lands mid-job
}
INVOICES = 1200  # about 570 electricity invoices
PROCESSING_ALLOWANCE = 30  # s to process the job's chunks on a busy machine, on top of the promised delay


@pytest.fixture(scope="module")
def world() -> Iterator[FaultWorld]:
    world = FaultWorld(SHORT_INTERVALS)
    try:
        world.start()
        yield world
    finally:
        world.close()


# A worker's reconciler logs these outages once, when they start and when they end.
OUTAGES = {"PostgreSQL restarted": "PostgreSQL", "Redis restarted (queue lost)": "Redis"}


@pytest.mark.parametrize("fault", list(SCENARIOS))
def test_a_job_hit_by_the_fault_completes_within_the_bound_its_settings_give(world: FaultWorld, fault: str) -> None:
    """…with the same numbers as an undisturbed run (run_scenario checks them), and outages logged once."""
    bound = world.recovery_bound(processing_allowance=PROCESSING_ALLOWANCE)
    recovery = run_scenario(world, fault, invoices=INVOICES, timeout=3 * bound)
    assert recovery.job.status == "COMPLETED"
    assert recovery.job.items_total > 0
    assert recovery.seconds <= bound, f"{fault}: {recovery.seconds:.1f} s > {bound:.0f} s"
    if server := OUTAGES.get(fault):
        assert recovery.logs.count(f"job reconciler: {server} unreachable") == 1, recovery.logs[-5000:]
        assert recovery.logs.count(f"job reconciler: {server} reachable again") == 1, recovery.logs[-5000:]
