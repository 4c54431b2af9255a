"""Pick an organization's invoices with the API list's filters, for operator commands."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from django.db.models import Q, QuerySet

from invoicing.models import Invoice, Organization


def invoice_selection(
    *,
    organization: Organization,
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
    facility_ids: Sequence[uuid.UUID] = (),
    start_date: date | None = None,
    end_date: date | None = None,
    invoice_numbers: Sequence[str] = (),
    ids: Sequence[uuid.UUID] = (),
) -> QuerySet[Invoice]:
    """Invoices matching every given filter, as in GET /v1/invoices: periods starting on or after
    `start_date` and ending on or before `end_date`; `invoice_numbers` match partially, ignoring case."""
    queryset = Invoice.objects.filter(organization=organization)
    if types:
        queryset = queryset.filter(type__in=types)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if facility_ids:
        queryset = queryset.filter(facility_id__in=facility_ids)
    if start_date:
        queryset = queryset.filter(start_date__gte=start_date)
    if end_date:
        queryset = queryset.filter(end_date__lte=end_date)
    if invoice_numbers:
        matches = Q()
        for number in invoice_numbers:
            matches |= Q(invoice_number__icontains=number)
        queryset = queryset.filter(matches)
    if ids:
        queryset = queryset.filter(id__in=ids)
    return queryset.order_by()
