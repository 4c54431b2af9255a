"""GET /v1/invoices through the server `make run` runs, at 1,000,000 invoices, beside hand-written SQL.

Data: 10 organizations holding 1,000,000 invoices (`--quick`: 100,000), generated once with
`generate_invoices` and reused; the first organization's invoices are listed.

For each case the benchmark times the API (through `python -m config.server`, settings as `make run`
has them, a new connection per request) and SQL written here by hand for the same page and total (the
total counted only when the page does not tell it, as the API does), run through psycopg on one open
connection and serialised with `json`: the difference is what the HTTP server, Django, DRF and the API's
own queries (the API-key lookup among them) add. Goal: the first three medians under 10 ms and
at most 2x the hand-written SQL. Requests and SQL runs alternate, so load from elsewhere on the machine
hits both alike.

Then 8 client processes, each on a kept-alive connection, send the four cases in turn: requests/s. The
server's database connections are sampled from pg_stat_activity throughout: their peak, against the bound
WEB_WORKERS x WEB_THREADS.
"""

from __future__ import annotations

import functools
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psutil

from bench.common import Result
from tests.serving import ConnectionSampler, http_request, serving

ORGANIZATIONS = 10
APPLICATION_NAME = "invoicing-bench-api"  # libpq's PGAPPNAME for the server: its rows in pg_stat_activity
CONCURRENT_CLIENTS = 8
PAGE_SIZE = 50

# The item as the API documents it (README "The REST API"), written by hand.
ITEM_COLUMNS = """id, type, status, quantity, unit_id, start_date, end_date, invoice_number, facility_id,
    supplier_id, co2e, total_energy_kwh, cups, created_at, updated_at, facility_fuel_id, supply_contract_id,
    uploaded_by_id, source"""
ITEM_KEYS = [
    "id", "type", "status", "quantity", "unit_id", "start_date", "end_date", "invoice_id", "facility_id",
    "supplier_id", "co2e", "total_energy_kwh", "cups", "created_at", "updated_at", "facility_fuel_id",
    "supply_contract_id", "uploaded_by", "source",
]  # fmt: skip


class Case:
    """One request of the API and the hand-written SQL for the same page."""

    def __init__(self, name: str, query: str, where: str, order: str, *, offset: int = 0, fast: bool = True) -> None:
        self.name, self.query, self.where, self.order, self.offset, self.fast = name, query, where, order, offset, fast

    def path(self) -> str:
        return "/v1/invoices" + (f"?{self.query}" if self.query else "")

    def direct(self, conn: Any, organization_id: str) -> bytes:
        """The page and its total through psycopg, serialised with json."""
        params = {"organization": organization_id}
        rows = conn.execute(
            f"SELECT {ITEM_COLUMNS} FROM invoicing_invoice WHERE organization_id = %(organization)s {self.where} "
            f"ORDER BY {self.order} LIMIT {PAGE_SIZE} OFFSET {self.offset}",
            params,
        ).fetchall()
        if len(rows) < PAGE_SIZE and (rows or self.offset == 0):
            total = self.offset + len(rows)
        else:
            (total,) = conn.execute(
                f"SELECT count(*) FROM invoicing_invoice WHERE organization_id = %(organization)s {self.where}",
                params,
            ).fetchone()
        items = [{key: _json_value(key, value) for key, value in zip(ITEM_KEYS, row, strict=True)} for row in rows]
        page = self.offset // PAGE_SIZE + 1
        body = {"items": items, "total": total, "page": page, "size": PAGE_SIZE, "pages": -(-total // PAGE_SIZE)}
        return json.dumps(body).encode()


def _json_value(key: str, value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%dT23:59:59" if key == "end_date" else "%Y-%m-%dT00:00:00")
    if value is None or isinstance(value, str | int | list):
        return value
    return str(value)  # UUIDs


def _cases(total: int) -> list[Case]:
    deep = max(0, (total // PAGE_SIZE - 10) * PAGE_SIZE)
    return [
        Case("plain first page", "", "", "created_at DESC, id DESC"),
        Case(
            "two array filters + sort",
            "type[]=electricity&status[]=active&status[]=review&sort=-start_date",
            "AND type = ANY('{electricity}') AND status = ANY('{active,review}')",
            "start_date DESC, id DESC",
        ),
        Case(
            "partial invoice_id match",
            "invoice_id=2023-00012",
            "AND upper(invoice_number) LIKE upper('%%2023-00012%%')",
            "created_at DESC, id DESC",
        ),
        Case(
            "deep page",
            f"page={deep // PAGE_SIZE + 1}&size={PAGE_SIZE}",
            "",
            "created_at DESC, id DESC",
            offset=deep,
            fast=False,
        ),
    ]


def _ensure_data(quick: bool) -> tuple[Any, int]:
    from django.core.management import call_command

    from invoicing.models import Invoice, Organization

    total = 100_000 if quick else 1_000_000
    prefix = "Bench API quick" if quick else "Bench API"
    first = Organization.objects.filter(name=f"{prefix} 01").first()
    if first is None:
        print(f"  generating {total:,} invoices across {ORGANIZATIONS} organizations…", flush=True)
        began = time.monotonic()
        options = {"organizations": str(ORGANIZATIONS), "invoices": str(total), "name_prefix": prefix}
        call_command("generate_invoices", **options, stdout=sys.stderr)
        print(f"  generated in {time.monotonic() - began:.1f} s", flush=True)
        first = Organization.objects.get(name=f"{prefix} 01")
    return first, Invoice.objects.filter(organization=first).count()


def _timed(calls: list[Callable[[], object]], repeats: int) -> list[list[float]]:
    """Wall-clock samples of each call (ms), taken in turn."""
    samples: list[list[float]] = [[] for _ in calls]
    for _ in range(repeats):
        for index, call in enumerate(calls):
            began = time.perf_counter()
            call()
            samples[index].append((time.perf_counter() - began) * 1000)
    return samples


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def _client(port: int, paths: list[str], headers: dict[str, str], requests_count: int, start: Any) -> int:
    """One client process: `requests_count` requests on one kept-alive connection; returns how many were 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start.wait()
    ok = 0
    for number in range(requests_count):
        conn.request("GET", paths[number % len(paths)], headers=headers)
        response = conn.getresponse()
        response.read()
        ok += response.status == 200
    conn.close()
    return ok


def _throughput(port: int, paths: list[str], headers: dict[str, str], requests_per_client: int) -> tuple[float, int]:
    """Requests/s of CONCURRENT_CLIENTS client processes, and how many answers were 200."""
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with context.Pool(CONCURRENT_CLIENTS) as pool:
        results = pool.starmap_async(_client, [(port, paths, headers, requests_per_client, start)] * CONCURRENT_CLIENTS)
        time.sleep(1)  # the clients have connected
        began = time.perf_counter()
        start.set()
        ok = sum(results.get(timeout=3600))
        seconds = time.perf_counter() - began
    return CONCURRENT_CLIENTS * requests_per_client / seconds, ok


def run(options: Any) -> list[Result]:
    import psycopg
    from django.conf import settings

    from invoicing.services.organizations import api_key_create

    organization, count = _ensure_data(options.quick)
    key = api_key_create(organization=organization, name="bench").plaintext
    headers = {"x-api-key": key, "x-organization-id": str(organization.id)}
    repeats = 20 if options.quick else 200
    env = {**os.environ, "DEBUG": "0", "PGAPPNAME": APPLICATION_NAME}
    results: list[Result] = []
    sampler = ConnectionSampler(os.environ["DATABASE_URL"], APPLICATION_NAME)
    with sampler, serving(env) as server, psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        processes = [psutil.Process(server.process.pid), *psutil.Process(server.process.pid).children()]
        for case in _cases(count):
            response = http_request(server.port, "GET", case.path(), headers)
            assert response.status == 200, response.body[:300]
            api_total = json.loads(response.body)["total"]
            direct_total = json.loads(case.direct(conn, str(organization.id)))["total"]
            assert api_total == direct_total, (case.name, api_total, direct_total)
            calls: list[Callable[[], object]] = [
                functools.partial(http_request, server.port, "GET", case.path(), headers),
                functools.partial(case.direct, conn, str(organization.id)),
            ]
            _timed(calls, 3)  # warm up
            cpu_before = sum(sum(p.cpu_times()[:2]) for p in processes)
            api, direct = _timed(calls, repeats)
            server_cpu = (sum(sum(p.cpu_times()[:2]) for p in processes) - cpu_before) * 1000 / repeats
            ratio = statistics.median(api) / statistics.median(direct)
            extra = {"path": case.path(), "total": api_total}
            results += [
                Result(
                    f"{case.name}: API median",
                    statistics.median(api),
                    "ms",
                    target="< 10 ms" if case.fast else "",
                    ok=statistics.median(api) < 10 if case.fast else None,
                    extra=extra,
                ),
                Result(f"{case.name}: API p95", _p95(api), "ms"),
                Result(f"{case.name}: hand-written SQL + json median", statistics.median(direct), "ms", extra=extra),
                Result(f"{case.name}: hand-written SQL + json p95", _p95(direct), "ms"),
                Result(f"{case.name}: API / SQL (median)", ratio, "x", target="<= 2", ok=ratio <= 2),
                Result(f"{case.name}: server CPU per request", server_cpu, "ms"),
            ]
        per_client = 50 if options.quick else 500
        rate, ok = _throughput(server.port, [case.path() for case in _cases(count)], headers, per_client)
        assert ok == CONCURRENT_CLIENTS * per_client, f"{ok} of {CONCURRENT_CLIENTS * per_client} answers were 200"
        results.append(Result(f"requests/s, {CONCURRENT_CLIENTS} clients on kept-alive connections", rate, "req/s"))
    bound = settings.WEB_WORKERS * settings.WEB_THREADS
    name = "peak database connections of the server"
    results.append(Result(name, sampler.peak, "", target=f"<= {bound}", ok=sampler.peak <= bound))
    return results
