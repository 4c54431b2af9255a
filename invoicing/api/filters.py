"""The query parameters of `GET /v1/invoices`, also used by `recalculate_invoices` to pick invoices."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict

from config.api.params import (
    ChoiceFilter,
    IsoDateFilter,
    MultiValueFilter,
    SortFilter,
    TextFilter,
    UtcDayFilter,
    UuidField,
    WholeNumberField,
    array_param_names,
    choice_field,
    form_errors,
)
from invoicing.choices import InvoiceSource, InvoiceStatus, InvoiceType
from invoicing.errors import ValidationError
from invoicing.models import Invoice
from invoicing.selectors.invoices import (
    invoices_calculated,
    invoices_with_cups,
    invoices_with_number_containing,
    invoices_with_source,
)

from .fields import CupsParamField

# API name → model field; the tie-breaker `id` is added by SortFilter.
INVOICE_SORT_FIELDS = {
    "start_date": "start_date",
    "end_date": "end_date",
    "created_at": "created_at",
    "quantity": "quantity",
    "invoice_id": "invoice_number",
}
INVOICE_DEFAULT_ORDER = ("-created_at", "-id")
CO2E_STATUSES = [("calculated", "calculated"), ("not_calculated", "not_calculated")]


class InvoiceFilterSet(django_filters.FilterSet):
    """Every documented parameter of the invoice list; each narrows a QuerySet of invoices."""

    type = MultiValueFilter(child=choice_field(InvoiceType.choices), field_name="type", help_text="Invoice types.")
    status = MultiValueFilter(
        child=choice_field(InvoiceStatus.choices), field_name="status", help_text="Invoice statuses."
    )
    facility_id = MultiValueFilter(child=UuidField(), field_name="facility_id", help_text="Facility ids.")
    start_date = IsoDateFilter(
        field_name="start_date",
        lookup_expr="gte",
        help_text="Invoices whose period starts on or after this date (YYYY-MM-DD).",
    )
    end_date = IsoDateFilter(
        field_name="end_date",
        lookup_expr="lte",
        help_text="Invoices whose period ends on or before this date, the whole day included (YYYY-MM-DD).",
    )
    co2e_status = ChoiceFilter(
        choices=CO2E_STATUSES,
        method="filter_co2e_status",
        help_text="`calculated`: co2e is known; `not_calculated`: co2e is null.",
    )
    invoice_id = TextFilter(
        method="filter_invoice_id",
        max_length=100,
        help_text="Partial, case-insensitive match on the utility's invoice number.",
    )
    cups = MultiValueFilter(
        child=CupsParamField(),
        method="filter_cups",
        help_text="CUPS codes; matched on the 20-character base, with or without the border-point suffix.",
    )
    supplier_id = MultiValueFilter(child=UuidField(), field_name="supplier_id", help_text="Supplier ids.")
    facility_fuel_id = MultiValueFilter(
        child=UuidField(), field_name="facility_fuel_id", help_text="Facility fuel ids."
    )
    uploaded_by = MultiValueFilter(
        child=WholeNumberField(), field_name="uploaded_by_id", help_text="Ids of the uploading users."
    )
    source = MultiValueFilter(
        child=choice_field(InvoiceSource.choices),
        method="filter_source",
        help_text="Invoice sources; `manual` also matches legacy invoices with no source.",
    )
    uploaded_from = UtcDayFilter(
        field_name="created_at", lookup_expr="gte", help_text="Uploaded on or after this date (UTC, YYYY-MM-DD)."
    )
    uploaded_to = UtcDayFilter(
        field_name="created_at",
        lookup_expr="lte",
        help_text="Uploaded on or before this date, the whole day included (UTC, YYYY-MM-DD).",
    )
    stationary_fuel_id = MultiValueFilter(
        child=UuidField(),
        field_name="facility_fuel__fuel_id",
        help_text="Stationary fuel ids (through the facility fuel).",
    )
    supply_contract_id = MultiValueFilter(
        child=UuidField(), field_name="supply_contract_id", help_text="Supply contract ids."
    )
    sort = SortFilter(
        fields=INVOICE_SORT_FIELDS,
        default=INVOICE_DEFAULT_ORDER,
        help_text="Sort field, `-` prefix for descending; ties are broken by id. Default: `-created_at`.",
    )

    class Meta:
        model = Invoice
        fields: list[str] = []

    def filter_co2e_status(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        return invoices_calculated(queryset, value == "calculated")

    def filter_invoice_id(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        return invoices_with_number_containing(queryset, value)

    def filter_cups(self, queryset: QuerySet[Invoice], name: str, value: list[str]) -> QuerySet[Invoice]:
        return invoices_with_cups(queryset, value)

    def filter_source(self, queryset: QuerySet[Invoice], name: str, value: list[str]) -> QuerySet[Invoice]:
        return invoices_with_source(queryset, value)


def invoices_filtered(queryset: QuerySet[Invoice], params: dict[str, list[str]]) -> QuerySet[Invoice]:
    """`queryset` narrowed by list parameters given as {name: [values]} (array names without `[]`),
    as `GET /v1/invoices` narrows it; ValidationError naming each bad parameter as the API does."""
    data = QueryDict(mutable=True)
    for name, values in params.items():
        data.setlist(name, [str(value) for value in values])
    filterset = InvoiceFilterSet(data=data, queryset=queryset)
    if not filterset.is_valid():
        errors = form_errors(filterset.errors, array_param_names(InvoiceFilterSet))
        raise ValidationError(f"Invalid selection: {', '.join(errors)}.", errors=errors)
    return filterset.qs
