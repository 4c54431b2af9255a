"""The query parameters of `GET /v1/processing-jobs` and `GET /v1/processing-jobs/{id}/errors`."""

from __future__ import annotations

import django_filters

from config.api.params import ChoiceFilter, MultiValueFilter, UtcDayFilter, choice_field
from invoicing.choices import ActivityCategory
from invoicing.errors import CalculationFailureCode
from jobs.models import JobStatus, ProcessingJob, ProcessingJobError


class ProcessingJobFilterSet(django_filters.FilterSet):
    status = MultiValueFilter(child=choice_field(JobStatus.choices), field_name="status", help_text="Job statuses.")
    activity_category = MultiValueFilter(
        child=choice_field(ActivityCategory.choices), field_name="activity_category", help_text="Activity categories."
    )
    created_from = UtcDayFilter(
        field_name="created_at", lookup_expr="gte", help_text="Created on or after (UTC, YYYY-MM-DD)."
    )
    created_to = UtcDayFilter(
        field_name="created_at", lookup_expr="lte", help_text="Created on or before, whole day (YYYY-MM-DD)."
    )

    class Meta:
        model = ProcessingJob
        fields: list[str] = []


class ProcessingJobErrorFilterSet(django_filters.FilterSet):
    code = ChoiceFilter(
        choices=CalculationFailureCode.choices, field_name="code", help_text="Only the errors with this code."
    )

    class Meta:
        model = ProcessingJobError
        fields: list[str] = []
