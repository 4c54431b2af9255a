"""The benchmarks' one timing helper."""

from __future__ import annotations

import time

from bench.common import median_ms


def test_median_ms_times_each_run_after_untimed_warm_up_calls() -> None:
    calls = []

    def call() -> None:
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.2)  # a slow first call, as a cold cache makes it

    value = median_ms(call, 3)

    assert len(calls) == 4
    assert 0 <= value < 100


def test_median_ms_without_warm_up_times_every_call_and_takes_the_middle_one() -> None:
    pauses = iter([0.05, 0.0, 0.0])

    value = median_ms(lambda: time.sleep(next(pauses)), 3, warmup=0)

    assert value < 50
