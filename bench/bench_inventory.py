"""The emissions inventory (GET /v1/emissions/summary) at 1,000,000 invoices in one organization.

Data: one organization ("Bench inventory …") generated once with the COPY generator of
`generate_invoices` (`invoicing.services.generation`) and reused, every category calculated by the
engine the recalculation jobs run (`invoicing.emissions.calculate_invoices`), chunk by chunk of
JOBS_CHUNK_SIZE invoices in their own transaction, as a job's chunks are (the RQ dispatch around it
is measured by bench_recalculate). The preparation resumes where it stopped: a chunk whose invoices all
have a result or a recorded failure for the category is skipped.

Measured, through Django's test client in-process (the server time of a request, API key
authentication included): the median of RUNS requests after a warm-up, of the year summary by month,
by facility and by category. Goal: each under 1 s.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench.common import Result

FULL_ROWS = 1_000_000
QUICK_ROWS = 50_000
RUNS = 5
TARGET_MS = 1000.0
YEAR = 2024  # the generator spreads invoices over 2021-2025


def run(options: Any) -> list[Result]:
    rows = QUICK_ROWS if options.quick else FULL_ROWS
    organization, prepared = _dataset(rows)
    results: list[Result] = []
    if prepared:
        results.append(Result("data set: generation and calculation", prepared, "s"))
    results.extend(_measure(organization))
    return results


def _dataset(rows: int) -> tuple[Any, float]:
    """The bench organization holding `rows` invoices, every category calculated: (organization, seconds spent)."""
    from invoicing.models import Organization
    from invoicing.services.generation import invoices_generate

    began = time.monotonic()
    prefix = f"Bench inventory {rows}"
    organization = Organization.objects.filter(name=f"{prefix} 01").first()
    if organization is None:
        print(f"  generating {rows:,} invoices (COPY)…", flush=True)
        organization = invoices_generate(organizations=1, invoices=rows, name_prefix=prefix).organizations[0]
        _shift_half_the_periods(organization)
    _calculate_all(organization)
    return organization, time.monotonic() - began


def _shift_half_the_periods(organization: Any) -> None:
    """Half the bills run from the 15th to the 14th of the next month, as meter readings do: the
    generator's bills are calendar months, which would leave the calendarization nothing to split."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE invoicing_invoice SET start_date = start_date + 14, end_date = end_date + 14 "
            "WHERE organization_id = %s AND hashtext(id::text) %% 2 = 0",
            [organization.id],
        )


def _calculate_all(organization: Any) -> None:
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Exists, OuterRef

    from invoicing.choices import CATEGORY_INVOICE_TYPES
    from invoicing.emissions import calculate_invoices
    from invoicing.models import Invoice, InvoiceCalculationFailure, InvoiceEmission

    chunk = settings.JOBS_CHUNK_SIZE
    for category, types in CATEGORY_INVOICE_TYPES.items():
        invoices = Invoice.objects.filter(organization=organization, type__in=types).order_by("id")
        outcome = Exists(InvoiceEmission.objects.filter(invoice=OuterRef("pk"), category=category)) | Exists(
            InvoiceCalculationFailure.objects.filter(invoice=OuterRef("pk"), category=category)
        )
        if not invoices.exclude(outcome).exists():
            continue  # every invoice calculated by an earlier run: one query instead of one per chunk
        last = None
        done, began = 0, time.monotonic()
        while True:
            page = invoices if last is None else invoices.filter(id__gt=last)
            ids = list(page.values_list("id", flat=True)[:chunk])
            if not ids:
                break
            last = ids[-1]
            outcomes = (
                InvoiceEmission.objects.filter(invoice_id__in=ids, category=category).count()
                + InvoiceCalculationFailure.objects.filter(invoice_id__in=ids, category=category).count()
            )
            if outcomes == len(ids):
                continue  # calculated by an earlier run
            with transaction.atomic():
                calculate_invoices(invoice_ids=ids, category=category)
            done += len(ids)
            if done % (chunk * 20) == 0:
                rate = done / (time.monotonic() - began)
                print(f"  {category}: {done:,} calculated ({rate:,.0f}/s)", flush=True)
        if done:
            print(f"  {category}: {done:,} calculated in {time.monotonic() - began:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) invoicing_invoiceemission")
        cursor.execute("VACUUM (ANALYZE) invoicing_invoice")
        cursor.execute("VACUUM (ANALYZE) invoicing_invoicemonth")


def _measure(organization: Any) -> list[Result]:
    from django.test import Client

    from invoicing.services.organizations import api_key_create

    key = api_key_create(organization=organization).plaintext
    headers: dict[str, Any] = {"HTTP_X_API_KEY": key, "HTTP_X_ORGANIZATION_ID": str(organization.id)}
    client = Client()
    results = []
    for group_by in ("month", "facility", "category"):
        timings = []
        for _ in range(RUNS + 1):
            began = time.perf_counter()
            response = client.get("/v1/emissions/summary", {"year": YEAR, "group_by": group_by}, **headers)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.content
        body = response.json()
        print(f"  by {group_by}: {len(body['groups'])} groups, coverage {body['coverage']}", flush=True)
        median = statistics.median(timings[1:])  # the first request warms up the process and the cache
        results.append(
            Result(
                f"GET /v1/emissions/summary?year={YEAR}&group_by={group_by}: median",
                median,
                "ms",
                target=f"< {TARGET_MS:.0f}",
                ok=median < TARGET_MS,
            )
        )
    return results
