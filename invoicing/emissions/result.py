"""What the calculator returns to its caller (the recalculation job)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class InvoiceFailure:
    """One invoice that could not be calculated for the category, with a stable code and a reason."""

    invoice_id: uuid.UUID
    code: str
    message: str


@dataclass
class CalculationResult:
    succeeded_ids: list[uuid.UUID] = field(default_factory=list)
    failures: list[InvoiceFailure] = field(default_factory=list)
