"""Benchmarks for `make bench`. Each module bench/bench_*.py exposes `run(options) -> list[Result]`."""
