"""Reads of bill-audit findings (docs/audits.md), scoped to one organization, and the audit codes of invoices."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Func, OuterRef, QuerySet

from invoicing.models import Invoice, InvoiceAuditFinding, Organization


def audit_finding_list(*, organization: Organization | uuid.UUID) -> QuerySet[InvoiceAuditFinding]:
    """The organization's findings by supply point, then by date (the audit_finding_org_order index)."""
    return InvoiceAuditFinding.objects.filter(organization=organization).order_by(
        "supply_point", "start_date", "code", "id"
    )


def findings_in_window(
    queryset: QuerySet[InvoiceAuditFinding], *, start: date | None = None, end: date | None = None
) -> QuerySet[InvoiceAuditFinding]:
    """Findings whose days reach into the window: ending on or after `start`, starting on or before `end`."""
    if start is not None:
        queryset = queryset.filter(end_date__gte=start)
    if end is not None:
        queryset = queryset.filter(start_date__lte=end)
    return queryset


def findings_of_invoice(
    queryset: QuerySet[InvoiceAuditFinding], invoice_id: uuid.UUID
) -> QuerySet[InvoiceAuditFinding]:
    """Findings that involve this invoice (the GIN index audit_finding_invoices)."""
    return queryset.filter(invoice_ids__contains=[invoice_id])


def audit_codes() -> ArraySubquery:
    """For an invoice queryset's annotation: the distinct codes of the findings involving each invoice,
    sorted (`[]` for none). One subquery per row through the GIN index on the findings' invoice ids."""
    this_invoice = Func(OuterRef("pk"), function="ARRAY", template="%(function)s[%(expressions)s]")
    findings = (
        InvoiceAuditFinding.objects.filter(
            invoice_ids__contains=models.ExpressionWrapper(this_invoice, output_field=ArrayField(models.UUIDField()))
        )
        .order_by("code")
        .values("code")
        .distinct()
    )
    return ArraySubquery(findings)


def invoices_with_audit_codes(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """The invoices with `audit_codes`: the codes of the findings that involve each of them."""
    return queryset.annotate(audit_codes=audit_codes())
