"""Jobs over invoices with known outcomes, for the tests of what a job shows (API, admin, browser)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date

from invoicing.models import Invoice
from invoicing.services.recalculation import invoice_recalculation_start
from jobs.models import ProcessingJob
from tests.conftest import Tenant
from tests.factories import make_facility_fuel, make_invoice

RunJobs = Callable[[Iterable[uuid.UUID]], list[ProcessingJob]]


def bills_of_1990(tenant: Tenant, count: int = 5) -> list[Invoice]:
    """Electricity bills of January 1990, before any published factor: market-based fails NO_FACTOR."""
    return [
        make_invoice(tenant.facility, start_date=date(1990, 1, 1), end_date=date(1990, 1, 31)) for _ in range(count)
    ]


def mixed_heat_bills(tenant: Tenant) -> list[Invoice]:
    """Six heat bills for fuel combustion: 3 natural-gas bills of 2024 succeed (1,500 kWh x MITECO's 0.182),
    2 without a facility fuel fail NO_FUEL and 1 of 1990 fails NO_FACTOR."""
    gas = make_facility_fuel(tenant.facility, "natural_gas")
    invoices = [make_invoice(tenant.facility, type="heat", facility_fuel=gas) for _ in range(3)]
    invoices += [make_invoice(tenant.facility, type="heat", facility_fuel=None) for _ in range(2)]
    invoices.append(
        make_invoice(
            tenant.facility, type="heat", facility_fuel=gas, start_date=date(1990, 1, 1), end_date=date(1990, 1, 31)
        )
    )
    return invoices


def recalculation_start(tenant: Tenant, invoices: list[Invoice], category: str) -> uuid.UUID:
    """The id of the job of `category` over `invoices`, started as the admin would."""
    result = invoice_recalculation_start(
        organization=tenant.organization,
        invoices=[i.id for i in invoices],
        activity_categories=[category],
        trigger="admin",
    )
    (job_id,) = result.processing_job_ids
    return job_id


def recalculated(tenant: Tenant, invoices: list[Invoice], category: str, run_jobs: RunJobs) -> ProcessingJob:
    """That job, run to its end."""
    (job,) = run_jobs([recalculation_start(tenant, invoices, category)])
    return job


def all_failing_job(tenant: Tenant, run_jobs: RunJobs, *, count: int = 5) -> ProcessingJob:
    return recalculated(tenant, bills_of_1990(tenant, count), "electricity", run_jobs)


def mixed_job(tenant: Tenant, run_jobs: RunJobs) -> ProcessingJob:
    return recalculated(tenant, mixed_heat_bills(tenant), "stationary", run_jobs)
