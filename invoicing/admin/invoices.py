"""Invoice admin: a fast changelist at a million rows, read-only emissions, the recalculation action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from invoicing.cups import normalize_cups
from invoicing.models import Invoice, InvoiceAuditFinding, InvoiceEmission
from invoicing.selectors.audits import findings_of_invoice, invoices_with_audit_codes
from invoicing.selectors.invoices import invoices_with_cups_prefix, invoices_with_number_containing

from .audits import audit_badges, findings_url
from .changelist import InvoiceChangeList
from .display import number
from .filters import CalculatedFilter, FacilityFilter, OrganizationFilter, PeriodFilter, SourceFilter, SupplierFilter
from .outcomes import category_outcomes
from .paginator import EstimatedCountPaginator
from .permissions import ReadOnlyScopedAdmin
from .recalculation import recalculate_emissions


class InvoiceEmissionInline(admin.TabularInline):
    """The per-category results, read-only: only a recalculation rewrites them."""

    model = InvoiceEmission
    extra = 0
    can_delete = False
    show_change_link = False
    fields = readonly_fields = (
        "category",
        "scope_label",
        "kg_co2e_value",
        "energy_kwh",
        "biogenic_co2_kg",
        "quantity_in_factor_unit",
        "factor_used",
        "basis_label",
        "dataset",
        "factor_rung",
        "fallbacks_used",
        "year_parts_used",
        "calculated_at",
        "job_link",
    )

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return super().get_queryset(request).select_related("job")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # the parent invoice admin has already checked the organization

    @admin.display(description="scope")
    def scope_label(self, emission: InvoiceEmission) -> str:
        return emission.get_scope_display()

    @admin.display(description="kg CO2e")
    def kg_co2e_value(self, emission: InvoiceEmission) -> str:
        return "—" if emission.kg_co2e is None else number(emission.kg_co2e)

    @admin.display(description="energy (kWh)")
    def energy_kwh(self, emission: InvoiceEmission) -> str:
        return "—" if emission.kwh is None else f"{number(emission.kwh)} kWh"

    @admin.display(description="basis")
    def basis_label(self, emission: InvoiceEmission) -> str:
        return emission.get_basis_display() if emission.basis else "—"

    @admin.display(description="quantity")
    def quantity_in_factor_unit(self, emission: InvoiceEmission) -> str:
        text = f"{number(emission.quantity)} {emission.quantity_unit}"
        return f"{text} ({emission.conversion})" if emission.conversion else text

    @admin.display(description="factor")
    def factor_used(self, emission: InvoiceEmission) -> str:
        if emission.factor_value is None:
            return "see year parts" if emission.year_parts else "—"
        return f"{number(emission.factor_value)} {emission.factor_unit}".strip()

    @admin.display(description="source")
    def dataset(self, emission: InvoiceEmission) -> str:
        parts = [
            emission.dataset_publisher,
            emission.dataset_name,
            emission.dataset_version,
            str(emission.factor_year or ""),
        ]
        text = " · ".join(part for part in parts if part)
        where = " — ".join(part for part in (emission.source_document, emission.source_location) if part)
        return f"{text} ({where})" if where else (text or "—")

    @admin.display(description="fallbacks")
    def fallbacks_used(self, emission: InvoiceEmission) -> str:
        if not emission.fallbacks:
            return "none"
        return "; ".join(str(item) for item in emission.fallbacks)

    @admin.display(description="year parts")
    def year_parts_used(self, emission: InvoiceEmission) -> str:
        lines = []
        for part in emission.year_parts:
            factors = ", ".join(
                f"{f['component']} {f['factor_value']} {f['factor_unit']} ({f['factor_year'] or 'custom'})"
                for f in part["factors"]
            )
            lines.append(
                f"{part['year']}: {part['days']} days, {part['quantity']} {part['quantity_unit']}, "
                f"{part['kg_co2e']} kg — {factors}"
            )
        return "; ".join(lines) or "—"

    @admin.display(description="job")
    def job_link(self, emission: InvoiceEmission) -> str:
        if emission.job_id is None:
            return "—"
        url = reverse("admin:jobs_processingjob_change", args=[emission.job_id])
        return format_html('<a href="{}">{}</a>', url, str(emission.job_id)[:8])


# A search term of at least this many characters shaped like the start of a CUPS (ES and digits)
# matches CUPS codes from their start: "ES0021" finds ES0021000000000001RK.
MIN_CUPS_PREFIX = 4


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyScopedAdmin):
    # The numbers come before the organization and provenance columns, so that they stay in view on a
    # laptop screen (1280 px) next to the filter sidebar.
    list_display = (
        "invoice_number_display",
        "facility",
        "type",
        "status",
        "period",
        "quantity_with_unit",
        "co2e_kg",
        "energy_kwh",
        "audit",
        "organization",
        "source_display",
        "uploaded_by",
    )
    list_display_links = ("invoice_number_display",)
    list_select_related = ("organization", "facility", "unit", "uploaded_by")
    list_filter = (
        "type",
        "status",
        SourceFilter,
        CalculatedFilter,
        OrganizationFilter,
        FacilityFilter,
        SupplierFilter,
        PeriodFilter,
    )
    search_fields = ("invoice_number", "cups")
    search_help_text = "Invoice number (partial) or CUPS (from its start, e.g. ES0021…)."
    date_hierarchy = "start_date"
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # per-choice counts would scan the whole table
    list_per_page = 50
    # Served by the (organization, -created_at, -id) index: newest first within each organization.
    # A global newest-first order would sort all rows on every load (1.6 s at 1M) for want of an index.
    ordering = ("organization_id", "-created_at", "-id")
    list_max_show_all = 500
    actions = [recalculate_emissions]
    inlines = [InvoiceEmissionInline]
    change_list_template = "admin/invoicing/invoice/change_list.html"
    fieldsets = (
        (None, {"fields": ("organization", "invoice_number", "type", "status", "source", "uploaded_by")}),
        ("Period and quantity", {"fields": ("start_date", "end_date", "quantity_with_unit", "original_with_unit")}),
        ("Where", {"fields": ("facility", "supplier", "supply_contract", "facility_fuel", "cups")}),
        ("Results", {"fields": ("category_outcomes_display", "co2e_kg", "energy_kwh", "created_at", "updated_at")}),
        ("Bill audit", {"fields": ("audit_findings",)}),
    )
    readonly_fields = (
        "organization",
        "invoice_number",
        "type",
        "status",
        "source",
        "uploaded_by",
        "start_date",
        "end_date",
        "quantity_with_unit",
        "original_with_unit",
        "facility",
        "supplier",
        "supply_contract",
        "facility_fuel",
        "cups",
        "category_outcomes_display",
        "co2e_kg",
        "energy_kwh",
        "created_at",
        "updated_at",
        "audit_findings",
    )

    # Invoices are written by the import and API services, and their results only by recalculation;
    # the admin reads them, imports and starts recalculations.
    def has_recalculate_permission(self, request: HttpRequest) -> bool:
        return self.has_act_permission(request)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_act_permission(request)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        # Each row's audit codes come in the page's query (an index-only subquery per row, selectors.audits).
        return invoices_with_audit_codes(super().get_queryset(request))

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[InvoiceChangeList]:
        return InvoiceChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet[Any], search_term: str
    ) -> tuple[models.QuerySet[Any], bool]:
        # One indexed condition instead of Django's OR over both fields: a term shaped like a CUPS
        # matches the code's 20-character base, anything else the number (trigram index on UPPER()).
        term = search_term.strip()
        if not term:
            return queryset, False
        compact = normalize_cups(term)
        if len(compact) >= MIN_CUPS_PREFIX and compact[:2] == "ES" and compact[2 : min(len(compact), 18)].isdigit():
            return invoices_with_cups_prefix(queryset, compact[:20]), False
        return invoices_with_number_containing(queryset, term), False

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="invoicing_invoice_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        from invoicing.imports.admin_views import invoice_import_view

        return invoice_import_view(request, self)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    @admin.display(description="invoice number", ordering="invoice_number")
    def invoice_number_display(self, invoice: Invoice) -> str:
        return invoice.invoice_number or "(no number)"

    @admin.display(description="period", ordering="start_date")
    def period(self, invoice: Invoice) -> str:
        return f"{invoice.start_date:%Y-%m-%d} to {invoice.end_date:%Y-%m-%d}"

    @admin.display(description="quantity", ordering="quantity")
    def quantity_with_unit(self, invoice: Invoice) -> str:
        return f"{number(invoice.quantity)} {invoice.unit.symbol}"

    @admin.display(description="as entered")
    def original_with_unit(self, invoice: Invoice) -> str:
        return f"{number(invoice.original_quantity)} {invoice.original_unit.symbol}"

    @admin.display(description="CO2e (kg)", ordering="co2e")
    def co2e_kg(self, invoice: Invoice) -> str:
        return number(invoice.co2e)

    @admin.display(description="Energy (kWh)", ordering="total_energy_kwh")
    def energy_kwh(self, invoice: Invoice) -> str:
        return number(invoice.total_energy_kwh)

    @admin.display(description="by category")
    def category_outcomes_display(self, invoice: Invoice) -> str:
        return category_outcomes(invoice)

    @admin.display(description="source", ordering="source")
    def source_display(self, invoice: Invoice) -> str:
        return invoice.get_source_display() if invoice.source else "legacy"

    @admin.display(description="audit")
    def audit(self, invoice: Invoice) -> SafeString:
        codes = getattr(invoice, "audit_codes", None)
        if not codes:
            return audit_badges(codes)
        return format_html('<a href="{}">{}</a>', findings_url(invoice.pk), audit_badges(codes))

    @admin.display(description="findings")
    def audit_findings(self, invoice: Invoice) -> SafeString:
        findings = findings_of_invoice(InvoiceAuditFinding.objects.all(), invoice.pk).order_by("start_date", "code")
        rows = [(audit_badges([f.code]), f.message) for f in findings[:20]]
        if not rows:
            return format_html("{}", "The bill audit found nothing on this invoice.")
        return format_html(
            '<ul class="audit-findings">{}</ul><a href="{}">All findings of this invoice</a>',
            format_html_join("", "<li>{} {}</li>", rows),
            findings_url(invoice.pk),
        )
