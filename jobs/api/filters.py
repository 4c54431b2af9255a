"""The query parameters of `GET /v1/processing-jobs`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet

from invoicing.api.filters import DateFilter, _choice, _utc_midnight
from invoicing.api.params import MultiValueFilter
from invoicing.choices import ActivityCategory
from jobs.models import JobStatus


class ProcessingJobFilterSet(django_filters.FilterSet):
    status = MultiValueFilter(child=_choice(JobStatus.choices), help_text="Job statuses.")
    activity_category = MultiValueFilter(child=_choice(ActivityCategory.choices), help_text="Activity categories.")
    created_from = DateFilter(method="filter_created_from", help_text="Created on or after (UTC, YYYY-MM-DD).")
    created_to = DateFilter(method="filter_created_to", help_text="Created on or before, whole day (YYYY-MM-DD).")

    def filter_created_from(self, qs: QuerySet[Any], name: str, value: date) -> QuerySet[Any]:
        return qs.filter(created_at__gte=_utc_midnight(value))

    def filter_created_to(self, qs: QuerySet[Any], name: str, value: date) -> QuerySet[Any]:
        if value == date.max:
            return qs
        return qs.filter(created_at__lt=_utc_midnight(value + timedelta(days=1)))
