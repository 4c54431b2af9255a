"""GET /v1/invoices through uWSGI at 1,000,000 invoices, beside the same SQL run directly.

Data: 10 organizations holding 1,000,000 invoices (`--quick`: 100,000), generated once with
`generate_invoices` and reused. For each case the SQL the API runs for the request (captured once
in process: the API-key lookup, then one statement for the page and its total) is also run
through psycopg on one open connection and serialised with `json`, so the ratio shows what the
HTTP server, Django and DRF add to the database work. Targets (issue 3): median <= 1.5 x direct,
and the first three cases under 50 ms. The ratio against the page statement alone (without the
key lookup) is reported beside it.

The server runs as the README serves the app (config/uwsgi.ini: a master and 2 workers). The
client opens a new connection per request and reads the response off a bare socket; requests and
direct runs alternate, so load from elsewhere on the machine hits both. Beside the latencies, the
CPU time spent per request by the server's workers (HTTP, Django, DRF and psycopg: the API's own
work) and by this process on either side (the HTTP client; psycopg + json for the direct runs).
The figures come from the kernel's clock ticks, so they are good to about 0.05 ms at 200 requests.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.common import Result
from config.serving import free_port, http_get, start_uwsgi

ORGANIZATIONS = 10
CASES = [
    ("plain first page", "", True),
    ("two array filters + sort", "type[]=electricity&status[]=active&status[]=review&sort=-start_date", True),
    ("partial invoice_id match", "invoice_id=2023-00012", True),
    ("deep page", "page={deep}&size=50", False),
]


def _ensure_data(quick: bool) -> Any:
    from django.core.management import call_command

    from invoicing.models import Invoice, Organization

    total = 100_000 if quick else 1_000_000
    prefix = "Bench API quick" if quick else "Bench API"
    first = Organization.objects.filter(name=f"{prefix} 01").first()
    if first is None:
        print(f"  generating {total:,} invoices across {ORGANIZATIONS} organizations…", flush=True)
        began = time.monotonic()
        call_command(
            "generate_invoices",
            organizations=str(ORGANIZATIONS),
            invoices=str(total),
            name_prefix=prefix,
            stdout=sys.stderr,
        )
        print(f"  generated in {time.monotonic() - began:.1f} s", flush=True)
        first = Organization.objects.get(name=f"{prefix} 01")
    return first, Invoice.objects.filter(organization=first).count()


def _captured_sql(path: str, headers: dict[str, str]) -> list[str]:
    """The statements the API runs for `path`, with their values written in."""
    from django.db import connection
    from django.test import Client

    from invoicing.db import with_values_written_in

    statements: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(with_values_written_in(sql, params) if params else sql)
        return execute(sql, params, many, context)

    client = Client(headers=headers)
    client.get(path)  # warm: refreshes the key's last_used_at
    with connection.execute_wrapper(capture):
        response = client.get(path)
    assert response.status_code == 200, response.content
    return statements


def _direct(conn: Any, statements: list[str]) -> bytes:
    return json.dumps([conn.execute(statement).fetchall() for statement in statements], default=str).encode()


def _timed(calls: list[Any], repeats: int) -> tuple[list[list[float]], list[float]]:
    """Wall-clock samples of each call (ms), taken in turn so that load from elsewhere on the
    machine hits all alike, and each call's CPU time in this thread per call (ms)."""
    samples: list[list[float]] = [[] for _ in calls]
    cpu = [0.0 for _ in calls]
    for _ in range(repeats):
        for index, call in enumerate(calls):
            began, began_cpu = time.perf_counter(), time.thread_time()
            call()
            samples[index].append((time.perf_counter() - began) * 1000)
            cpu[index] += time.thread_time() - began_cpu
    return samples, [seconds * 1000 / repeats for seconds in cpu]


def _cpu_ms(processes: list[psutil.Process]) -> float:
    """User + system CPU time of the processes so far, in ms."""
    return sum(sum(process.cpu_times()[:2]) for process in processes) * 1000


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def run(options: Any) -> list[Result]:
    import psycopg

    from invoicing.services.organizations import api_key_create

    organization, count = _ensure_data(options.quick)
    key = api_key_create(organization=organization, name="bench").plaintext
    headers = {"x-api-key": key, "x-organization-id": str(organization.id)}
    deep = max(1, count // 50 - 10)
    repeats = 20 if options.quick else 200
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="bench-api-")) / "uwsgi.log"
    server = start_uwsgi(port, env={**os.environ, "DEBUG": "0", "DB_CONN_MAX_AGE": "600"}, log=log)
    workers = psutil.Process(server.pid).children()
    results = []
    try:
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            for name, query, fast in CASES:
                path = "/v1/invoices" + ("?" + query.format(deep=deep) if query else "")
                statements = _captured_sql(path, headers)
                without_key = [sql for sql in statements if "invoicing_apikey" not in sql]
                status, body = http_get(port, path, headers)
                assert status == 200, body[:300]
                total = json.loads(body)["total"]
                calls = [
                    lambda p=path: http_get(port, p, headers),
                    lambda s=statements: _direct(conn, s),
                    lambda s=without_key: _direct(conn, s),
                ]
                _timed(calls, 3)  # warm up
                worker_cpu = _cpu_ms(workers)
                (api, direct, direct_without_key), client_cpu = _timed(calls, repeats)
                cpu = {
                    "uWSGI workers": (_cpu_ms(workers) - worker_cpu) / repeats,
                    "HTTP client": client_cpu[0],
                    "direct client (psycopg + json)": client_cpu[1],
                }
                ratio = statistics.median(api) / statistics.median(direct)
                ratio_without_key = statistics.median(api) / statistics.median(direct_without_key)
                extra = {"path": path, "total": total, "direct_p95_ms": round(_p95(direct), 2)}
                results += [
                    Result(
                        f"{name}: API median",
                        statistics.median(api),
                        "ms",
                        target="< 50 ms" if fast else "",
                        ok=(statistics.median(api) < 50) if fast else None,
                        extra=extra,
                    ),
                    Result(f"{name}: API p95", _p95(api), "ms"),
                    Result(f"{name}: direct SQL + json median", statistics.median(direct), "ms", extra=extra),
                    Result(f"{name}: API / direct (median)", ratio, "x", target="≤ 1.5", ok=ratio <= 1.5),
                    Result(f"{name}: API / direct without the key lookup", ratio_without_key, "x"),
                    *(Result(f"{name}: CPU/request, {label}", value, "ms") for label, value in cpu.items()),
                ]
    finally:
        server.terminate()
        server.wait(timeout=10)
    return results
