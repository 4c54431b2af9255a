"""Start the emission calculation of newly created invoices (imports, demo data) through the shared service."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser

from invoicing.emissions import categories_for_invoice_type
from invoicing.errors import DomainError
from invoicing.models import Invoice, Organization


@dataclass
class CalculationStart:
    job_ids: list[uuid.UUID] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def new_invoices_calculation_start(
    *,
    organization: Organization,
    invoice_ids_by_type: Mapping[str, Sequence[uuid.UUID]],
    trigger: str,
    triggered_by: AbstractBaseUser | None = None,
) -> CalculationStart:
    """One recalculation per invoice type (so types never mix), over every category that applies to it.

    Types without categories (water, recharge) get no job. Must run after the invoices are committed.
    """
    from invoicing.services.recalculation import invoice_recalculation_start

    started = CalculationStart()
    for invoice_type, ids in invoice_ids_by_type.items():
        categories = categories_for_invoice_type(invoice_type)
        if not ids or not categories:
            continue
        try:
            result = invoice_recalculation_start(
                organization=organization,
                invoices=Invoice.objects.filter(organization=organization, type=invoice_type, id__in=list(ids)),
                activity_categories=categories,
                trigger=trigger,
                triggered_by=triggered_by,
            )
        except DomainError as error:  # the invoices are saved; say why their emissions are not on the way
            started.problems.append(f"{invoice_type}: {error.detail}")
            continue
        started.job_ids.extend(result.processing_job_ids)
    return started
