"""Small helpers for the engine's tests: calculate one category and read the stored row back."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from invoicing.emissions import calculate_invoices
from invoicing.models import Invoice, InvoiceEmission


def kg(value: str | Decimal) -> Decimal:
    """Rounded as the engine stores kg CO2e: 6 decimals, half to even."""
    return Decimal(value).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)


def calculated(invoice: Invoice, category: str) -> InvoiceEmission:
    result = calculate_invoices(invoice_ids=[invoice.id], category=category, job_id=None)
    assert result.failures == [], result.failures
    assert result.succeeded_ids == [invoice.id]
    return InvoiceEmission.objects.get(invoice=invoice, category=category)


def failure(invoice: Invoice, category: str) -> tuple[str, str]:
    result = calculate_invoices(invoice_ids=[invoice.id], category=category)
    assert result.succeeded_ids == []
    [only] = result.failures
    return only.code, only.message
