"""The emissions engine: factor lookup, unit conversion, per-category formulas (docs/emissions.md).

Public interface used by the recalculation jobs:

    result = calculate_invoices(invoice_ids=[...], category="electricity", job_id=None)
    result.succeeded_ids, result.failures  # list[UUID], list[InvoiceFailure(invoice_id, code, message)]
"""

from __future__ import annotations

from invoicing.choices import categories_for_invoice_type

from .calculator import calculate_invoices
from .result import CalculationResult, InvoiceFailure

__all__ = ["CalculationResult", "InvoiceFailure", "calculate_invoices", "categories_for_invoice_type"]
