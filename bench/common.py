from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    """One measured figure, with its target when the issue names one."""

    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    extra: dict[str, object] = field(default_factory=dict)


def median_ms(call: Callable[[], object], runs: int, warmup: int = 1) -> float:
    """The median wall time of `runs` calls of `call`, in milliseconds, after `warmup` calls that are not
    timed (query plans, caches, the first request's imports)."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)
