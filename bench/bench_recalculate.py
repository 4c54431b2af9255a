"""Recalculation jobs on real RQ workers, beside one hand-written set-based SQL UPDATE.

Data: one organization ("Bench recalc") generated once with COPY (invoicing.services.generation) and
reused; the jobs recalculate its electricity invoices for the `electricity` category (market-based,
the category with the most factor logic). Measured:
- 1 worker, N invoices (100,000; `--quick`: 20,000): invoices/s from dispatch to COMPLETED, and the
  ratio to `UPDATE invoicing_invoice SET co2e = quantity * factor` over the same rows (target >= 0.5);
- the worker's peak RSS (largest process of the worker's tree, work horse included) at N and at
  10 x N (1,000,000; `--quick`: 100,000): target < 300 MB, and not growing with the job size;
- 2 workers against 1 on the same N: the speed-up;
- POST /v1/invoices/recalculate with 10,000 ids: median latency (target < 200 ms), in process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench.common import Result, median_ms

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "Bench recalc"
CATEGORY = "electricity"


def run(options: Any) -> list[Result]:
    import django_rq
    from django.conf import settings

    quick = options.quick
    small, large = (20_000, 100_000) if quick else (100_000, 1_000_000)
    organization = _ensure_data(large)
    queue = django_rq.get_queue(settings.JOBS_QUEUE)
    if queue.count:
        print(f"  note: {queue.count} task(s) already queued; they will run first", flush=True)

    results: list[Result] = []
    _run_job(organization, small // 10, workers=1)  # warm-up: caches, factor tables, first connections
    one = _run_job(organization, small, workers=1)
    raw = _raw_update_seconds(one["job_id"])
    rate = small / one["seconds"]
    raw_rate = small / raw
    results.append(Result(f"1 worker, {small:,} invoices: invoices/s", rate, "inv/s"))
    results.append(Result("hand-written SQL UPDATE over the same rows", raw_rate, "inv/s"))
    ratio = rate / raw_rate
    results.append(Result("job speed / raw UPDATE speed", ratio, "x", target=">= 0.5", ok=ratio >= 0.5))
    results.append(Result(f"worker peak RSS at {small:,}", one["rss_mb"], "MB", target="< 300", ok=one["rss_mb"] < 300))
    big = _run_job(organization, large, workers=1)
    results.append(Result(f"worker peak RSS at {large:,}", big["rss_mb"], "MB", target="< 300", ok=big["rss_mb"] < 300))
    results.append(Result(f"1 worker, {large:,} invoices: invoices/s", large / big["seconds"], "inv/s"))
    two = _run_job(organization, small, workers=2)
    speedup = one["seconds"] / two["seconds"]
    results.append(Result(f"2 workers, {small:,} invoices: invoices/s", small / two["seconds"], "inv/s"))
    results.append(Result("speed-up of 2 workers over 1", speedup, "x", target="> 1", ok=speedup > 1))
    latency = _post_latency_ms(organization, repeats=5 if quick else 20)
    results.append(
        Result("POST /v1/invoices/recalculate, 10,000 ids: median", latency, "ms", target="< 200", ok=latency < 200)
    )
    return results


def _ensure_data(electricity_needed: int) -> Any:
    from invoicing.models import Invoice, Organization
    from invoicing.services.generation import invoices_generate

    # Reuse the organization generated for this size (or the first one, if large enough).
    sized = Organization.objects.filter(name=f"{PREFIX} {electricity_needed} 01").first()
    organization = sized or Organization.objects.filter(name=f"{PREFIX} 01").first()
    have = 0 if organization is None else _electricity(organization).count()
    if have < electricity_needed:
        prefix = f"{PREFIX} {electricity_needed}" if organization else PREFIX
        total = int(electricity_needed * 2.2)  # about half the generated invoices are electricity
        print(f"  generating {total:,} invoices (COPY)…", flush=True)
        result = invoices_generate(organizations=1, invoices=total, name_prefix=prefix)
        print(f"  generated in {result.seconds:.1f} s", flush=True)
        organization = result.organizations[0]
    assert Invoice.objects.filter(organization=organization).exists()
    return organization


def _electricity(organization: Any) -> Any:
    from invoicing.models import Invoice

    return Invoice.objects.filter(organization=organization, type="electricity")


def _first_ids(organization: Any, count: int) -> Any:
    """The first `count` electricity invoices by id, as a queryset that can still be filtered."""
    qs = _electricity(organization).order_by("id")
    last = qs.values_list("id", flat=True)[count - 1]
    return _electricity(organization).filter(id__lte=last)


def _run_job(organization: Any, count: int, *, workers: int) -> dict[str, Any]:
    from invoicing.services.recalculation import invoice_recalculation_start
    from jobs.models import ProcessingJob

    processes = [_start_worker() for _ in range(workers)]
    sampler = _RssSampler(processes)
    try:
        time.sleep(3)  # let the workers boot, so their start-up is not measured
        began = time.monotonic()
        result = invoice_recalculation_start(
            organization=organization,
            invoices=_first_ids(organization, count),
            activity_categories=[CATEGORY],
            trigger="command",
        )
        job_id = result.processing_job_ids[0]
        while ProcessingJob.objects.filter(id=job_id, status__in=["PENDING", "PROCESSING"]).exists():
            time.sleep(0.05)
        seconds = time.monotonic() - began
        job = ProcessingJob.objects.get(id=job_id)
        print(
            f"  {workers} worker(s), {count:,}: {job.status} in {seconds:.1f} s "
            f"({job.items_success:,} ok, {job.items_failed:,} failed), peak RSS {sampler.peak_mb:.0f} MB",
            flush=True,
        )
        return {"job_id": job_id, "seconds": seconds, "rss_mb": sampler.peak_mb}
    finally:
        sampler.stop()
        for process in processes:
            process.terminate()
            process.wait(timeout=60)


def _start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class _RssSampler:
    """Peak RSS of the largest process in the workers' trees (the work horse does the work)."""

    def __init__(self, processes: list[subprocess.Popen[bytes]]) -> None:
        self.roots = [psutil.Process(p.pid) for p in processes]
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for root in self.roots:
                try:
                    for process in [root, *root.children(recursive=True)]:
                        self.peak = max(self.peak, process.memory_info().rss)
                except psutil.Error:
                    pass
            time.sleep(0.02)

    @property
    def peak_mb(self) -> float:
        return self.peak / 1e6

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _raw_update_seconds(job_id: Any) -> float:
    """One set-based UPDATE of the same rows with the same factor, rolled back (the floor to compare with)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        began = time.monotonic()
        cursor.execute(
            "UPDATE invoicing_invoice i SET co2e = round(i.quantity * 0.275, 6) "
            "FROM (SELECT unnest(invoice_ids) AS invoice_id FROM jobs_processingjobchunk WHERE job_id = %s) p "
            "WHERE p.invoice_id = i.id",
            [job_id],
        )
        seconds = time.monotonic() - began
        transaction.set_rollback(True)
    return seconds


def _post_latency_ms(organization: Any, *, repeats: int) -> float:
    from django.test import Client

    from invoicing.services.organizations import api_key_create
    from jobs.models import ProcessingJob

    key = api_key_create(organization=organization).plaintext
    ids = [str(i) for i in _electricity(organization).order_by("id").values_list("id", flat=True)[:10_000]]
    body = json.dumps({"invoice_ids": ids, "activity_categories": [CATEGORY]})
    headers: dict[str, Any] = {"HTTP_X_API_KEY": key, "HTTP_X_ORGANIZATION_ID": str(organization.id)}
    client = Client()
    job_ids: list[str] = []

    def post() -> None:
        response = client.post("/v1/invoices/recalculate", body, content_type="application/json", **headers)
        assert response.status_code == 202, response.content
        job_ids.extend(response.json()["processing_job_ids"])

    latency = median_ms(post, repeats)  # after one request that warms up the process
    # The jobs were only needed for the timing: delete them (their queued start tasks then do nothing).
    ProcessingJob.objects.filter(id__in=job_ids).delete()
    return latency
