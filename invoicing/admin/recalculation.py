"""The "Recalculate emissions…" bulk action and its intermediate page.

The selection is never loaded into memory: counts, organizations and types are asked of SQL,
and "select all N" hands the filtered QuerySet itself to the recalculation service.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from invoicing.choices import CROSS_TYPE_CATEGORIES, ActivityCategory, categories_for_invoice_type
from invoicing.errors import DomainError, MixedInvoiceTypes, UnsupportedInvoiceType
from invoicing.models import Organization
from invoicing.text import counted

from .permissions import ids_in


class RecalculationForm(forms.Form):
    activity_categories = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one activity category."},
    )

    def __init__(self, *args: Any, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["activity_categories"]
        field.choices = [(c, ActivityCategory(c).label) for c in categories]  # type: ignore[attr-defined]
        field.initial = categories


def applicable_categories(invoice_types: list[str]) -> list[str]:
    """Categories that apply to every selected type (only cross-type ones when types are mixed)."""
    if not invoice_types:
        return []
    per_type = [categories_for_invoice_type(invoice_type) for invoice_type in invoice_types]
    if len(per_type) == 1:
        return per_type[0]
    common = set.intersection(*(set(categories) for categories in per_type))
    return [category for category in per_type[0] if category in common and category in CROSS_TYPE_CATEGORIES]


def _selection_facts(queryset: models.QuerySet[Any]) -> tuple[int, list[Any], list[str]]:
    """Count and distinct types (one GROUP BY) and organizations (at most two: enough to refuse a mix)."""
    unordered = queryset.order_by()
    per_type = dict(unordered.values_list("type").annotate(n=Count("pk")).values_list("type", "n"))
    count = sum(per_type.values())
    organization_ids = list(unordered.values_list("organization_id", flat=True)[:1])
    if organization_ids:
        other = unordered.exclude(organization_id=organization_ids[0]).values_list("organization_id", flat=True)
        organization_ids += list(other[:1])
    return count, organization_ids, sorted(per_type)


@admin.action(description="Recalculate emissions…", permissions=["recalculate"])
def recalculate_emissions(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet[Any]
) -> HttpResponse | None:
    count, organization_ids, types = _selection_facts(queryset)
    if len(organization_ids) > 1:
        # One job belongs to one organization; mixing tenants in one click is more likely a mistake.
        modeladmin.message_user(
            request,
            "MULTIPLE_ORGANIZATIONS: the selected invoices belong to more than one organization. "
            "Filter the list by organization first, then recalculate.",
            messages.ERROR,
        )
        return None
    if count == 0:
        modeladmin.message_user(request, "No invoices are selected.", messages.WARNING)
        return None
    organization = Organization.objects.get(pk=organization_ids[0])
    categories = applicable_categories(types)

    if request.POST.get("confirm") == "yes":
        form = RecalculationForm(request.POST, categories=categories)
        # Even a category outside the offered ones goes to the service, which explains the mismatch.
        requested = request.POST.getlist("activity_categories")
        if requested:
            return _start(modeladmin, request, queryset, organization, requested)
        form.is_valid()  # shows "Choose at least one activity category."
    else:
        form = RecalculationForm(categories=categories)

    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Recalculate emissions",
        "opts": modeladmin.model._meta,
        "form": form,
        "count": count,
        "count_display": f"{count:,}",
        "organization": organization,
        "invoice_types": types,
        "categories": categories,
        "problem": "" if categories else _no_category_problem(types),
        "select_across": request.POST.get("select_across") == "1",
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "changelist_url": request.get_full_path(),
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/invoicing/invoice/recalculate.html", context)


def _no_category_problem(types: list[str]) -> str:
    unsupported = [t for t in types if not categories_for_invoice_type(t)]
    if unsupported:
        return (
            f"{UnsupportedInvoiceType.code}: no emission category applies to {', '.join(unsupported)} invoices. "
            "Leave them out of the selection (filter by type)."
        )
    return f"{MixedInvoiceTypes.code}: no activity category applies to all of {', '.join(types)}. Filter by type."


def _start(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: models.QuerySet[Any],
    organization: Organization,
    categories: list[str],
) -> HttpResponse | None:
    from invoicing.services.recalculation import invoice_recalculation_start

    try:
        result = invoice_recalculation_start(
            organization=organization,
            invoices=queryset,
            activity_categories=categories,
            trigger="admin",
            triggered_by=request.user,
        )
    except DomainError as error:
        modeladmin.message_user(request, f"{error.code}: {error.detail}", messages.ERROR)
        return None
    job_ids = list(result.processing_job_ids)
    if not job_ids:
        modeladmin.message_user(request, "None of the selected invoices could be recalculated.", messages.WARNING)
        return None
    modeladmin.message_user(
        request,
        f"Recalculating {counted(result.count, 'invoice')} of {organization}: {counted(len(job_ids), 'job')} queued.",
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:jobs_processingjob_changelist") + "?id__in=" + ids_in(job_ids))
