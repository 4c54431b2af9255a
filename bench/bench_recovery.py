"""Recovery soak: each fault a job can meet hits a running recalculation job, with the default settings.

Runs on private PostgreSQL and Redis servers (tests/jobs/faults.py; the machine's servers and the
bench database are not used), with real `rqworker` processes and the default JOBS_* settings. Each
scenario generates an organization of INVOICES synthetic invoices (about half electricity, so a few
chunks of JOBS_CHUNK_SIZE), starts the electricity recalculation, causes the fault after the first
chunk, and prints the seconds from the end of the fault to COMPLETED (target: under 60). It then checks
that an undisturbed run of the same job stores exactly the same numbers.
"""

from __future__ import annotations

from typing import Any

from bench.common import Result

INVOICES = 40_000
TARGET_SECONDS = 60
WAIT_SECONDS = 600  # a scenario that has not recovered by then fails


def run(options: Any) -> list[Result]:
    from tests.jobs.faults import SCENARIOS, FaultWorld, run_scenario

    world = FaultWorld()  # no JOBS_* settings: the defaults
    results = []
    try:
        world.start()
        timings = ", ".join(f"{name} {value} s" for name, value in world.timings.items())
        print(f"  settings: {timings}", flush=True)
        for name in SCENARIOS:
            recovery = run_scenario(world, name, invoices=INVOICES, timeout=WAIT_SECONDS)
            seconds = recovery.seconds
            results.append(
                Result(
                    f"{name}: end of fault to COMPLETED",
                    seconds,
                    "s",
                    target=f"< {TARGET_SECONDS}",
                    ok=seconds < TARGET_SECONDS,
                    extra={"items_total": recovery.job.items_total, "attempts": recovery.job.attempts},
                )
            )
    finally:
        world.close()
    return results
