"""Creating, correcting and deleting invoices. Every failure names the field it concerns."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Trim, Upper

from invoicing.choices import InvoiceSource, InvoiceStatus, InvoiceType, UnitDimension
from invoicing.cups import cups_error, normalize_cups
from invoicing.emissions.figures import invoice_figures_refresh
from invoicing.errors import DuplicateInvoiceError, ValidationError
from invoicing.invoice_rules import billing_period_problems, normalized_number, quantity_problems
from invoicing.models import Facility, Invoice, Organization, Unit
from invoicing.services.audits import invoice_audit_refresh
from invoicing.services.calculation_inputs import CalculationInputsResolver
from invoicing.services.recalculation import invoice_recalculation_schedule
from invoicing.text import with_article

# Which unit dimensions each type accepts; types not listed accept any unit.
TYPE_UNIT_DIMENSIONS: dict[str, frozenset[str]] = {
    InvoiceType.ELECTRICITY: frozenset({UnitDimension.ENERGY}),
    InvoiceType.HEAT: frozenset({UnitDimension.ENERGY, UnitDimension.VOLUME, UnitDimension.MASS}),
}


class _Unset(Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET


@dataclass(frozen=True)
class _Draft:
    """The fields a caller controls; validated as a whole on create and on every correction."""

    type: str
    status: str
    source: str | None
    quantity: Decimal
    unit_id: uuid.UUID
    start_date: date
    end_date: date
    invoice_number: str
    facility_id: uuid.UUID
    supplier_id: uuid.UUID | None
    supply_contract_id: uuid.UUID | None
    facility_fuel_id: uuid.UUID | None
    cups: str | None
    kwh_per_m3: Decimal | None


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            names = ", ".join(self.errors)
            raise ValidationError(f"The invoice is invalid ({names}).", errors=self.errors)


def _validated(draft: _Draft, *, organization: Organization, require_fuel: bool) -> _Draft:
    """Check every rule and fill what follows from the contract (supplier, CUPS)."""
    errors = _Errors()
    if draft.type not in InvoiceType.values:
        errors.add("type", f"{draft.type!r} is not one of {', '.join(InvoiceType.values)}.")
    if draft.status not in InvoiceStatus.values:
        errors.add("status", f"{draft.status!r} is not one of {', '.join(InvoiceStatus.values)}.")
    if draft.source is not None and draft.source not in InvoiceSource.values:
        errors.add("source", f"{draft.source!r} is not one of {', '.join(InvoiceSource.values)}.")
    for field, message in quantity_problems(draft.quantity) + billing_period_problems(draft.start_date, draft.end_date):
        errors.add(field, message)
    if draft.kwh_per_m3 is not None:
        if draft.type != InvoiceType.HEAT:
            errors.add("kwh_per_m3", "Only a heat invoice (gas billed in m³) has a kWh per m³ conversion factor.")
        elif not draft.kwh_per_m3 > 0:
            errors.add("kwh_per_m3", "Must be more than 0 (kWh gross per m³, as printed on the bill).")
    if len(draft.invoice_number) > 100:
        errors.add("invoice_id", "At most 100 characters.")

    unit = Unit.objects.filter(pk=draft.unit_id).first()
    if unit is None:
        errors.add("unit_id", "Unknown unit.")
    elif draft.type in TYPE_UNIT_DIMENSIONS and unit.dimension not in TYPE_UNIT_DIMENSIONS[draft.type]:
        allowed = " or ".join(sorted(TYPE_UNIT_DIMENSIONS[draft.type]))
        errors.add(
            "unit_id", f"{with_article(draft.type).capitalize()} invoice needs a unit of {allowed}, not {unit.code}."
        )

    facility = Facility.objects.filter(pk=draft.facility_id, organization=organization).first()
    if facility is None:
        errors.add("facility_id", "No facility with this id in your organization.")

    cups = normalize_cups(draft.cups) or None if draft.cups is not None else None
    problem = cups_error(cups) if cups is not None else None
    if problem is not None:
        errors.add("cups", problem)
    inputs, problems = CalculationInputsResolver(organization).resolve(
        invoice_type=draft.type,
        facility_id=draft.facility_id,
        start_date=draft.start_date,
        end_date=draft.end_date,
        cups=cups if problem is None else None,
        supply_contract_id=draft.supply_contract_id,
        supplier_id=draft.supplier_id,
        facility_fuel_id=draft.facility_fuel_id,
        require_fuel=require_fuel,
    )
    for field, message in problems:
        errors.add(field, message)
    errors.raise_if_any()
    return replace(
        draft,
        supply_contract_id=inputs.supply_contract_id,
        supplier_id=inputs.supplier_id,
        cups=inputs.cups,
        facility_fuel_id=inputs.facility_fuel_id,
        invoice_number=draft.invoice_number.strip(),
    )


def _save(invoice: Invoice, draft: _Draft, *, correction: bool = False) -> Invoice:
    for field in fields(_Draft):
        setattr(invoice, field.name, getattr(draft, field.name))
    # A correction writes only what it corrects: the figures kept from the results (co2e, the inventory's
    # counts) may have been refreshed by a calculation since this copy of the invoice was read.
    update_fields = [*(field.name for field in fields(_Draft)), "updated_at"] if correction else None
    try:
        with transaction.atomic():
            invoice.save(update_fields=update_fields)
    except IntegrityError as exc:
        if "invoicing_invoice_natural_key" in str(exc):
            raise _duplicate_of(invoice) from exc
        raise
    return invoice


def _duplicate_of(invoice: Invoice) -> DuplicateInvoiceError:
    """The error for a bill that is already stored, naming the invoice that holds it."""
    existing = (
        Invoice.objects.alias(number_key=normalized_number())
        .filter(
            organization_id=invoice.organization_id,
            facility_id=invoice.facility_id,
            start_date=invoice.start_date,
            end_date=invoice.end_date,
            number_key=Upper(Trim(Value(invoice.invoice_number))),
        )
        .exclude(pk=invoice.pk)
        .values_list("id", "invoice_number")
        .first()
    )
    name = f"invoice {existing[1]!r} ({existing[0]})" if existing else "another invoice"
    message = (
        f"Invoice number {invoice.invoice_number!r} for {invoice.start_date.isoformat()} to "
        f"{invoice.end_date.isoformat()} is already {name} of this facility; one bill is one invoice "
        "(numbers are compared without regard to case or surrounding spaces)."
    )
    return DuplicateInvoiceError(message, errors={"invoice_id": [message]})


@transaction.atomic
def invoice_create(
    *,
    organization: Organization,
    type: str,
    quantity: Decimal,
    unit_id: uuid.UUID,
    start_date: date,
    end_date: date,
    facility_id: uuid.UUID,
    status: str = InvoiceStatus.UPLOADED,
    source: str | None = InvoiceSource.MANUAL,
    invoice_number: str = "",
    supplier_id: uuid.UUID | None = None,
    supply_contract_id: uuid.UUID | None = None,
    facility_fuel_id: uuid.UUID | None = None,
    cups: str | None = None,
    kwh_per_m3: Decimal | None = None,
    uploaded_by: AbstractBaseUser | None = None,
) -> Invoice:
    """Create an invoice of `organization`. Its emissions are calculated by a background job."""
    draft = _validated(
        _Draft(
            type=type,
            status=status,
            source=source,
            quantity=quantity,
            unit_id=unit_id,
            start_date=start_date,
            end_date=end_date,
            invoice_number=invoice_number,
            facility_id=facility_id,
            supplier_id=supplier_id,
            supply_contract_id=supply_contract_id,
            facility_fuel_id=facility_fuel_id,
            cups=cups,
            kwh_per_m3=kwh_per_m3,
        ),
        organization=organization,
        require_fuel=True,
    )
    invoice = Invoice(
        organization=organization,
        original_quantity=draft.quantity,
        original_unit_id=draft.unit_id,
        uploaded_by=uploaded_by,  # type: ignore[misc]
    )
    invoice = _save(invoice, draft)
    invoice_audit_refresh(organization_id=organization.pk, invoices=Invoice.objects.filter(pk=invoice.pk))
    invoice_recalculation_schedule(invoice=invoice)
    return invoice


# Corrections that change which supply contract applies to a bill.
BILL_IDENTITY = frozenset({"facility_id", "start_date", "end_date", "cups"})
# Where a bill's results count in the inventory: its months (InvoiceMonth) follow a correction of these.
INVENTORY_PLACE = frozenset({"facility_id", "start_date", "end_date"})


@transaction.atomic
def invoice_update(
    *,
    invoice: Invoice,
    status: str | _Unset = UNSET,
    quantity: Decimal | _Unset = UNSET,
    unit_id: uuid.UUID | _Unset = UNSET,
    start_date: date | _Unset = UNSET,
    end_date: date | _Unset = UNSET,
    invoice_number: str | _Unset = UNSET,
    facility_id: uuid.UUID | _Unset = UNSET,
    supplier_id: uuid.UUID | _Unset | None = UNSET,
    supply_contract_id: uuid.UUID | _Unset | None = UNSET,
    facility_fuel_id: uuid.UUID | _Unset | None = UNSET,
    cups: str | _Unset | None = UNSET,
    kwh_per_m3: Decimal | _Unset | None = UNSET,
) -> Invoice:
    """Correct an invoice. The type and the original quantity as first entered never change."""
    changes: dict[str, Any] = {
        name: value
        for name, value in {
            "status": status,
            "quantity": quantity,
            "unit_id": unit_id,
            "start_date": start_date,
            "end_date": end_date,
            "invoice_number": invoice_number,
            "facility_id": facility_id,
            "supplier_id": supplier_id,
            "supply_contract_id": supply_contract_id,
            "facility_fuel_id": facility_fuel_id,
            "cups": cups,
            "kwh_per_m3": kwh_per_m3,
        }.items()
        if value is not UNSET
    }
    current = _Draft(**{field.name: getattr(invoice, field.name) for field in fields(_Draft)})
    if "supply_contract_id" not in changes and BILL_IDENTITY & changes.keys():
        # Found again for the corrected bill, as for a new one (the same contract while it still applies).
        changes["supply_contract_id"] = None
    if "supplier_id" not in changes and (current.supply_contract_id or "supply_contract_id" in changes):
        changes["supplier_id"] = None  # the contract's supplier
    draft = _validated(
        replace(current, **changes), organization=invoice.organization, require_fuel="facility_fuel_id" in changes
    )
    supply_point_before = invoice.supply_point
    invoice = _save(invoice, draft, correction=True)
    invoice_audit_refresh(
        organization_id=invoice.organization_id,
        invoices=Invoice.objects.filter(pk=invoice.pk),
        supply_points=[supply_point_before],
    )
    changed = [field.name for field in fields(_Draft) if getattr(draft, field.name) != getattr(current, field.name)]
    if INVENTORY_PLACE & set(changed):
        invoice_figures_refresh(invoice_ids=[invoice.pk])
    invoice_recalculation_schedule(invoice=invoice, changed=changed)
    return invoice


@transaction.atomic
def invoice_delete(*, invoice: Invoice) -> None:
    """Delete an invoice with its emission results, and audit its supply point again."""
    supply_point = invoice.supply_point
    invoice.delete()
    invoice_audit_refresh(organization_id=invoice.organization_id, supply_points=[supply_point])
