"""Start a recalculation: the one service behind the API, the admin bulk action and `recalculate_invoices`.

Rules, checked in this order (the first that fails raises; nothing is created):
1. `activity_categories` must be non-empty and known (VALIDATION_ERROR); duplicates are merged, order kept.
2. The invoices are scoped to `organization`: others are silently dropped. If none is left the call
   succeeds with count 0 and creates no job (so the type rules below are not checked).
3. UNSUPPORTED_INVOICE_TYPE: a surviving invoice whose type has no categories (water, recharge).
4. MIXED_INVOICE_TYPES: heat and electricity together, unless every category is cross-type (energy).
5. ACTIVITY_CATEGORY_MISMATCH: a category that does not apply to the invoices' type.

Then one ProcessingJob per category is created with its invoice set (split into chunks) in one
transaction, and the jobs are handed to RQ after the commit. If Redis is unreachable the jobs stay
PENDING and the reconciler dispatches them later.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from invoicing.choices import (
    CATEGORY_INVOICE_TYPES,
    CROSS_TYPE_CATEGORIES,
    ActivityCategory,
    categories_for_invoice_type,
)
from invoicing.errors import (
    ActivityCategoryMismatch,
    DomainError,
    MixedInvoiceTypes,
    UnsupportedInvoiceType,
    ValidationError,
)
from invoicing.models import Invoice, Organization
from invoicing.models.functions import id_in_array
from jobs.models import JobTrigger
from jobs.services.creation import processing_jobs_create

SUPPORTED_TYPES = frozenset().union(*CATEGORY_INVOICE_TYPES.values())
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecalculationResult:
    invoice_ids: list[uuid.UUID] | None  # the enqueued ids, in request order; None when given a queryset
    count: int
    processing_job_ids: list[uuid.UUID]


def invoice_recalculation_start(
    *,
    organization: Organization,
    invoices: Iterable[uuid.UUID | str] | QuerySet[Invoice],
    activity_categories: Sequence[str],
    trigger: str,
    triggered_by: Any = None,
) -> RecalculationResult:
    categories = _clean_categories(activity_categories)
    requested: list[uuid.UUID] | None = None
    if isinstance(invoices, QuerySet):
        scoped = invoices.filter(organization=organization).order_by()
    else:
        requested = _clean_ids(invoices)
        scoped = Invoice.objects.filter(id_in_array(requested), organization=organization).order_by()

    with transaction.atomic():
        if requested is not None:
            found = dict(scoped.values_list("id", "type"))
            types = set(found.values())
            enqueued: list[uuid.UUID] | None = [i for i in requested if i in found]
        else:
            types = set(scoped.values_list("type", flat=True).distinct())
            enqueued = None
        if not types:
            return RecalculationResult(invoice_ids=enqueued, count=0, processing_job_ids=[])
        _check_rules(types, categories)
        jobs = processing_jobs_create(
            organization=organization,
            invoices=scoped,
            activity_categories=categories,
            trigger=trigger,
            triggered_by=triggered_by,
        )
    return RecalculationResult(
        invoice_ids=enqueued, count=jobs[0].items_total, processing_job_ids=[job.id for job in jobs]
    )


def _clean_categories(activity_categories: Sequence[str]) -> list[str]:
    if isinstance(activity_categories, str) or not activity_categories:
        raise ValidationError(
            "At least one activity category is required.",
            errors={"activity_categories": ["This list may not be empty."]},
        )
    unknown = sorted({c for c in activity_categories if c not in ActivityCategory.values})
    if unknown:
        raise ValidationError(
            f"Unknown activity categories: {', '.join(map(str, unknown))}.",
            errors={"activity_categories": [f"Unknown category: {c}." for c in unknown]},
        )
    return list(dict.fromkeys(activity_categories))


def _clean_ids(ids: Iterable[uuid.UUID | str]) -> list[uuid.UUID]:
    cleaned: list[uuid.UUID] = []
    for value in ids:
        try:
            cleaned.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            raise ValidationError(
                f"{value!r} is not an invoice id.", errors={"invoice_ids": [f"Not a valid UUID: {value}."]}
            ) from None
    return list(dict.fromkeys(cleaned))


def _check_rules(types: set[str], categories: list[str]) -> None:
    unsupported = sorted(types - SUPPORTED_TYPES)
    if unsupported:
        raise UnsupportedInvoiceType(
            f"Emissions cannot be calculated for {' or '.join(unsupported)} invoices.", invoice_types=unsupported
        )
    if len(types) > 1 and not set(categories) <= CROSS_TYPE_CATEGORIES:
        raise MixedInvoiceTypes(
            "The invoices mix heat and electricity; recalculate each type separately "
            "(only the cross-type category energy may be asked for both together).",
            invoice_types=sorted(types),
        )
    mismatched = [c for c in categories if not types <= CATEGORY_INVOICE_TYPES[c]]
    if mismatched:
        (invoice_type,) = types
        raise ActivityCategoryMismatch(
            f"{', '.join(mismatched)} does not apply to {invoice_type} invoices.",
            activity_categories=mismatched,
            invoice_type=invoice_type,
        )


# Changes to these invoice fields change its emissions (invoice_update schedules a recalculation).
EMISSION_INPUTS = frozenset(
    {
        "quantity",
        "unit_id",
        "start_date",
        "end_date",
        "facility_id",
        "facility_fuel_id",
        "supply_contract_id",
        "supplier_id",
        "kwh_per_m3",
    }
)


def invoice_recalculation_schedule(*, invoice: Invoice, changed: Iterable[str] | None = None) -> None:
    """After the current transaction commits, calculate every category of a new (or corrected) invoice.

    `changed`: the fields an update touched; nothing is scheduled unless one of EMISSION_INPUTS is among
    them. Runs as background jobs with trigger "system"; problems are logged, never raised to the caller.
    """
    if changed is not None and not EMISSION_INPUTS & set(changed):
        return
    organization, ids_by_type = invoice.organization, {invoice.type: [invoice.id]}

    def start() -> None:
        started = new_invoices_calculation_start(
            organization=organization, invoice_ids_by_type=ids_by_type, trigger=JobTrigger.SYSTEM
        )
        for problem in started.problems:
            logger.warning("emissions of invoice %s not scheduled: %s", invoice.id, problem)

    transaction.on_commit(start, robust=True)


@dataclass
class CalculationStart:
    job_ids: list[uuid.UUID] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def new_invoices_calculation_start(
    *,
    organization: Organization,
    invoice_ids_by_type: Mapping[str, Sequence[uuid.UUID] | QuerySet[Invoice]],
    trigger: str,
    triggered_by: Any = None,
) -> CalculationStart:
    """Calculate new invoices (API create, imports, demo data): one recalculation per invoice type, so
    types never mix, over every category that applies to it. Types without categories (water,
    recharge) get no job. The invoices of a type are ids or a queryset (an import's million new rows
    never enter Python). The jobs are dispatched after the current transaction commits."""
    started = CalculationStart()
    for invoice_type, ids in invoice_ids_by_type.items():
        categories = categories_for_invoice_type(invoice_type)
        if not categories or (not isinstance(ids, QuerySet) and not ids):
            continue
        invoices = ids if isinstance(ids, QuerySet) else Invoice.objects.filter(id_in_array(ids))
        try:
            result = invoice_recalculation_start(
                organization=organization,
                invoices=invoices.filter(organization=organization, type=invoice_type),
                activity_categories=categories,
                trigger=trigger,
                triggered_by=triggered_by,
            )
        except DomainError as error:  # the invoices are saved; say why their emissions are not on the way
            started.problems.append(f"{invoice_type}: {error.detail}")
            continue
        started.job_ids.extend(result.processing_job_ids)
    return started
