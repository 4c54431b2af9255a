"""A ChangeList whose date hierarchy does not scan a million invoices.

Django's own drill-down runs MIN/MAX and SELECT DISTINCT date_trunc(...) over the whole filtered
list, two sequential scans at 1M rows. Here the year range comes from the (organization,
start_date) index, one organization at a time, and each candidate year or month is confirmed
with an EXISTS that stops at the first row. The day level is not offered: billing periods are
monthly, and the month level already narrows the list.
"""

from __future__ import annotations

import datetime
from functools import cached_property
from typing import Any

from django.contrib.admin.views.main import ChangeList
from django.db.models import Max, Min
from django.utils import formats
from django.utils.text import capfirst

from invoicing.models import Organization

from .permissions import organization_ids


class InvoiceChangeList(ChangeList):
    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.request = request
        super().__init__(request, *args, **kwargs)

    @property
    def result_count_display(self) -> str:
        """`50,041`, or `about 50,122` when the paginator gave PostgreSQL's estimate (invoicing.admin.paginator)."""
        count = f"{self.result_count:,}"
        return f"about {count}" if getattr(self.paginator, "is_estimate", False) else count

    @cached_property
    def period_hierarchy(self) -> dict[str, Any]:
        field = self.date_hierarchy
        year_field, month_field = f"{field}__year", f"{field}__month"
        year = _int(self.params.get(year_field))
        month = _int(self.params.get(month_field))

        def link(filters: dict[str, Any]) -> str:
            return self.get_query_string(filters, [f"{field}__"])

        context: dict[str, Any] = {"show": True, "field_name": "period start", "back": None, "choices": []}
        if year and month:
            day = datetime.date(year, month, 1)
            context["back"] = {"link": link({year_field: year}), "title": str(year)}
            context["choices"] = [{"title": capfirst(formats.date_format(day, "YEAR_MONTH_FORMAT"))}]
        elif year:
            context["back"] = {"link": link({}), "title": "All dates"}
            context["choices"] = [
                {
                    "link": link({year_field: year, month_field: number}),
                    "title": capfirst(formats.date_format(datetime.date(year, number, 1), "YEAR_MONTH_FORMAT")),
                }
                for number in range(1, 13)
                if self._has_rows(datetime.date(year, number, 1), _next_month(year, number))
            ]
        else:
            context["choices"] = [
                {"link": link({year_field: str(candidate)}), "title": str(candidate)}
                for candidate in self._candidate_years()
                if self._has_rows(datetime.date(candidate, 1, 1), datetime.date(candidate + 1, 1, 1))
            ]
        return context

    def _has_rows(self, start: datetime.date, end: datetime.date) -> bool:
        field = self.date_hierarchy
        if self._few_rows:
            return any(start <= value < end for value in self._months_present)
        return self.queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end}).order_by().exists()

    @cached_property
    def _few_rows(self) -> bool:
        """Counted exactly (at most ADMIN_EXACT_COUNT_LIMIT rows): one DISTINCT over them is cheaper than probes."""
        return not getattr(self.paginator, "is_estimate", True)

    @cached_property
    def _months_present(self) -> list[datetime.date]:
        return list(self.queryset.order_by().dates(self.date_hierarchy, "month"))

    def _candidate_years(self) -> range:
        if self._few_rows:
            years = {value.year for value in self._months_present}
            return range(max(years), min(years) - 1, -1) if years else range(0)
        ids = organization_ids(self.request)
        organizations = Organization.objects.all() if ids is None else Organization.objects.filter(id__in=ids)
        first: datetime.date | None = None
        last: datetime.date | None = None
        invoices = self.root_queryset.model._default_manager
        for organization_id in organizations.values_list("id", flat=True):
            bounds = invoices.filter(organization_id=organization_id).aggregate(
                first=Min(self.date_hierarchy), last=Max(self.date_hierarchy)
            )
            if bounds["first"] is None:
                continue
            first = bounds["first"] if first is None else min(first, bounds["first"])
            last = bounds["last"] if last is None else max(last, bounds["last"])
        if first is None or last is None:
            return range(0)
        return range(last.year, first.year - 1, -1)


def _int(value: Any) -> int | None:
    if isinstance(value, list):
        value = value[-1] if value else None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 9999 else None


def _next_month(year: int, month: int) -> datetime.date:
    return datetime.date(year + month // 12, month % 12 + 1, 1)
