"""The emissions inventory of an organization: stored results spread over calendar months by days.

One reader for the API (`GET /v1/emissions/summary` and its CSV/XLSX exports) and the admin's
"Emissions inventory" page: `emissions_summary(...)` returns an `EmissionsSummary`; docs/inventory.md
says what each figure means. Two queries, both set-based SQL written here (no loop over invoices):

- `_summary_sql` spreads every InvoiceEmission row of the invoices overlapping the window over the
  calendar months of its invoice's period inside the window (a table of the window's months), and sums
  the shares into the eight figures per group;
- COVERAGE_SQL counts those invoices: with a result for every category of their type, with a recorded
  failure (by InvoiceCalculationFailure code), or neither yet.

**Calendarization.** An invoice's period covers `days = end_date - start_date + 1` days (both ends
included). The share of an amount `a` in the month piece `[p_start, p_end]` of the period is
`round(a * (p_end - start_date + 1) / days, 6) - round(a * (p_start - start_date) / days, 6)`: the
rounded cumulative amount at the piece's end minus that at its start. The shares of a row therefore add
up to its stored figure exactly (the last piece takes the remainder, as the engine's year split does),
every figure is a sum of numbers with 6 decimals (the stored kg precision), and totals are the same
whatever the grouping. PostgreSQL's `round` rounds half away from zero.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils.dates import MONTHS

from invoicing.choices import CATEGORIES_OUTSIDE_CO2E, CATEGORY_INVOICE_TYPES, ActivityCategory, Scope
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


# The eight figures of a total or a group: (key, export column naming its unit). Scope 2 is reported
# both ways, side by side, never added up. Biogenic CO2 is kg of CO2, outside the scopes.
FIGURES: tuple[tuple[str, str], ...] = (
    ("scope_1", "scope_1_kg_co2e"),
    ("scope_2_location_based", "scope_2_location_based_kg_co2e"),
    ("scope_2_market_based", "scope_2_market_based_kg_co2e"),
    ("scope_3_cat3a", "scope_3_cat3a_kg_co2e"),
    ("scope_3_cat3b", "scope_3_cat3b_kg_co2e"),
    ("scope_3_cat3c", "scope_3_cat3c_kg_co2e"),
    ("biogenic_co2", "biogenic_co2_kg"),
    ("energy_kwh", "energy_kwh"),
)
FIGURE_KEYS = tuple(key for key, _ in FIGURES)
MAX_WINDOW_MONTHS = 120

# How each stored row feeds the figures (docs/inventory.md, "Scope mapping"): SQL expressions over the
# row `e`, one per figure, in FIGURES order. Purchased heat and steam is Scope 2 under both methods; the
# upstream of purchased heat (scope_3_3b_3c) is split by the scopes of its factors in `year_parts`;
# biogenic CO2 is counted for the categories counted in an invoice's co2e (location-based electricity
# repeats the market-based rows' grid biogenic CO2 in the UK).
# The 3c part of an upstream-of-purchased-heat row: its factors of scope 3c (SQL function of migration 0017,
# parallel safe, so that PostgreSQL's workers sum the inventory in parallel).
_THREE_C = "invoicing_emission_factor_scope_kg(e.invoice_id, e.category, %(scope_3c)s)"
_AMOUNTS = (
    "CASE WHEN e.scope = %(scope_1)s THEN e.kg_co2e END",
    "CASE WHEN e.scope IN (%(scope_2_lb)s, %(scope_2_heat)s) THEN e.kg_co2e END",
    "CASE WHEN e.scope IN (%(scope_2_mb)s, %(scope_2_heat)s) THEN e.kg_co2e END",
    "CASE WHEN e.scope = %(scope_3a)s THEN e.kg_co2e END",
    f"CASE WHEN e.scope = %(scope_3b)s THEN e.kg_co2e WHEN e.scope = %(scope_3bc)s THEN e.kg_co2e - {_THREE_C} END",
    f"CASE WHEN e.scope = %(scope_3c)s THEN e.kg_co2e WHEN e.scope = %(scope_3bc)s THEN {_THREE_C} END",
    "CASE WHEN e.category <> ALL(%(outside_co2e)s) THEN e.biogenic_co2_kg END",
    "CASE WHEN e.category = %(energy)s THEN e.kwh END",
)

# The invoices of the window: the organization's heat and electricity bills (the types with activity
# categories) whose period shares at least one day with it, of the facilities asked for.
_WINDOW_INVOICES = """
    SELECT i.id, i.facility_id, i.start_date, i.end_date, t.categories
    FROM invoicing_invoice AS i
    JOIN unnest(%(types)s::text[], %(type_categories)s::int[]) AS t(type, categories) ON t.type = i.type
    WHERE i.organization_id = %(organization)s
      AND i.start_date <= %(end)s AND i.end_date >= %(start)s
      AND (%(facilities)s::uuid[] IS NULL OR i.facility_id = ANY(%(facilities)s::uuid[]))
"""

_GROUP_KEYS = {
    GroupBy.MONTH: "m.month",
    GroupBy.FACILITY: "r.facility_id",
    GroupBy.CATEGORY: "r.category",
}


def _summary_sql(group_by: str) -> str:
    # A row whose period lies inside one month piece gets its whole figure (the formula gives the
    # same, without the arithmetic): bills of calendar months, the most common, cost one comparison.
    spread = ",\n".join(
        f"SUM(CASE WHEN r.start_date >= m.month AND r.end_date <= m.month_end THEN r.{key} ELSE"
        f" round(r.{key} * (LEAST(r.end_date, m.month_end) - r.start_date + 1) / r.days, 6)"
        f" - round(r.{key} * (GREATEST(r.start_date, m.month) - r.start_date) / r.days, 6) END) AS {key}"
        for key in FIGURE_KEYS
    )
    amounts = ",\n".join(f"{expression} AS {key}" for expression, key in zip(_AMOUNTS, FIGURE_KEYS, strict=True))
    return f"""
    WITH months AS (SELECT * FROM unnest(%(months)s::date[], %(month_ends)s::date[]) AS m(month, month_end)),
    invoices AS ({_WINDOW_INVOICES}),
    rows AS (
        SELECT v.facility_id, v.start_date, v.end_date, (v.end_date - v.start_date + 1) AS days, e.category,
               {amounts}
        FROM invoices AS v
        JOIN invoicing_invoiceemission AS e ON e.invoice_id = v.id
    )
    SELECT {_GROUP_KEYS[group_by]} AS key, {spread}
    FROM rows AS r
    JOIN months AS m ON m.month <= r.end_date AND m.month_end >= r.start_date
    GROUP BY 1
    """


COVERAGE_SQL = f"""
    WITH invoices AS MATERIALIZED ({_WINDOW_INVOICES}),
    results AS (
        SELECT e.invoice_id, count(*) AS stored
        FROM invoices AS v JOIN invoicing_invoiceemission AS e ON e.invoice_id = v.id
        GROUP BY e.invoice_id
    ),
    failures AS (
        SELECT f.invoice_id, array_agg(DISTINCT f.code) AS codes
        FROM invoices AS v JOIN invoicing_invoicecalculationfailure AS f ON f.invoice_id = v.id
        GROUP BY f.invoice_id
    ),
    -- Invoices that a job has still to (re)calculate (after a correction, say): their stored results are
    -- from before the change, so they are not "calculated" yet. The pending chunks of the organization's
    -- active jobs, few at any time (the job_chunk_pending_invoices partial index).
    queued AS (
        SELECT DISTINCT u.id
        FROM jobs_processingjobchunk AS c
        JOIN jobs_processingjob AS j ON j.id = c.job_id
        CROSS JOIN LATERAL unnest(c.invoice_ids) AS u(id)
        WHERE c.status = %(pending_chunk)s AND j.status = ANY(%(active_jobs)s::text[])
          AND j.organization_id = %(organization)s
    ),
    outcomes AS MATERIALIZED (
        SELECT COALESCE(r.stored, 0) >= v.categories AND q.id IS NULL AS complete, fl.codes
        FROM invoices AS v
        LEFT JOIN results AS r ON r.invoice_id = v.id
        LEFT JOIN failures AS fl ON fl.invoice_id = v.id
        LEFT JOIN queued AS q ON q.id = v.id
    )
    SELECT NULL AS code, count(*), count(*) FILTER (WHERE complete AND codes IS NULL),
           count(*) FILTER (WHERE NOT complete AND codes IS NULL)
    FROM outcomes
    UNION ALL
    SELECT c.code, count(*), 0, 0 FROM outcomes AS o CROSS JOIN LATERAL unnest(o.codes) AS c(code) GROUP BY c.code
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
    activity category in ActivityCategory order (category). Sources: InvoiceEmission rows (scope,
    kg_co2e, kwh, biogenic_co2_kg, year_parts), the invoices' periods and InvoiceCalculationFailure
    codes. Errors: ValidationError for `facility_ids` not of the organization (inventory_facilities).
    Queries: SET LOCAL jit, the summary and the coverage (in a transaction), the audit findings per
    code, plus the facilities when grouped by facility or filtered.
    """
    if group_by not in GroupBy.CHOICES:
        raise ValueError(f"unknown grouping {group_by!r}")
    facilities = None
    if facility_ids or group_by == GroupBy.FACILITY:
        facilities = inventory_facilities(organization=organization, facility_ids=facility_ids)
    organization_id = organization.pk if isinstance(organization, Organization) else organization
    params = _params(organization_id, window, facility_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL's JIT compiler took 3.4 of 5.7 s of this statement at 1,000,000 invoices (bench_inventory)
        # to compile the eight sums, and saves nothing on a query of this size: off for these two statements.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_summary_sql(group_by), params)
        found = {_key(row[0]): dict(zip(FIGURE_KEYS, row[1:], strict=True)) for row in cursor.fetchall()}
        cursor.execute(COVERAGE_SQL, params)
        coverage = _coverage(cursor.fetchall(), _audit_findings_by_code(organization_id, window, facility_ids))
    if group_by == GroupBy.MONTH:
        labels = [(f"{m:%Y-%m}", f"{MONTHS[m.month]} {m.year}") for m in window.months()]
    elif group_by == GroupBy.CATEGORY:
        labels = [(str(value), str(label)) for value, label in ActivityCategory.choices]
    else:
        labels = [(str(f.id), f.name) for f in facilities or []]
    groups = [SummaryGroup(key, label, _figures(found.get(key, {}))) for key, label in labels]
    totals = {key: sum((g.figures[key] for g in groups), Decimal(0)) for key in FIGURE_KEYS}
    return EmissionsSummary(window, group_by, totals, groups, coverage)


def _params(
    organization_id: uuid.UUID, window: ReportingWindow, facility_ids: Sequence[uuid.UUID] | None
) -> dict[str, Any]:
    types = sorted({t for types in CATEGORY_INVOICE_TYPES.values() for t in types})
    months = window.months()
    return {
        "organization": organization_id,
        "start": window.start,
        "end": window.end,
        "months": months,
        "month_ends": [date(m.year, m.month, calendar.monthrange(m.year, m.month)[1]) for m in months],
        "facilities": list(facility_ids) if facility_ids else None,
        "types": types,
        "type_categories": [sum(t in ts for ts in CATEGORY_INVOICE_TYPES.values()) for t in types],
        "scope_1": Scope.SCOPE_1.value,
        "scope_2_lb": Scope.SCOPE_2_LOCATION_BASED.value,
        "scope_2_mb": Scope.SCOPE_2_MARKET_BASED.value,
        "scope_2_heat": Scope.SCOPE_2_HEAT_AND_STEAM.value,
        "scope_3a": Scope.SCOPE_3_3A.value,
        "scope_3b": Scope.SCOPE_3_3B.value,
        "scope_3c": Scope.SCOPE_3_3C.value,
        "scope_3bc": Scope.SCOPE_3_3B_3C.value,
        "outside_co2e": [str(c) for c in CATEGORIES_OUTSIDE_CO2E],
        "energy": ActivityCategory.ENERGY.value,
        "pending_chunk": ChunkStatus.PENDING.value,
        "active_jobs": [str(status) for status in ACTIVE_STATUSES],
    }


def _key(value: Any) -> str:
    """A group's key as the API writes it: 2024-01 for a month, the text of an id or a category."""
    return f"{value:%Y-%m}" if isinstance(value, date) else str(value)


def _figures(found: dict[str, Decimal | None]) -> dict[str, Decimal]:
    return {key: found.get(key) or Decimal(0) for key in FIGURE_KEYS}


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
    for code, count, complete, waiting in rows:
        if code is None:
            invoices, calculated, pending = count, complete, waiting
        else:
            by_code[code] = count
    ordered = {c: by_code[c] for c in CalculationFailureCode.values if c in by_code}
    return SummaryCoverage(invoices, calculated, pending, ordered, audit_findings_by_code)
