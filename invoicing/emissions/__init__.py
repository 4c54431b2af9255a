"""The emissions engine: factor lookup, unit conversion, per-category formulas (docs/emissions.md).

Public interface used by the recalculation jobs:

    result = calculate_invoices(invoice_ids=[...], category="electricity", job_id=None)
    result.succeeded_ids, result.failures  # list[UUID], list[InvoiceFailure(invoice_id, code, message)]
"""

from __future__ import annotations

from invoicing.choices import CATEGORY_INVOICE_TYPES

from .calculator import calculate_invoices
from .result import CalculationResult, InvoiceFailure


def categories_for_invoice_type(invoice_type: str) -> list[str]:
    """The activity categories that apply to invoices of this type, in a stable order."""
    return [str(category) for category, types in CATEGORY_INVOICE_TYPES.items() if invoice_type in types]


__all__ = ["CalculationResult", "InvoiceFailure", "calculate_invoices", "categories_for_invoice_type"]
