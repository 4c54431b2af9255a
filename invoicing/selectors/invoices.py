"""Reads of invoices, always scoped to one organization. API items: see invoice_items."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from invoicing.errors import NotFoundError
from invoicing.models import Invoice, InvoiceEmission, Organization


def invoice_not_found() -> NotFoundError:
    return NotFoundError("No invoice with this id in your organization.")


def invoice_get(*, organization: Organization, invoice_id: uuid.UUID | str) -> Invoice:
    invoice = Invoice.objects.filter(organization=organization, pk=invoice_id).first()
    if invoice is None:
        raise invoice_not_found()
    return invoice


def invoice_emission_list(*, invoice_id: uuid.UUID | str) -> QuerySet[InvoiceEmission]:
    return InvoiceEmission.objects.filter(invoice_id=invoice_id).order_by("category")
