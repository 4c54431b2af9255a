"""The "Audit findings" list: what the bill audits found (docs/audits.md), read-only, linking to the invoices."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from invoicing.errors import AuditCode
from invoicing.models import Facility, FacilityFuel, Invoice, InvoiceAuditFinding
from invoicing.selectors.audits import findings_of_invoice

from .filters import OrganizationFilter
from .paginator import EstimatedCountPaginator
from .permissions import ReadOnlyScopedAdmin, scope_to_organizations


def audit_badges(codes: list[str] | None) -> SafeString:
    """One badge per audit code (the invoice list and page), or a dash for none."""
    if not codes:
        return format_html("{}", "—")
    labels = dict(AuditCode.choices)
    badges = ((code.lower(), str(labels.get(code, code)), code) for code in codes)
    return format_html_join(" ", '<span class="audit-badge audit-{}" title="{}">{}</span>', badges)


def findings_url(invoice_id: uuid.UUID) -> str:
    """The findings list narrowed to those involving one invoice."""
    changelist = reverse("admin:invoicing_invoiceauditfinding_changelist")
    return f"{changelist}?{InvoiceFindingFilter.parameter_name}={invoice_id}"


class InvoiceFindingFilter(admin.SimpleListFilter):
    """`?invoice=<id>`: the findings that involve this invoice (the links from the invoice pages)."""

    title = "invoice"
    parameter_name = "invoice"

    def has_output(self) -> bool:
        """Shown, and so applied, whenever a value is given, even one that names no invoice (Django drops
        a filter without choices, and would list every finding)."""
        return self.value() is not None

    def selected_invoice(self) -> uuid.UUID | None:
        """The id given, or None when there is none or it is not an id."""
        try:
            return uuid.UUID(self.value() or "")
        except ValueError:
            return None

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        """The selected invoice as its one choice, named as people know it: one query per page. An
        invoice the user may not see, or none, is not named (its findings are not listed either)."""
        invoice_id = self.selected_invoice()
        if invoice_id is None:
            return []
        invoices = scope_to_organizations(Invoice.objects.filter(pk=invoice_id), request)
        row = invoices.values_list("invoice_number", "start_date", "end_date", "facility__name").first()
        if row is None:
            return []
        number, start, end, facility = row
        name = number or f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
        return [(str(self.value()), f"{name} · {facility}")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if not self.value():
            return queryset
        invoice_id = self.selected_invoice()
        return queryset.none() if invoice_id is None else findings_of_invoice(queryset, invoice_id)


@admin.register(InvoiceAuditFinding)
class InvoiceAuditFindingAdmin(ReadOnlyScopedAdmin):
    list_display = ("code_badge", "supply_point_display", "period", "invoices", "message", "organization")
    list_select_related = ("organization",)
    list_filter = ("code", OrganizationFilter, InvoiceFindingFilter)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    ordering = ("organization_id", "supply_point", "start_date", "code", "id")  # the audit_finding_org_order index
    fields = readonly_fields = (
        "organization",
        "code_badge",
        "supply_point_display",
        "period",
        "invoices",
        "details",
        "message",
    )

    @admin.display(description="code", ordering="code")
    def code_badge(self, finding: InvoiceAuditFinding) -> SafeString:
        return audit_badges([finding.code])

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        # The names of the supply point's facility and fuel come in the page's query (a subquery per row).
        return (
            super()
            .get_queryset(request)
            .annotate(
                facility_name=Subquery(Facility.objects.filter(id=OuterRef("facility_ids__0")).values("name")[:1]),
                fuel_name=Subquery(
                    FacilityFuel.objects.filter(id=OuterRef("facility_fuel_id")).values("fuel__name")[:1]
                ),
            )
        )

    @admin.display(description="supply point", ordering="supply_point")
    def supply_point_display(self, finding: InvoiceAuditFinding) -> str:
        if finding.cups:
            return f"CUPS {finding.cups}"
        names = (getattr(finding, "facility_name", None), getattr(finding, "fuel_name", None))
        parts = [finding.get_type_display(), *names]
        return " · ".join(str(part) for part in parts if part)

    @admin.display(description="days", ordering="start_date")
    def period(self, finding: InvoiceAuditFinding) -> str:
        return f"{finding.start_date:%Y-%m-%d} to {finding.end_date:%Y-%m-%d}"

    @admin.display(description="invoices")
    def invoices(self, finding: InvoiceAuditFinding) -> SafeString:
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:invoicing_invoice_change", args=[pk]), str(pk)[:8]) for pk in finding.invoice_ids),
        )
