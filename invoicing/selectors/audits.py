"""Reads of bill-audit findings (docs/audits.md), scoped to one organization, and the audit codes of invoices."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet

from invoicing.models import Invoice, InvoiceAuditFinding, InvoiceAuditFindingInvoice, Organization


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
    """Findings that involve this invoice (through InvoiceAuditFindingInvoice's primary key)."""
    links = InvoiceAuditFindingInvoice.objects.filter(invoice_id=invoice_id).values("finding_id")
    return queryset.filter(id__in=links)


def invoices_with_audit_codes(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """The invoices with `audit_codes`: the distinct codes of the findings that involve each of them, sorted
    (`[]` for none). One index-only lookup per row on InvoiceAuditFindingInvoice's primary key."""
    codes = (
        InvoiceAuditFindingInvoice.objects.filter(invoice_id=OuterRef("pk")).order_by("code").values("code").distinct()
    )
    return queryset.annotate(audit_codes=ArraySubquery(codes))
