from __future__ import annotations

import time
import uuid
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import Count, Min

from invoicing.api.filters import invoices_filtered
from invoicing.choices import CATEGORY_INVOICE_TYPES, ActivityCategory, InvoiceStatus, InvoiceType
from invoicing.errors import NotFoundError, ValidationError
from invoicing.management.base import (
    DomainCommand,
    ProgressBars,
    organization_from_option,
    parse_date,
    parse_uuid,
    user_from_option,
)
from invoicing.models import Facility, Organization
from invoicing.selectors.invoices import invoice_list
from invoicing.services.recalculation import invoice_recalculation_start
from invoicing.text import counted
from jobs.models import JobStatus, ProcessingJob
from jobs.selectors import processing_job_error_counts

SELECTORS = ("type", "status", "facility", "start_date", "end_date", "invoice_id", "id")
MAX_REASONS = 10


class Command(DomainCommand):
    help = (
        "Recalculate the emissions of an organization's invoices for the given activity categories, with the "
        "same service as the API and the admin: one background job per category. Choose the invoices with the "
        "API's filters, or --all. Prints the job ids; with --wait shows a progress bar per job and exits "
        "non-zero if a job failed or an invoice could not be calculated. Example: manage.py recalculate_invoices "
        "--organization 3f2c...e1 --category electricity --category electricity_location_based "
        "--type electricity --start-date 2024-01-01 --end-date 2024-12-31 --wait"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, help="Id of the organization.")
        parser.add_argument(
            "--category",
            action="append",
            default=[],
            help=f"Activity category to recalculate (repeatable): {', '.join(ActivityCategory.values)}.",
        )
        selectors = parser.add_argument_group("selectors (combined with AND; repeatable ones with OR)")
        selectors.add_argument("--type", action="append", default=[], help="Invoice type (repeatable).")
        selectors.add_argument("--status", action="append", default=[], help="Invoice status (repeatable).")
        selectors.add_argument("--facility", action="append", default=[], help="Facility name or id (repeatable).")
        selectors.add_argument("--start-date", help="Invoices whose period starts on or after this date (YYYY-MM-DD).")
        selectors.add_argument("--end-date", help="Invoices whose period ends on or before this date (YYYY-MM-DD).")
        selectors.add_argument(
            "--invoice-id", help="Partial, case-insensitive match on the invoice number, as the API's invoice_id."
        )
        selectors.add_argument("--id", action="append", default=[], help="Exact invoice id (UUID; repeatable).")
        selectors.add_argument("--all", action="store_true", help="Every invoice of the organization.")
        parser.add_argument("--user", help="Username recorded as the job's trigger (default: none).")
        parser.add_argument("--wait", action="store_true", help="Wait for the jobs, with a progress bar per job.")
        parser.add_argument("--timeout", type=float, help="With --wait: give up after this many seconds.")
        parser.add_argument("--no-progress", action="store_true", help="With --wait: hide the progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_from_option(options["organization"])
        categories = _choices(options["category"], ActivityCategory.values, "--category", "activity category")
        if not categories:
            raise ValidationError("Give at least one --category.")
        invoices = self._selection(organization, options)
        left_out: dict[str, int] = {}
        if options["all"]:
            # Every invoice the categories apply to; the others (water, recharge…) are counted, not refused.
            types = set.intersection(*(set(CATEGORY_INVOICE_TYPES[category]) for category in categories))
            left_out = dict(
                invoices.exclude(type__in=types).values_list("type").annotate(count=Count("id")).order_by("type")
            )
            invoices = invoices.filter(type__in=types)
        result = invoice_recalculation_start(
            organization=organization,
            invoices=invoices,
            activity_categories=categories,
            trigger="command",
            triggered_by=user_from_option(options["user"]),
        )
        if left_out:
            kinds = ", ".join(f"{count} {kind}" for kind, count in left_out.items())
            total = sum(left_out.values())
            self.stdout.write(f"Left out {counted(total, 'invoice')} the categories do not apply to ({kinds}).")
        if not result.processing_job_ids:
            self.stdout.write("No invoices matched; no job was started.")
            return
        jobs_count = len(result.processing_job_ids)
        self.stdout.write(f"{counted(result.count, 'invoice')} enqueued in {counted(jobs_count, 'job')}:")
        jobs = list(ProcessingJob.objects.filter(id__in=result.processing_job_ids).order_by("activity_category"))
        for job in jobs:
            self.stdout.write(f"  {job.id}  {job.activity_category}")
        if options["wait"]:
            self._wait([job.id for job in jobs], timeout=options["timeout"], progress=not options["no_progress"])

    @staticmethod
    def _selection(organization: Organization, options: dict[str, Any]):  # type: ignore[no-untyped-def]
        given = [name for name in SELECTORS if options[name]]
        if options["all"] and given:
            raise ValidationError("--all cannot be combined with other selectors.")
        if not options["all"] and not given:
            raise ValidationError(
                "Choose the invoices with --type, --status, --facility, --start-date, --end-date, --invoice-id "
                "or --id, or pass --all for every invoice of the organization."
            )
        params: dict[str, list[Any]] = {
            "type": _choices(options["type"], InvoiceType.values, "--type", "invoice type"),
            "status": _choices(options["status"], InvoiceStatus.values, "--status", "invoice status"),
            "facility_id": [_facility_id(organization, value) for value in options["facility"]],
        }
        for option, name in (("start_date", "start_date"), ("end_date", "end_date")):
            if options[option]:
                flag = f"--{option.replace('_', '-')}"
                params[name] = [parse_date(options[option], option=flag)]
        if options["invoice_id"]:
            params["invoice_id"] = [options["invoice_id"]]
        invoices = invoice_list(organization=organization)
        if options["id"]:
            invoices = invoices.filter(id__in=[parse_uuid(value, what="--id") for value in options["id"]])
        # The filters of GET /v1/invoices, so that a selection means the same thing here and in the API.
        return invoices_filtered(invoices, {name: values for name, values in params.items() if values})

    def _wait(self, job_ids: list[uuid.UUID], *, timeout: float | None, progress: bool) -> None:
        deadline = time.monotonic() + timeout if timeout else None
        with ProgressBars(enabled=progress, unit="invoice") as bars:
            while True:
                jobs = list(ProcessingJob.objects.filter(id__in=job_ids).order_by("activity_category"))
                for job in jobs:
                    label = f"{job.activity_category} [{job.status}]"
                    bars(str(job.id), job.items_done, job.items_total, description=label)
                if not any(job.is_active for job in jobs):
                    break
                if deadline is not None and time.monotonic() > deadline:
                    running = ", ".join(str(job.id) for job in jobs if job.is_active)
                    raise CommandError(f"Timed out after {timeout:g} s; still running: {running}.")
                time.sleep(0.5)
        self.stdout.write("Finished:")
        for job in jobs:
            self.stdout.write(
                f"  {job.id}  {job.activity_category}: {job.status}, "
                f"{job.items_success} calculated, {job.items_failed} failed of {job.items_total}"
            )
        failed_jobs = [job for job in jobs if job.status != JobStatus.COMPLETED]
        failed_invoices = sum(job.items_failed for job in jobs)
        if not failed_jobs and not failed_invoices:
            return
        for job in failed_jobs:
            self.stderr.write(f"Job {job.id} ({job.activity_category}) {job.status}: {job.failure_reason or '-'}")
        categories = {job.id: job.activity_category for job in jobs}
        # The grouping of the API and the admin (by job and code), with one of each group's messages.
        reasons = processing_job_error_counts(job_ids=job_ids).annotate(
            example=Min("message"), messages=Count("message", distinct=True)
        )
        for reason in reasons.order_by("-count", "code")[:MAX_REASONS]:
            several = reason["messages"] > 1
            said = f"{reason['messages']} different messages, e.g. " if several else ""
            self.stderr.write(
                f"{counted(reason['count'], 'invoice')}, {categories[reason['job_id']]}: "
                f"{reason['code']}: {said}{reason['example']}"
            )
        if failed_invoices:
            self.stderr.write(
                "Every failed invoice with its message: the job's page in the admin, "
                "or GET /v1/processing-jobs/<job id>/errors."
            )
        problems = []
        if failed_jobs:
            problems.append(f"{len(failed_jobs)} of {len(jobs)} jobs did not complete")
        if failed_invoices:
            problems.append(f"{counted(failed_invoices, 'invoice')} could not be calculated")
        raise CommandError(f"{' and '.join(problems).capitalize()}; the reasons are above.")


def _choices(values: list[str], allowed: list[str], option: str, what: str) -> list[str]:
    for value in values:
        if value not in allowed:
            raise ValidationError(f"{option}: unknown {what} {value!r}; expected one of {', '.join(allowed)}.")
    return list(dict.fromkeys(values))


def _facility_id(organization: Organization, value: str) -> uuid.UUID:
    facilities = Facility.objects.filter(organization=organization)
    try:
        facility = facilities.filter(id=uuid.UUID(value)).first()
    except ValueError:
        facility = facilities.filter(name__iexact=value.strip()).first()
    if facility is None:
        raise NotFoundError(f"--facility: no facility {value!r} in {organization.name.rstrip('.')}.")
    return facility.id
