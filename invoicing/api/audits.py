"""`GET /v1/invoices/audit`: the bill-audit findings of the organization's supply points (docs/audits.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from config.api.params import IsoDateFilter, MultiValueFilter, UuidField, choice_field
from config.api.viewsets import OrganizationScopedViewSet
from invoicing.choices import InvoiceType
from invoicing.errors import AuditCode
from invoicing.models import InvoiceAuditFinding
from invoicing.selectors.audits import audit_finding_list, findings_in_window


class AuditWindowForm(forms.Form):
    """A window ending before it starts is refused, as the emissions summary refuses it (not read as empty)."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Must not be before start_date.")
        return cleaned


class AuditFindingFilterSet(django_filters.FilterSet):
    code = MultiValueFilter(child=choice_field(AuditCode.choices), field_name="code", help_text="Audit codes.")
    facility_id = MultiValueFilter(
        child=UuidField(),
        field_name="facility_ids",
        lookup_expr="overlap",
        help_text="Facility ids: findings involving a bill of any of these facilities.",
    )
    start_date = IsoDateFilter(
        method="filter_window", help_text="Findings about days on or after this date (YYYY-MM-DD)."
    )
    end_date = IsoDateFilter(
        method="filter_window", help_text="Findings about days on or before this date (YYYY-MM-DD)."
    )

    class Meta:
        model = InvoiceAuditFinding
        fields: list[str] = []
        form = AuditWindowForm

    def filter_window(
        self, queryset: QuerySet[InvoiceAuditFinding], name: str, value: date
    ) -> QuerySet[InvoiceAuditFinding]:
        return findings_in_window(queryset, **{"start" if name == "start_date" else "end": value})


class SupplyPointSerializer(serializers.Serializer):
    key = serializers.CharField(
        source="supply_point",
        help_text="`cups:<CUPS base>` for electricity with a CUPS, else `facility:<facility id>/<type>/<fuel id|->`.",
    )
    type = serializers.ChoiceField(choices=InvoiceType.choices)
    cups = serializers.CharField(allow_null=True, help_text="The CUPS's 20-character base; null when not by CUPS.")
    facility_ids = serializers.ListField(
        child=serializers.UUIDField(), help_text="The facilities of the bills involved (one, unless a CUPS moved)."
    )
    facility_fuel_id = serializers.UUIDField(allow_null=True, help_text="Heat: the facility fuel; else null.")


class AuditFindingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.ChoiceField(choices=AuditCode.choices)
    supply_point = SupplyPointSerializer(source="*")
    invoice_ids = serializers.ListField(child=serializers.UUIDField(), help_text="The bills involved, oldest first.")
    start_date = serializers.DateField(
        help_text="First day concerned: of the shared days, the uncovered days, or the bills' periods."
    )
    end_date = serializers.DateField(help_text="Last day concerned, included.")
    details = serializers.DictField(
        help_text=(
            "The figures, by code. OVERLAPPING_PERIODS: shared_days, first_shared_day, last_shared_day. "
            "GAP: gap_days, first_uncovered_day, last_uncovered_day. DUPLICATE: reason (same_number or "
            "same_period_and_quantity), bills, and invoice_number or quantity and unit_id. USAGE_OUTLIER: "
            "daily_use, median_daily_use, ratio_to_median (rounded to 3 and 2 decimals), unit (kWh/day, "
            "m³/day or kg/day), bills (how many the median is over)."
        )
    )
    message = serializers.CharField(help_text="What was found, in words, naming the bills by number.")


EXAMPLE_FINDING = {
    "id": "0b7c1f5e-3f0a-4d53-9a8e-2f6f1f0c9a11",
    "code": "OVERLAPPING_PERIODS",
    "supply_point": {
        "key": "cups:ES0021000000000001RK",
        "type": "electricity",
        "cups": "ES0021000000000001RK",
        "facility_ids": ["5d9e8a51-8a6b-4f5e-9c5e-7f3c2b1a0d9e"],
        "facility_fuel_id": None,
    },
    "invoice_ids": ["3f1c8e0a-6a2b-4c1d-8e9f-0a1b2c3d4e5f", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"],
    "start_date": "2024-01-27",
    "end_date": "2024-01-31",
    "details": {"shared_days": 5, "first_shared_day": "2024-01-27", "last_shared_day": "2024-01-31"},
    "message": (
        "Bills FE-2024-01 (2024-01-01 to 2024-01-31) and FE-2024-02 (2024-01-27 to 2024-02-26) of CUPS "
        "ES0021000000000001RK share 5 day(s), 2024-01-27 to 2024-01-31: those days are billed twice."
    ),
}


@extend_schema_view(
    list=extend_schema(
        summary="Audit the bills of each supply point",
        description=(
            "What the bill audit found on your supply points (a CUPS for electricity with one, else a facility, "
            "type and facility fuel): `OVERLAPPING_PERIODS` (two bills share days; `end_date` is included), "
            "`GAP` (more than 3 days uncovered between consecutive bills), `DUPLICATE` (the same invoice number, "
            "or the same period and quantity) and `USAGE_OUTLIER` (daily use above 3x or below 1/3 of the supply "
            "point's median daily use, once it has 6 bills). Findings are kept up to date whenever invoices are "
            "written, so this list is current. Ordered by supply point, then by date. `start_date`/`end_date` "
            "keep the findings about days inside the window."
        ),
        examples=[OpenApiExample("An overlap", value=EXAMPLE_FINDING, response_only=True)],
    )
)
@extend_schema(tags=["invoices"])
class AuditFindingViewSet(mixins.ListModelMixin, OrganizationScopedViewSet):
    filterset_class = AuditFindingFilterSet
    serializer_class = AuditFindingSerializer

    def get_queryset(self) -> Any:
        return audit_finding_list(organization=self.organization)
