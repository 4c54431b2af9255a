"""`recalculate_invoices --wait` against a real RQ worker, the real engine and the test database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from invoicing.models import InvoiceEmission
from jobs.models import ProcessingJob
from tests.factories import make_facility_fuel, make_invoice

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_wait_follows_the_jobs_until_they_complete(acme, worker):
    first, second = make_invoice(acme.facility), make_invoice(acme.facility)
    stdout = StringIO()

    call_command(
        "recalculate_invoices",
        "--organization",
        str(acme.organization.id),
        "--category",
        "electricity",
        "--category",
        "energy",
        "--type",
        "electricity",
        "--wait",
        "--timeout",
        "120",
        stdout=stdout,
        stderr=StringIO(),
    )

    jobs = {job.activity_category: job for job in ProcessingJob.objects.all()}
    lines = stdout.getvalue().splitlines()
    assert lines[-3:] == [
        "Finished:",
        f"  {jobs['electricity'].id}  electricity: COMPLETED, 2 calculated, 0 failed of 2",
        f"  {jobs['energy'].id}  energy: COMPLETED, 2 calculated, 0 failed of 2",
    ]
    assert InvoiceEmission.objects.filter(invoice__in=[first, second]).count() == 4


def test_wait_exits_non_zero_with_the_reasons_when_an_invoice_cannot_be_calculated(acme, worker):
    fuel = make_facility_fuel(acme.facility, "natural_gas")
    make_invoice(acme.facility, type="heat", facility_fuel=fuel, invoice_number="GAS-1")
    make_invoice(acme.facility, type="heat", facility_fuel=None, invoice_number="GAS-2")
    stderr = StringIO()

    with pytest.raises(CommandError) as error:
        call_command(
            "recalculate_invoices",
            "--organization",
            str(acme.organization.id),
            "--category",
            "stationary",
            "--type",
            "heat",
            "--wait",
            "--timeout",
            "120",
            stdout=StringIO(),
            stderr=stderr,
        )

    assert str(error.value) == "1 invoice could not be calculated; the reasons are above."
    assert stderr.getvalue().splitlines() == [
        "1 invoice, stationary: NO_FUEL: The heat invoice has no facility fuel, so no fuel factor applies.",
        "Every failed invoice with its message: the job's page in the admin, "
        "or GET /v1/processing-jobs/<job id>/errors.",
    ]


def test_imported_invoices_get_their_emissions_from_a_real_worker(acme_gas, worker, write_csv, run_command):
    from invoicing.models import Invoice
    from jobs.models import ACTIVE_STATUSES
    from tests.invoicing.commands.conftest import electricity_row, heat_row, water_row
    from tests.workers import wait_until

    path = write_csv([electricity_row(), heat_row(), water_row()])

    run_command("import_invoices", str(path), "--organization", str(acme_gas.organization.id))
    wait_until(lambda: not ProcessingJob.objects.filter(status__in=ACTIVE_STATUSES).exists(), what="the import's jobs")

    invoices = {invoice.type: invoice for invoice in Invoice.objects.all()}
    assert (invoices["electricity"].co2e or 0) > 0
    assert invoices["electricity"].total_energy_kwh == invoices["electricity"].quantity
    assert (invoices["heat"].co2e or 0) > 0
    assert invoices["water"].co2e is None
