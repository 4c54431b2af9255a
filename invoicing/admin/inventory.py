"""The organization's "Emissions inventory" page: a year (and a facility), month by month.

The figures are `emissions_summary`'s (invoicing.selectors.inventory), the same reader as
`GET /v1/emissions/summary`, and the downloads are that endpoint's CSV and XLSX renderers over the same
serialized summary. The charts are SVG drawn on the server by pygal (no script, nothing fetched by the
browser): a bar per month with Scope 1, Scope 2 (market-based) and Scope 3 cat. 3a-3c stacked, and
Scope 2 location- and market-based side by side, never stacked together.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pygal
from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from pygal.style import Style

from invoicing.api.exports import SummaryCSVRenderer, SummaryXLSXRenderer
from invoicing.api.inventory import MAX_YEAR, summary_data
from invoicing.models import Organization
from invoicing.selectors.inventory import (
    EmissionsSummary,
    GroupBy,
    emissions_summary,
    inventory_default_year,
    inventory_facilities,
    reporting_window,
)

# The stacked series of the monthly chart: (label, figure).
STACKED = (
    ("Scope 1", "scope_1"),
    ("Scope 2 (market-based)", "scope_2_market_based"),
    ("Scope 3 cat. 3a", "scope_3_cat3a"),
    ("Scope 3 cat. 3b", "scope_3_cat3b"),
    ("Scope 3 cat. 3c", "scope_3_cat3c"),
)
SCOPE_2 = (("Location-based", "scope_2_location_based"), ("Market-based", "scope_2_market_based"))
KG_PER_TONNE = Decimal(1000)
# One colour per series, told apart in print and by most colour-blind readers (matplotlib's "tab10").
CHART_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    colors=("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd"),
)
RENDERERS = {"csv": SummaryCSVRenderer, "xlsx": SummaryXLSXRenderer}


class InventoryForm(forms.Form):
    year = forms.IntegerField(min_value=1, max_value=MAX_YEAR)
    facility = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, facilities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "All facilities"), *((str(f.id), f.name) for f in facilities)]
        self.fields["facility"].choices = choices  # type: ignore[attr-defined]


def inventory_page(request: HttpRequest, organization: Organization, base_context: dict[str, Any]) -> HttpResponse:
    """The page for the year and facility of the query string (by default the year of the organization's
    latest bill, all facilities).

    The caller (OrganizationAdmin) has checked that the user may view the organization."""
    form, summary = _summary(request, organization)
    context = {
        **base_context,
        "title": f"Emissions inventory: {organization.name}",
        "organization": organization,
        "form": form,
        "summary": summary,
        "query": request.GET.urlencode(),
        "years": _years(form),
    }
    if summary is not None:
        context.update(
            monthly_chart=_stacked_chart(summary),
            scope_2_chart=_scope_2_chart(summary),
            scope_2=[(label, summary.totals[key]) for label, key in SCOPE_2],
            stacked_totals=[(label, summary.totals[key]) for label, key in STACKED],
            audit_findings=_audit_findings(organization, summary),
        )
    return TemplateResponse(request, "admin/invoicing/organization/inventory.html", context)


def inventory_download(request: HttpRequest, organization: Organization, export: str) -> HttpResponse:
    """The page's summary as the API's CSV or XLSX (`export`), one row per month. With a bad year or
    facility in the query string, the page itself, which says what is wrong."""
    if export not in RENDERERS:
        raise Http404("The inventory downloads as csv or xlsx.")
    _, summary = _summary(request, organization)
    if summary is None:
        page = reverse("admin:invoicing_organization_inventory", args=[organization.pk])
        return redirect(f"{page}?{request.GET.urlencode()}")
    renderer = RENDERERS[export]()
    response = HttpResponse(renderer.render(summary_data(summary)), content_type=renderer.media_type)
    name = f"emissions-summary-{summary.window.start}-{summary.window.end}-by-month.{export}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _summary(request: HttpRequest, organization: Organization) -> tuple[InventoryForm, EmissionsSummary | None]:
    facilities = inventory_facilities(organization=organization)
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(inventory_default_year(organization=organization, today=timezone.localdate()))
    form = InventoryForm(data, facilities=facilities)
    if not form.is_valid():
        return form, None
    facility = form.cleaned_data["facility"]
    summary = emissions_summary(
        organization=organization,
        window=reporting_window(year=form.cleaned_data["year"]),
        group_by=GroupBy.MONTH,
        facility_ids=[f.id for f in facilities if str(f.id) == facility] if facility else None,
    )
    return form, summary


def _audit_findings(organization: Organization, summary: EmissionsSummary) -> list[tuple[str, int, str]]:
    """Each audit code found in the window, with its count and the findings list filtered to it."""
    changelist = reverse("admin:invoicing_invoiceauditfinding_changelist")
    return [
        (code, count, f"{changelist}?{urlencode({'code__exact': code, 'organization': organization.pk})}")
        for code, count in summary.coverage.audit_findings_by_code.items()
    ]


def _years(form: InventoryForm) -> list[int]:
    current = timezone.now().year
    chosen = getattr(form, "cleaned_data", {}).get("year")
    return sorted({*range(current - 9, current + 1), *([chosen] if chosen else [])}, reverse=True)


def _tonnes(value: Decimal) -> float:
    return float(value / KG_PER_TONNE)


def _chart(kind: type[pygal.graph.graph.Graph], summary: EmissionsSummary, title: str) -> Any:
    chart = kind(
        js=[],  # no script from anywhere: the SVG is drawn as it comes
        disable_xml_declaration=True,
        width=960,
        height=380,
        title=title,
        y_title="t CO2e",
        legend_at_bottom=True,
        style=CHART_STYLE,
        print_zeroes=False,
    )
    chart.x_labels = [month.strftime("%b") for month in summary.window.months()]  # the page groups by month
    return chart


def _stacked_chart(summary: EmissionsSummary) -> str:
    chart = _chart(pygal.StackedBar, summary, f"Emissions by scope, {summary.window.start.year} (market-based Scope 2)")
    for label, key in STACKED:
        chart.add(label, [_tonnes(g.figures[key]) for g in summary.groups])
    return mark_safe(chart.render(is_unicode=True))  # noqa: S308 (pygal escapes; labels are ours)


def _scope_2_chart(summary: EmissionsSummary) -> str:
    chart = _chart(pygal.Bar, summary, f"Scope 2 both ways, {summary.window.start.year} (never added together)")
    for label, key in SCOPE_2:
        chart.add(label, [_tonnes(g.figures[key]) for g in summary.groups])
    return mark_safe(chart.render(is_unicode=True))  # noqa: S308 (pygal escapes; labels are ours)
