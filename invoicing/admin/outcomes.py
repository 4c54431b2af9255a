"""The invoice page's "by category" table: for each category that applies to the invoice's type, its
number, or the reason it has none, or that a job has still to calculate it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from invoicing.choices import ActivityCategory, categories_for_invoice_type, result_unit
from invoicing.models import Invoice
from invoicing.selectors.invoices import invoice_pending_categories

from .display import number

PENDING_NOTE = "pending: a job has still to calculate it"


def _when(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _job_link(job_id: Any) -> SafeString:
    if job_id is None:
        return format_html("{}", "no job")
    url = reverse("admin:jobs_processingjob_change", args=[job_id])
    return format_html('job <a href="{}">{}</a>', url, str(job_id)[:8])


def category_outcomes(invoice: Invoice) -> SafeString:
    """One row per applicable category: `data-state` is calculated, failed, pending or not_calculated."""
    categories = categories_for_invoice_type(invoice.type)
    if not categories:
        return format_html("No activity category applies to {} invoices.", invoice.get_type_display())
    emissions = {row.category: row for row in invoice.emissions.all()}
    failures = {row.category: row for row in invoice.calculation_failures.all()}
    pending = set(invoice_pending_categories(invoice=invoice))
    rows = []
    for category in categories:
        unit = result_unit(category)
        emission, failure = emissions.get(category), failures.get(category)
        if emission is not None:
            state = "calculated"
            value = format_html("{} {}", number(getattr(emission, unit.value)), unit.label)
            detail = format_html("calculated {}, {}", _when(emission.calculated_at), _job_link(emission.job_id))
        elif failure is not None:
            state = "failed"
            value = format_html("{}", "no number")
            detail = format_html(
                "<code>{}</code>: {} (failed {}, {})",
                failure.code,
                failure.message,
                _when(failure.failed_at),
                _job_link(failure.job_id),
            )
        else:
            state = "not_calculated"
            value = format_html("{}", "no number")
            detail = format_html("{}", "never calculated: recalculate the invoice for this category")
        if category in pending:
            state = "pending"
            known = emission is not None or failure is not None
            detail = (
                format_html("{}; last outcome: {}", PENDING_NOTE, detail) if known else format_html("{}", PENDING_NOTE)
            )
        rows.append((category, state, ActivityCategory(category).label, value, detail))
    body = format_html_join(
        "",
        '<tr data-category="{}" data-state="{}"><th scope="row">{}</th><td class="outcome-value">{}</td>'
        '<td class="outcome-detail">{}</td></tr>',
        rows,
    )
    return format_html('<table class="category-outcomes"><tbody>{}</tbody></table>', body)
