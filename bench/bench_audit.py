"""Bill audits at 1,000,000 invoices in one organization (`--only audit`; `--quick`: 100,000).

Data: one organization ("Bench audit 01") generated once with `invoices_generate`, which audits its
bills as every path that writes invoices does (the findings are computed in its transaction); the time
that took is reported when the data set is made. Then, on the kept data:

- the first page of `GET /v1/invoices/audit` (and filtered by one code) through Django's test client
  with an API key, as a client calls it: medians of 7 requests. Goal: under 1 s.
- the first page of `GET /v1/invoices` with `audit_codes`: median of 7.
- what keeping the findings costs: the audit of the whole organization again (what generation and a
  first migration pay), and of its largest supply point (what one create, correction or deletion of
  a bill pays on top of its own write), medians of 3, rolled back.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from bench.common import Result, median_ms

PREFIX = "Bench audit"
REPEATS = 7


class _Rollback(Exception):
    pass


def _ensure_data(quick: bool) -> tuple[Any, float | None]:
    from invoicing.models import Organization
    from invoicing.services.generation import invoices_generate

    total = 100_000 if quick else 1_000_000
    prefix = f"{PREFIX} {total}"
    organization = Organization.objects.filter(name=f"{prefix} 01").first()
    if organization is not None:
        return organization, None
    print(f"  generating {total:,} invoices with their audit…", flush=True, file=sys.stderr)
    result = invoices_generate(organizations=1, invoices=total, name_prefix=prefix)
    return result.organizations[0], result.seconds


def _rolled_back(call: Callable[[], object]) -> Callable[[], None]:
    from django.db import transaction

    def run() -> None:
        try:
            with transaction.atomic():
                call()
                raise _Rollback
        except _Rollback:
            pass

    return run


def run(options: Any) -> list[Result]:
    from django.db.models import Count
    from django.test import Client

    from invoicing.models import Facility, Invoice, InvoiceAuditFinding
    from invoicing.services.audits import invoice_audit_refresh
    from invoicing.services.organizations import api_key_create

    organization, generated_seconds = _ensure_data(options.quick)
    invoices = Invoice.objects.filter(organization=organization).count()
    findings = dict(
        InvoiceAuditFinding.objects.filter(organization=organization)
        .values_list("code")
        .annotate(n=Count("id"))
        .values_list("code", "n")
    )
    print(f"  {invoices:,} invoices, findings: {findings}", flush=True)
    key = api_key_create(organization=organization, name="bench audit").plaintext
    client = Client(HTTP_X_API_KEY=key, HTTP_X_ORGANIZATION_ID=str(organization.id))

    def get(path: str) -> Callable[[], None]:
        def call() -> None:
            response = client.get(path)
            assert response.status_code == 200, response.content

        return call

    get("/v1/invoices/audit")()  # warm up: schema, caches
    facility = Facility.objects.filter(organization=organization).order_by("name").values_list("id", flat=True)[0]
    results = []
    if generated_seconds is not None:
        results.append(Result("generate invoices + audit them (one transaction)", generated_seconds, "s"))
    for name, path in [
        ("GET /v1/invoices/audit first page (median)", "/v1/invoices/audit"),
        ("GET /v1/invoices/audit?code[]=DUPLICATE first page (median)", "/v1/invoices/audit?code[]=DUPLICATE"),
        ("GET /v1/invoices/audit?start_date=2025-06-01 (median)", "/v1/invoices/audit?start_date=2025-06-01"),
        ("GET /v1/invoices/audit?facility_id[]=<one site> (median)", f"/v1/invoices/audit?facility_id[]={facility}"),
    ]:
        value = median_ms(get(path), REPEATS, warmup=0)
        results.append(Result(name, value, "ms", target="< 1000 ms", ok=value < 1000))
    results.append(
        Result(
            "GET /v1/invoices first page with audit_codes (median)",
            median_ms(get("/v1/invoices"), REPEATS, warmup=0),
            "ms",
        )
    )

    largest = (
        Invoice.objects.filter(organization=organization)
        .values("supply_point")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert largest is not None
    one = median_ms(
        _rolled_back(
            lambda: invoice_audit_refresh(organization_id=organization.id, supply_points=[largest["supply_point"]])
        ),
        3,
        warmup=0,
    )
    results.append(Result(f"re-audit the largest supply point ({largest['n']:,} bills), per write", one, "ms"))
    whole = median_ms(
        _rolled_back(lambda: invoice_audit_refresh(organization_id=organization.id, everything=True)), 3, warmup=0
    )
    results.append(Result(f"re-audit the whole organization ({invoices:,} bills)", whole / 1000, "s"))
    results.append(Result("re-audit a supply point of 60 monthly bills, per write", _realistic_write_ms(), "ms"))
    return results


def _realistic_write_ms() -> float:
    """A supply point as bills come in real life (one a month for five years, one of them late)."""
    from datetime import date, timedelta
    from decimal import Decimal

    from invoicing.models import Facility, Invoice, Organization, Supplier, SupplyContract, Unit
    from invoicing.services.audits import invoice_audit_refresh
    from invoicing.services.invoices import invoice_create

    organization, created = Organization.objects.get_or_create(name=f"{PREFIX} one meter", country="ES")
    if created:
        facility = Facility.objects.create(organization=organization, name="Office", country="ES")
        SupplyContract.objects.create(
            facility=facility, supplier=Supplier.objects.get(code="iberdrola-clientes"), start_date=date(2020, 1, 1)
        )
        start = date(2021, 1, 1)
        for month in range(60):
            end = start + timedelta(days=29 if month != 30 else 35)
            invoice_create(
                organization=organization,
                type="electricity",
                quantity=Decimal(3000 + 37 * month),
                unit_id=Unit.objects.get(code="kwh").id,
                start_date=start,
                end_date=end,
                facility_id=facility.id,
                invoice_number=f"M-{month:03d}",
            )
            start = end + timedelta(days=1)
    key = Invoice.objects.filter(organization=organization).values_list("supply_point", flat=True)[0]
    return median_ms(
        _rolled_back(lambda: invoice_audit_refresh(organization_id=organization.id, supply_points=[key])),
        REPEATS,
        warmup=0,
    )
