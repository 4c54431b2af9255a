from __future__ import annotations

import datetime

import pytest
from django.core.management.base import CommandError

from jobs.models import ProcessingJob
from jobs.selectors import processing_job_invoices
from tests.factories import make_facility, make_facility_fuel, make_invoice
from tests.invoicing.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def recalc_args(tenant, *extra):  # type: ignore[no-untyped-def]
    return ("recalculate_invoices", "--organization", str(tenant.organization.id), *extra)


def test_it_starts_one_job_per_category_over_the_selected_invoices_and_prints_their_ids(acme, borealis, run_command):
    january = make_invoice(acme.facility)
    february = make_invoice(acme.facility, start_date=datetime.date(2024, 2, 1), end_date=datetime.date(2024, 2, 29))
    make_invoice(acme.facility, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31))
    make_invoice(borealis.facility)

    output = run_command(
        *recalc_args(acme, "--category", "electricity", "--category", "energy", "--category", "electricity"),
        "--type",
        "electricity",
        "--start-date",
        "2024-01-01",
        "--end-date",
        "2024-12-31",
    )

    jobs = ProcessingJob.objects.order_by("activity_category")
    assert [(job.activity_category, job.trigger, job.items_total) for job in jobs] == [
        ("electricity", "command", 2),
        ("energy", "command", 2),
    ]
    assert output.stdout.splitlines() == [
        "2 invoices enqueued in 2 jobs:",
        f"  {jobs[0].id}  electricity",
        f"  {jobs[1].id}  energy",
    ]
    assert set(processing_job_invoices(job=jobs[0])) == {january, february}


def test_it_selects_by_facility_name_invoice_number_and_id(acme, run_command):
    other_site = make_facility(acme.organization, name="Sevilla store")
    target = make_invoice(other_site, invoice_number="FAC-2024-77")
    make_invoice(other_site, invoice_number="FAC-2024-78")
    by_id = make_invoice(acme.facility)

    run_command(*recalc_args(acme, "--category", "electricity", "--facility", "sevilla store", "--invoice-id", "-77"))
    run_command(*recalc_args(acme, "--category", "energy", "--id", str(by_id.id)))

    assert list(processing_job_invoices(job=ProcessingJob.objects.get(activity_category="electricity"))) == [target]
    assert list(processing_job_invoices(job=ProcessingJob.objects.get(activity_category="energy"))) == [by_id]


def test_all_selects_every_invoice_of_the_organization(acme, borealis, run_command):
    make_invoice(acme.facility)
    make_invoice(acme.facility)
    make_invoice(borealis.facility)

    output = run_command(*recalc_args(acme, "--category", "electricity", "--all"))

    assert output.stdout.splitlines()[0] == "2 invoices enqueued in 1 job:"


def test_all_leaves_out_the_invoices_the_categories_do_not_apply_to_and_says_how_many(acme, run_command):
    make_invoice(acme.facility)
    make_invoice(acme.facility, type="water", unit_code="m3")
    make_invoice(acme.facility, type="heat", facility_fuel=make_facility_fuel(acme.facility), unit_code="kwh")

    output = run_command(*recalc_args(acme, "--category", "electricity", "--all"))

    assert output.stdout.splitlines()[:2] == [
        "Left out 2 invoices the categories do not apply to (1 heat, 1 water).",
        "1 invoice enqueued in 1 job:",
    ]
    assert ProcessingJob.objects.get().items_total == 1


def test_nothing_matched_starts_no_job(acme, run_command):
    output = run_command(*recalc_args(acme, "--category", "electricity", "--status", "error"))

    assert output.stdout == "No invoices matched; no job was started.\n"
    assert not ProcessingJob.objects.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ("--category", "scope4", "--all"),
            "--category: unknown activity category 'scope4'; expected one of stationary, stationary_generation, "
            "electricity, electricity_location_based, electricity_generation, "
            "electricity_transmission_and_distribution, energy. [VALIDATION_ERROR]",
        ),
        (("--all",), "Give at least one --category. [VALIDATION_ERROR]"),
        (
            ("--category", "electricity"),
            "Choose the invoices with --type, --status, --facility, --start-date, --end-date, --invoice-id or --id, "
            "or pass --all for every invoice of the organization. [VALIDATION_ERROR]",
        ),
        (
            ("--category", "electricity", "--all", "--type", "heat"),
            "--all cannot be combined with other selectors. [VALIDATION_ERROR]",
        ),
        (
            ("--category", "electricity", "--type", "gas"),
            "--type: unknown invoice type 'gas'; expected one of heat, electricity, water, recharge. "
            "[VALIDATION_ERROR]",
        ),
        (
            ("--category", "electricity", "--facility", "Paris office"),
            "--facility: no facility 'Paris office' in Acme Energía S.L. [NOT_FOUND]",
        ),
        (
            ("--category", "electricity", "--start-date", "2024-31-01"),
            "--start-date: 2024-31-01 is not a date that exists. [VALIDATION_ERROR]",
        ),
        (
            ("--category", "electricity", "--end-date", "31/01/2024"),
            "--end-date: Enter a date as YYYY-MM-DD, not '31/01/2024'. [VALIDATION_ERROR]",
        ),
        (
            ("--category", "electricity", "--id", "INV-1"),
            "--id must be a UUID, not 'INV-1'. [VALIDATION_ERROR]",
        ),
    ],
)
def test_bad_options_are_one_clear_error(acme, run_command, extra, message):
    with pytest.raises(CommandError) as error:
        run_command(*recalc_args(acme, *extra))

    assert str(error.value) == message
    assert not ProcessingJob.objects.exists()


def test_an_unknown_organization_is_refused(run_command, db):
    with pytest.raises(CommandError) as error:
        run_command(
            "recalculate_invoices", "--organization", "7d3c1b7e-0000-4000-8000-000000000000", "--category", "energy"
        )

    assert str(error.value) == "No organization with id 7d3c1b7e-0000-4000-8000-000000000000. [NOT_FOUND]"


def test_the_shared_rules_of_the_service_apply(acme, run_command):
    make_invoice(acme.facility)
    make_invoice(acme.facility, type="heat", facility_fuel=make_facility_fuel(acme.facility), unit_code="kwh")
    make_invoice(acme.facility, type="water", unit_code="m3", start_date=datetime.date(2022, 1, 1))

    with pytest.raises(CommandError) as mixed:
        run_command(*recalc_args(acme, "--category", "electricity", "--start-date", "2024-01-01"))
    with pytest.raises(CommandError) as mismatch:
        run_command(*recalc_args(acme, "--category", "stationary", "--type", "electricity"))
    with pytest.raises(CommandError) as unsupported:
        run_command(*recalc_args(acme, "--category", "energy", "--type", "water"))

    assert str(mixed.value).endswith("[MIXED_INVOICE_TYPES]")
    assert str(mismatch.value).endswith("[ACTIVITY_CATEGORY_MISMATCH]")
    assert str(unsupported.value).endswith("[UNSUPPORTED_INVOICE_TYPE]")


@pytest.mark.parametrize(
    ("options", "params"),
    [
        (("--type", "electricity"), {"type[]": "electricity"}),
        (("--status", "review", "--status", "error"), {"status[]": ["review", "error"]}),
        (("--start-date", "2024-02-01"), {"start_date": "2024-02-01"}),
        (("--end-date", "2024-01-31"), {"end_date": "2024-01-31"}),
        (("--invoice-id", "abc"), {"invoice_id": "abc"}),
        (("--facility", "Sevilla store"), {"facility_id[]": "{sevilla}"}),
        (
            ("--type", "electricity", "--start-date", "2024-01-01", "--end-date", "2024-12-31"),
            {"type[]": "electricity", "start_date": "2024-01-01", "end_date": "2024-12-31"},
        ),
    ],
)
def test_the_command_selects_what_the_api_lists_for_the_same_filters(acme, run_command, options, params):
    sevilla = make_facility(acme.organization, name="Sevilla store")
    make_invoice(acme.facility, invoice_number="N-ABC-1", status="review")
    make_invoice(
        sevilla, invoice_number="n-abc-2", start_date=datetime.date(2024, 2, 1), end_date=datetime.date(2024, 2, 29)
    )
    make_invoice(acme.facility, invoice_number="X-3", status="error", start_date=datetime.date(2023, 12, 1),
                 end_date=datetime.date(2023, 12, 31))  # fmt: skip
    make_invoice(
        sevilla, invoice_number="ABC-4", start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 1, 31)
    )
    params = {name: str(sevilla.id) if value == "{sevilla}" else value for name, value in params.items()}
    listed = {item["id"] for item in ApiClient(acme).get("/v1/invoices", {**params, "size": 100}).json()["items"]}

    run_command(*recalc_args(acme, "--category", "energy", *options))

    job = ProcessingJob.objects.get()
    assert listed
    assert {str(invoice.id) for invoice in processing_job_invoices(job=job)} == listed
