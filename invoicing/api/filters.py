"""The query parameters of `GET /v1/invoices` (domain.md §3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from invoicing.choices import InvoiceSource, InvoiceStatus, InvoiceType
from invoicing.cups import INVALID_CUPS_MESSAGE, cups_base, is_valid_cups, normalize_cups

from .params import MultiValueFilter, SortFilter, StrictFilterSet

# API name → model field; the tie-breaker `id` is added by SortFilter.
INVOICE_SORT_FIELDS = {
    "start_date": "start_date",
    "end_date": "end_date",
    "created_at": "created_at",
    "quantity": "quantity",
    "invoice_id": "invoice_number",
}
INVOICE_DEFAULT_ORDER = ("-created_at", "-id")
BORDER_POINT_SUFFIXES = [f"{digit}{letter}" for digit in "0123456789" for letter in "FPRCXYZ"]


class CupsField(forms.CharField):
    def clean(self, value: Any) -> str:
        cups = normalize_cups(super().clean(value))
        if not is_valid_cups(cups):
            raise forms.ValidationError(INVALID_CUPS_MESSAGE)
        return cups


class StrictDateField(forms.DateField):
    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": "Enter a date as YYYY-MM-DD."}


class DateFilter(django_filters.Filter):
    field_class = StrictDateField


def _uuid() -> forms.UUIDField:
    return forms.UUIDField()


def _choice(choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class InvoiceFilterSet(StrictFilterSet):
    type = MultiValueFilter(child=_choice(InvoiceType.choices), help_text="Invoice types.")
    status = MultiValueFilter(child=_choice(InvoiceStatus.choices), help_text="Invoice statuses.")
    facility_id = MultiValueFilter(field_name="facility_id", child=_uuid(), help_text="Facility ids.")
    start_date = DateFilter(
        field_name="start_date",
        lookup_expr="gte",
        help_text="Invoices whose period starts on or after this date (YYYY-MM-DD).",
    )
    end_date = DateFilter(
        field_name="end_date",
        lookup_expr="lte",
        help_text="Invoices whose period ends on or before this date, the whole day included (YYYY-MM-DD).",
    )
    co2e_status = django_filters.ChoiceFilter(
        choices=[("calculated", "calculated"), ("not_calculated", "not_calculated")],
        method="filter_co2e_status",
        help_text="`calculated`: co2e is known; `not_calculated`: co2e is null.",
    )
    invoice_id = django_filters.CharFilter(
        field_name="invoice_number",
        lookup_expr="icontains",
        max_length=100,
        help_text="Partial, case-insensitive match on the utility's invoice number.",
    )
    cups = MultiValueFilter(
        child=CupsField(),
        method="filter_cups",
        help_text="CUPS codes; matched on the 20-character base, with or without the border-point suffix.",
    )
    supplier_id = MultiValueFilter(field_name="supplier_id", child=_uuid(), help_text="Supplier ids.")
    facility_fuel_id = MultiValueFilter(field_name="facility_fuel_id", child=_uuid(), help_text="Facility fuel ids.")
    uploaded_by = MultiValueFilter(
        field_name="uploaded_by_id", child=forms.IntegerField(min_value=1), help_text="Ids of the uploading users."
    )
    source = MultiValueFilter(
        child=_choice(InvoiceSource.choices),
        method="filter_source",
        help_text="Invoice sources; `manual` also matches legacy invoices with no source.",
    )
    uploaded_from = DateFilter(
        method="filter_uploaded_from",
        help_text="Uploaded on or after this date (UTC, YYYY-MM-DD).",
    )
    uploaded_to = DateFilter(
        method="filter_uploaded_to",
        help_text="Uploaded on or before this date, the whole day included (UTC, YYYY-MM-DD).",
    )
    stationary_fuel_id = MultiValueFilter(
        field_name="facility_fuel__fuel_id", child=_uuid(), help_text="Stationary fuel ids (through the facility fuel)."
    )
    supply_contract_id = MultiValueFilter(
        field_name="supply_contract_id", child=_uuid(), help_text="Supply contract ids."
    )
    sort = SortFilter(
        fields=INVOICE_SORT_FIELDS,
        default=INVOICE_DEFAULT_ORDER,
        help_text="Sort field, `-` prefix for descending; ties are broken by id. Default: `-created_at`.",
    )

    def filter_co2e_status(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(co2e__isnull=value == "not_calculated")

    def filter_cups(self, qs: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        # Every stored form of each base: an IN list keeps the (organization, cups) index usable.
        candidates = [cups_base(c) + suffix for c in value for suffix in ["", *BORDER_POINT_SUFFIXES]]
        return qs.filter(cups__in=candidates)

    def filter_source(self, qs: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        condition = Q(source__in=value)
        if InvoiceSource.MANUAL in value:
            condition |= Q(source__isnull=True)
        return qs.filter(condition)

    def filter_uploaded_from(self, qs: QuerySet[Any], name: str, value: date) -> QuerySet[Any]:
        return qs.filter(created_at__gte=_utc_midnight(value))

    def filter_uploaded_to(self, qs: QuerySet[Any], name: str, value: date) -> QuerySet[Any]:
        if value == date.max:
            return qs
        return qs.filter(created_at__lt=_utc_midnight(value + timedelta(days=1)))
