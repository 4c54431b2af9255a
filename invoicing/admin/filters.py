"""Invoice list filters that mirror the API's and never scan the invoice table for their choices."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from invoicing.choices import InvoiceSource
from invoicing.models import Facility, Organization, Supplier, SupplyContract
from invoicing.selectors.invoices import invoices_calculated

from .permissions import scope_to_organizations

# Related-row filters list at most this many choices; narrow by organization to see the rest.
MAX_CHOICES = 100


class SourceFilter(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"
    LEGACY = "legacy"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*InvoiceSource.choices, (self.LEGACY, "Legacy (no source)")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        value = self.value()
        if value == self.LEGACY:
            return queryset.filter(source__isnull=True)
        if value in InvoiceSource.values:
            return queryset.filter(source=value)
        return queryset


class CalculatedFilter(admin.SimpleListFilter):
    title = "emissions"
    parameter_name = "co2e_status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("calculated", "Calculated"), ("not_calculated", "Not calculated")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if self.value() in ("calculated", "not_calculated"):
            return invoices_calculated(queryset, self.value() == "calculated")
        return queryset


class PeriodFilter(admin.SimpleListFilter):
    """Billing periods that start in a year, or in the last 12 months (the date hierarchy drills down)."""

    title = "period"
    parameter_name = "period"
    YEARS = 6

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_year = timezone.now().year
        years = [(str(year), str(year)) for year in range(this_year, this_year - self.YEARS, -1)]
        return [("last12", "Last 12 months"), *years]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        value = self.value()
        if value == "last12":
            return queryset.filter(start_date__gte=timezone.now().date() - timedelta(days=365))
        if value and value.isdigit() and 1900 < int(value) < 3000:
            year = int(value)
            return queryset.filter(start_date__gte=date(year, 1, 1), start_date__lt=date(year + 1, 1, 1))
        return queryset


class _RelatedFilter(admin.SimpleListFilter):
    """Choices come from the small related table, scoped to the user's organizations, never from invoices."""

    field = ""

    def choice_queryset(self, request: HttpRequest, params: dict[str, Any]) -> models.QuerySet[Any]:
        raise NotImplementedError

    def has_output(self) -> bool:
        """Applied whenever a value is given, even with no choices to list (Django drops such a filter)."""
        return self.value() is not None or super().has_output()

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        rows = list(self.choice_queryset(request, self.used_parameters)[: MAX_CHOICES + 1])
        choices = [(str(row.pk), str(row)) for row in rows[:MAX_CHOICES]]
        selected = self.value()
        if selected and selected not in {pk for pk, _ in choices}:
            row = self.choice_queryset(request, {}).filter(pk=selected).first() if _is_uuid(selected) else None
            if row is not None:
                choices.insert(0, (str(row.pk), str(row)))
        return choices

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """Rows of the selected one; none for an id that names no row the user may see. A value that is not
        an id at all is refused as Django's own related-field filter refuses it: the list redirects to
        itself without filters and with `?e=1` (ChangeList's ERROR_FLAG)."""
        value = self.value()
        if not value:
            return queryset
        if not _is_uuid(value):
            raise IncorrectLookupParameters(f"{self.parameter_name}={value!r} is not an id.")
        return queryset.filter(**{f"{self.field}_id": value})


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class OrganizationFilter(_RelatedFilter):
    """Only the user's organizations are listed (RelatedFieldListFilter would name every tenant)."""

    title = "organization"
    parameter_name = "organization"
    field = "organization"

    def choice_queryset(self, request: HttpRequest, params: dict[str, Any]) -> models.QuerySet[Any]:
        return scope_to_organizations(Organization.objects.order_by("name"), request, "")


class FacilityOrganizationFilter(OrganizationFilter):
    """The same, for rows that belong to an organization through their facility."""

    field = "facility__organization"


class FacilityFilter(_RelatedFilter):
    """Facilities of the selected organization (or of all the user's organizations, first 100)."""

    title = "facility"
    parameter_name = "facility"
    field = "facility"

    def choice_queryset(self, request: HttpRequest, params: dict[str, Any]) -> models.QuerySet[Any]:
        queryset = scope_to_organizations(Facility.objects.order_by("name"), request)
        organization = request.GET.get(OrganizationFilter.parameter_name, "")
        if _is_uuid(organization):
            queryset = queryset.filter(organization_id=organization)
        return queryset


class SupplierFilter(_RelatedFilter):
    """Suppliers under contract at the user's organizations (of the selected one, if any)."""

    title = "supplier"
    parameter_name = "supplier"
    field = "supplier"

    def choice_queryset(self, request: HttpRequest, params: dict[str, Any]) -> models.QuerySet[Any]:
        contracts = scope_to_organizations(SupplyContract.objects.all(), request, "facility__organization")
        organization = request.GET.get(OrganizationFilter.parameter_name, "")
        if _is_uuid(organization):
            contracts = contracts.filter(facility__organization_id=organization)
        return Supplier.objects.filter(pk__in=contracts.values("supplier_id")).order_by("name")
