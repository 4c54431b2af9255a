"""Reads of invoices, always scoped to one organization, and the lookups every invoice filter shares.

The API's filterset (invoicing.api.filters), `recalculate_invoices` (through that filterset) and the
admin's list filters narrow `invoice_list` with the same lookup functions below, so a filter means
the same thing on every path.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from invoicing.choices import InvoiceSource
from invoicing.cups import cups_base
from invoicing.errors import NotFoundError
from invoicing.models import Invoice, InvoiceCalculationFailure, InvoiceEmission, Organization
from invoicing.selectors.audits import invoices_with_audit_codes
from jobs.models import ACTIVE_STATUSES, ChunkStatus, ProcessingJobChunk

BORDER_POINT_SUFFIXES = [f"{digit}{letter}" for digit in "0123456789" for letter in "FPRCXYZ"]


def invoice_list(*, organization: Organization | uuid.UUID) -> QuerySet[Invoice]:
    """The organization's invoices, newest upload first (the (organization, -created_at, -id) index)."""
    return Invoice.objects.filter(organization=organization).order_by("-created_at", "-id")


def invoice_not_found() -> NotFoundError:
    return NotFoundError("No invoice with this id in your organization.")


def invoice_get(
    *, organization: Organization | uuid.UUID, invoice_id: uuid.UUID | str, with_audit_codes: bool = False
) -> Invoice:
    """One invoice of the organization; NotFoundError for another organization's, a missing or a malformed id.
    `with_audit_codes` adds `invoice.audit_codes` (selectors.audits.invoices_with_audit_codes) in the same query."""
    try:
        invoice_id = uuid.UUID(str(invoice_id))
    except ValueError:
        raise invoice_not_found() from None
    invoices = Invoice.objects.filter(organization=organization, pk=invoice_id)
    if with_audit_codes:
        invoices = invoices_with_audit_codes(invoices)
    invoice = invoices.first()
    if invoice is None:
        raise invoice_not_found()
    return invoice


def invoice_detail_get(*, organization: Organization | uuid.UUID, invoice_id: uuid.UUID | str) -> Invoice:
    """`invoice_get` with its `audit_codes` and the last outcome of each category: `invoice.emissions.all()` (results),
    `invoice.calculation_failures.all()` (why a category has none) and `invoice.pending_categories`
    (categories a job has still to calculate, for instance after a correction), each by category."""
    invoice = invoice_get(organization=organization, invoice_id=invoice_id, with_audit_codes=True)
    prefetch_related_objects(
        [invoice],
        Prefetch("emissions", queryset=InvoiceEmission.objects.order_by("category")),
        Prefetch("calculation_failures", queryset=InvoiceCalculationFailure.objects.order_by("category")),
    )
    invoice.pending_categories = invoice_pending_categories(invoice=invoice)  # type: ignore[attr-defined]
    return invoice


def invoice_pending_categories(*, invoice: Invoice) -> list[str]:
    """The categories of the invoice that a PENDING or PROCESSING job has still to calculate (a chunk
    holding the invoice is not done yet), in category order."""
    chunks = ProcessingJobChunk.objects.filter(
        status=ChunkStatus.PENDING,
        job__status__in=ACTIVE_STATUSES,
        job__organization_id=invoice.organization_id,
        invoice_ids__contains=[invoice.pk],
    )
    return sorted(set(chunks.values_list("job__activity_category", flat=True)))


# Lookups: each takes and returns a QuerySet of invoices.


def invoices_with_source(queryset: QuerySet[Invoice], sources: Sequence[str]) -> QuerySet[Invoice]:
    """Invoices from these sources; `manual` also matches legacy invoices, which have no source."""
    condition = Q(source__in=sources)
    if InvoiceSource.MANUAL in sources:
        condition |= Q(source__isnull=True)
    return queryset.filter(condition)


def invoices_calculated(queryset: QuerySet[Invoice], calculated: bool) -> QuerySet[Invoice]:
    """Invoices whose co2e is known (True) or still null (False)."""
    return queryset.filter(co2e__isnull=not calculated)


def invoices_with_cups(queryset: QuerySet[Invoice], cups: Sequence[str]) -> QuerySet[Invoice]:
    """Invoices on these supply points, matched on the 20-character base with or without the
    border-point suffix: every stored form of each base, so that the (organization, cups) index serves."""
    candidates = [cups_base(code) + suffix for code in cups for suffix in ["", *BORDER_POINT_SUFFIXES]]
    return queryset.filter(cups__in=candidates)


def invoices_with_cups_prefix(queryset: QuerySet[Invoice], prefix: str) -> QuerySet[Invoice]:
    """Invoices whose CUPS starts with `prefix` (upper case, no spaces)."""
    return queryset.filter(cups__startswith=prefix)


def invoices_with_number_containing(queryset: QuerySet[Invoice], text: str) -> QuerySet[Invoice]:
    """A partial, case-insensitive match on the invoice number (the trigram index invoice_org_number_trgm)."""
    return queryset.filter(invoice_number__icontains=text)
