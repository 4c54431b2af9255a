"""The emissions inventory of an organization: stored results spread over calendar months by days.

One reader for the API (`GET /v1/emissions/summary` and its CSV/XLSX exports) and the admin's
"Emissions inventory" page: `emissions_summary(...)` returns an `EmissionsSummary`; docs/inventory.md
says what each figure means. Two queries, both set-based SQL written here (no loop over invoices):

- `_summary_sql` sums the InvoiceMonth rows of the window's months (each invoice's share of each of its
  results in each calendar month of its period, kept from the result rows by invoicing.emissions.figures)
  per group, one sum per (category, figure) column; Python adds those up into the eight figures;
- COVERAGE_SQL counts the invoices overlapping the window: with a result for every category of their
  type, with a recorded failure (by InvoiceCalculationFailure code), or neither yet, from the counts and
  codes kept on the invoices.

**Calendarization** (done when the month rows are written). An invoice's period covers
`days = end_date - start_date + 1` days (both ends included). The share of an amount `a` in the month
piece `[p_start, p_end]` of the period is
`round(a * (p_end - start_date + 1) / days, 6) - round(a * (p_start - start_date) / days, 6)`: the
rounded cumulative amount at the piece's end minus that at its start. A row the engine split by
calendar year (its year parts) has each year's part spread so over that year's days. The shares of an
amount therefore add up to it exactly (the last piece takes the remainder, as the engine's year split
does), every figure is a sum of numbers with 6 decimals (the stored kg precision), and totals are the
same whatever the grouping: windows are whole months. PostgreSQL's `round` rounds half away from zero.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils.dates import MONTHS

from invoicing.choices import CATEGORY_INVOICE_TYPES, ActivityCategory
from invoicing.emissions.figures import CATEGORY_FIGURES, FIGURE_KEYS, MONTH_COLUMNS
from invoicing.errors import AuditCode, CalculationFailureCode, InvalidReportingPeriod, ValidationError
from invoicing.models import Facility, Invoice, Organization
from jobs.models import ACTIVE_STATUSES, ChunkStatus

from .audits import audit_finding_list, findings_in_window
from .reference import facility_list


class GroupBy:
    MONTH = "month"
    FACILITY = "facility"
    CATEGORY = "category"
    CHOICES = (MONTH, FACILITY, CATEGORY)


MAX_WINDOW_MONTHS = 120

# What the months' shares are summed by: the month, the facility, or nothing (one row).
_GROUP_KEYS = {
    GroupBy.MONTH: "m.month",
    GroupBy.FACILITY: "m.facility_id",
    GroupBy.CATEGORY: "NULL",
}


def _summary_sql(group_by: str) -> str:
    sums = ", ".join(f"SUM(m.{column})" for column in MONTH_COLUMNS)
    return f"""
    SELECT {_GROUP_KEYS[group_by]} AS key, {sums}
    FROM invoicing_invoicemonth AS m
    WHERE m.organization_id = %(organization)s AND m.month BETWEEN %(start)s AND %(end)s
      AND (%(facilities)s::uuid[] IS NULL OR m.facility_id = ANY(%(facilities)s::uuid[]))
    GROUP BY 1
    """


# The invoices of the window, the organization's heat and electricity bills (the types with activity
# categories) whose period shares at least one day with it, of the facilities asked for, counted by outcome:
# (failure codes, complete, how many), a few rows. Read from the index invoice_org_end_window alone.
COVERAGE_SQL = """
    -- Invoices that a job has still to (re)calculate (after a correction, say): their stored results are
    -- from before the change, so they are not "calculated" yet. The pending chunks of the organization's
    -- active jobs, few at any time (the job_chunk_pending_invoices partial index).
    WITH queued AS (
        SELECT DISTINCT u.id
        FROM jobs_processingjobchunk AS c
        JOIN jobs_processingjob AS j ON j.id = c.job_id
        CROSS JOIN LATERAL unnest(c.invoice_ids) AS u(id)
        WHERE c.status = %(pending_chunk)s AND j.status = ANY(%(active_jobs)s::text[])
          AND j.organization_id = %(organization)s
    )
    SELECT i.failure_codes, i.calculated_categories >= t.categories AND q.id IS NULL AS complete, count(*)
    FROM invoicing_invoice AS i
    JOIN unnest(%(types)s::text[], %(type_categories)s::int[]) AS t(type, categories) ON t.type = i.type
    LEFT JOIN queued AS q ON q.id = i.id
    WHERE i.organization_id = %(organization)s
      AND i.start_date <= %(end)s AND i.end_date >= %(start)s
      AND (%(facilities)s::uuid[] IS NULL OR i.facility_id = ANY(%(facilities)s::uuid[]))
    GROUP BY 1, 2
"""


@dataclass(frozen=True)
class ReportingWindow:
    """Whole calendar months: `start` is a 1st, `end` the last day of a month."""

    start: date
    end: date

    def months(self) -> list[date]:
        """The first day of each month of the window, in order."""
        count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        index = self.start.year * 12 + self.start.month - 1
        return [date((index + n) // 12, (index + n) % 12 + 1, 1) for n in range(count)]


@dataclass(frozen=True)
class SummaryGroup:
    """One group: `key` as the API writes it ("2024-01", a facility id, a category code), a label for
    people, and the eight figures (FIGURES: kg CO2e, kg CO2 for biogenic, kWh for energy)."""

    key: str
    label: str
    figures: dict[str, Decimal]


@dataclass(frozen=True)
class SummaryCoverage:
    """Counts of the window's invoices (heat and electricity, overlapping the window).

    `calculated`: a result for every category of the invoice's type, no recorded failure and no job still
    to calculate it; `not_calculated`: the others, of which `pending` have no recorded failure (never
    calculated, or a job under way, as after a correction); `by_code`: invoices per failure code (an
    invoice with two codes counts under both); `audit_findings_by_code`: bill-audit findings
    (docs/audits.md) whose days reach into the window, of the facilities asked for, per code: bills
    counted twice or missing are in the figures as billed.
    """

    invoices: int
    calculated: int
    pending: int
    by_code: dict[str, int] = field(default_factory=dict)
    audit_findings_by_code: dict[str, int] = field(default_factory=dict)

    @property
    def not_calculated(self) -> int:
        return self.invoices - self.calculated


@dataclass(frozen=True)
class EmissionsSummary:
    window: ReportingWindow
    group_by: str
    totals: dict[str, Decimal]
    groups: list[SummaryGroup]
    coverage: SummaryCoverage


def reporting_window(
    *, year: int | None = None, start_date: date | None = None, end_date: date | None = None
) -> ReportingWindow:
    """The window of a year, or of `start_date`..`end_date` (whole months, at most MAX_WINDOW_MONTHS).

    Raises InvalidReportingPeriod (400 INVALID_REPORTING_PERIOD) naming the parameters: a year with
    dates, neither, one date alone, a start that is not a 1st, an end that is not a month's last day,
    an end before the start, or a window over MAX_WINDOW_MONTHS months.
    """
    errors: dict[str, list[str]] = {}
    if year is not None:
        if start_date is not None or end_date is not None:
            both = "Give either year or start_date and end_date, not both."
            errors = {name: [both] for name, value in (("start_date", start_date), ("end_date", end_date)) if value}
        else:
            return ReportingWindow(date(year, 1, 1), date(year, 12, 31))
    elif start_date is None and end_date is None:
        errors["year"] = ["Give a year (e.g. 2024), or start_date and end_date."]
    else:
        if start_date is None:
            errors["start_date"] = ["Give start_date with end_date (or a year instead)."]
        elif start_date.day != 1:
            errors["start_date"] = [f"The window is of whole months: start on the 1st, not on {start_date}."]
        if end_date is None:
            errors["end_date"] = ["Give end_date with start_date (or a year instead)."]
        elif end_date.day != calendar.monthrange(end_date.year, end_date.month)[1]:
            errors["end_date"] = [f"The window is of whole months: end on a month's last day, not on {end_date}."]
        if not errors and start_date is not None and end_date is not None:
            months = (end_date.year - start_date.year) * 12 + end_date.month - start_date.month + 1
            if end_date < start_date:
                errors["end_date"] = ["Must not be before start_date."]
            elif months > MAX_WINDOW_MONTHS:
                errors["end_date"] = [f"The window is {months} months long; at most {MAX_WINDOW_MONTHS}."]
            else:
                return ReportingWindow(start_date, end_date)
    raise InvalidReportingPeriod("The reporting period is not a window of whole months.", errors=errors)


def inventory_default_year(*, organization: Organization | uuid.UUID, today: date) -> int:
    """The year an inventory page opens on: that of the organization's latest bill, this year at the most
    (this year when it has none). One query on the (organization, end_date) index."""
    latest = (
        Invoice.objects.filter(organization=organization, end_date__lte=date(today.year, 12, 31))
        .order_by("-end_date")
        .values_list("end_date", flat=True)
        .first()
    )
    return latest.year if latest else today.year


def inventory_facilities(
    *, organization: Organization | uuid.UUID, facility_ids: Sequence[uuid.UUID] | None = None
) -> list[Facility]:
    """The organization's facilities by name, or those of `facility_ids` (one query).

    Raises ValidationError under `facility_id[]` giving the position of each id that is not a facility
    of the organization (a mistyped id would otherwise give an inventory of zeros; the id itself is not
    repeated, as no answer names another organization's rows).
    """
    facilities = facility_list(organization=organization).only("id", "name")
    if not facility_ids:
        return list(facilities)
    found = list(facilities.filter(id__in=facility_ids))
    missing = set(facility_ids) - {f.id for f in found}
    if missing:
        errors = [
            f"Value {n}: No facility with this id in your organization."
            for n, i in enumerate(facility_ids, start=1)
            if i in missing
        ]
        raise ValidationError("Unknown facility.", errors={"facility_id[]": errors})
    return found


def emissions_summary(
    *,
    organization: Organization | uuid.UUID,
    window: ReportingWindow,
    group_by: str = GroupBy.MONTH,
    facility_ids: Sequence[uuid.UUID] | None = None,
) -> EmissionsSummary:
    """The organization's inventory for `window`, in groups (GroupBy), with coverage counts.

    Shapes: `totals` and each group's `figures` map FIGURE_KEYS to Decimals with at most 6 decimals
    (kg CO2e; biogenic in kg CO2; energy in kWh), zeros included. Groups: every month of the window in
    order (month); every facility of the organization, or of `facility_ids`, by name (facility); every
    activity category in ActivityCategory order (category). Sources: the invoices' stored results as
    kept by invoicing.emissions.figures (InvoiceMonth rows; Invoice.calculated_categories and
    failure_codes). Errors: ValidationError for `facility_ids` not of the organization
    (inventory_facilities).
    Queries: the summary, the coverage and the audit findings per code, plus the facilities when grouped
    by facility or filtered.
    """
    if group_by not in GroupBy.CHOICES:
        raise ValueError(f"unknown grouping {group_by!r}")
    facilities = None
    if facility_ids or group_by == GroupBy.FACILITY:
        facilities = inventory_facilities(organization=organization, facility_ids=facility_ids)
    organization_id = organization.pk if isinstance(organization, Organization) else organization
    params = _params(organization_id, window, facility_ids)
    with connection.cursor() as cursor:
        cursor.execute(_summary_sql(group_by), params)
        found = {row[0]: [amount or Decimal(0) for amount in row[1:]] for row in cursor.fetchall()}
        cursor.execute(COVERAGE_SQL, params)
        coverage = _coverage(cursor.fetchall(), _audit_findings_by_code(organization_id, window, facility_ids))
    if group_by == GroupBy.CATEGORY:
        amounts = found.get(None, [Decimal(0)] * len(CATEGORY_FIGURES))
        groups = [
            SummaryGroup(str(category), str(label), _figures(amounts, category=category))
            for category, label in ActivityCategory.choices
        ]
    else:
        by_key = {_key(key): amounts for key, amounts in found.items()}
        if group_by == GroupBy.MONTH:
            labels = [(f"{m:%Y-%m}", f"{MONTHS[m.month]} {m.year}") for m in window.months()]
        else:
            labels = [(str(f.id), f.name) for f in facilities or []]
        groups = [SummaryGroup(key, label, _figures(by_key.get(key, []))) for key, label in labels]
    totals = {key: sum((g.figures[key] for g in groups), Decimal(0)) for key in FIGURE_KEYS}
    return EmissionsSummary(window, group_by, totals, groups, coverage)


def _params(
    organization_id: uuid.UUID, window: ReportingWindow, facility_ids: Sequence[uuid.UUID] | None
) -> dict[str, Any]:
    types = sorted({t for types in CATEGORY_INVOICE_TYPES.values() for t in types})
    return {
        "organization": organization_id,
        "start": window.start,
        "end": window.end,
        "facilities": list(facility_ids) if facility_ids else None,
        "types": types,
        "type_categories": [sum(t in ts for ts in CATEGORY_INVOICE_TYPES.values()) for t in types],
        "pending_chunk": ChunkStatus.PENDING.value,
        "active_jobs": [str(status) for status in ACTIVE_STATUSES],
    }


def _key(value: Any) -> str:
    """A group's key as the API writes it: 2024-01 for a month, the text of an id or a category."""
    return f"{value:%Y-%m}" if isinstance(value, date) else str(value)


def _figures(amounts: Sequence[Decimal], category: str | None = None) -> dict[str, Decimal]:
    """The eight figures from amounts in CATEGORY_FIGURES order (none: zeros), of one category or all."""
    figures = dict.fromkeys(FIGURE_KEYS, Decimal(0))
    for (of_category, key), amount in zip(CATEGORY_FIGURES, amounts, strict=False):
        if category is None or of_category == category:
            figures[key] += amount
    return figures


def _audit_findings_by_code(
    organization_id: uuid.UUID, window: ReportingWindow, facility_ids: Sequence[uuid.UUID] | None
) -> dict[str, int]:
    findings = findings_in_window(audit_finding_list(organization=organization_id), start=window.start, end=window.end)
    if facility_ids:
        findings = findings.filter(facility_ids__overlap=list(facility_ids))
    counts = dict(findings.order_by().values_list("code").annotate(count=Count("id")))
    return {code: counts[code] for code in AuditCode.values if code in counts}


def _coverage(rows: Sequence[tuple[Any, ...]], audit_findings_by_code: dict[str, int]) -> SummaryCoverage:
    invoices = calculated = pending = 0
    by_code: dict[str, int] = {}
    for codes, complete, count in rows:
        invoices += count
        if codes:
            for code in codes:
                by_code[code] = by_code.get(code, 0) + count
        elif complete:
            calculated += count
        else:
            pending += count
    ordered = {c: by_code[c] for c in CalculationFailureCode.values if c in by_code}
    return SummaryCoverage(invoices, calculated, pending, ordered, audit_findings_by_code)
