"""Creating facilities, the fuels they burn and their electricity supply contracts."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import IntegrityError, transaction

from invoicing.countries import country_error
from invoicing.cups import cups_error, normalize_cups
from invoicing.errors import ConflictError, ValidationError
from invoicing.models import Facility, FacilityFuel, Organization, StationaryFuel, Supplier, SupplyContract


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", errors={field: [message]})


@transaction.atomic
def facility_create(
    *, organization: Organization, name: str, country: str, region: str = "", cups: list[str] | None = None
) -> Facility:
    name, country, region = name.strip(), country.strip().upper(), region.strip()
    if not name:
        raise _invalid("name", "This field is required.")
    problem = country_error(country)
    if problem is not None:
        raise _invalid("country", problem)
    codes = list(dict.fromkeys(normalize_cups(c) for c in cups or []))
    problems = [f"{code}: {problem}" for code in codes if (problem := cups_error(code)) is not None]
    if problems:
        raise ValidationError(f"cups: {' '.join(problems)}", errors={"cups": problems})
    if Facility.objects.filter(organization=organization, name=name).exists():
        raise ConflictError(
            "Your organization already has a facility with this name.",
            errors={"name": ["Already used by another facility."]},
        )
    return Facility.objects.create(organization=organization, name=name, country=country, region=region, cups=codes)


@transaction.atomic
def facility_fuel_create(*, facility: Facility, fuel_id: uuid.UUID) -> FacilityFuel:
    if not StationaryFuel.objects.filter(pk=fuel_id).exists():
        raise _invalid("fuel_id", "Unknown stationary fuel.")
    try:
        with transaction.atomic():
            return FacilityFuel.objects.create(facility=facility, fuel_id=fuel_id)
    except IntegrityError as exc:
        raise ConflictError(
            "This fuel is already registered for the facility.", errors={"fuel_id": ["Already registered."]}
        ) from exc


@transaction.atomic
def supply_contract_create(
    *,
    organization: Organization,
    facility_id: uuid.UUID,
    supplier_id: uuid.UUID,
    start_date: date,
    end_date: date | None = None,
    cups: str | None = None,
    covered_by_guarantees_of_origin: bool = False,
) -> SupplyContract:
    errors: dict[str, list[str]] = {}
    facility = Facility.objects.filter(organization=organization, pk=facility_id).first()
    if facility is None:
        errors["facility_id"] = ["No facility with this id in your organization."]
    if not Supplier.objects.filter(pk=supplier_id).exists():
        errors["supplier_id"] = ["Unknown supplier."]
    if end_date is not None and end_date < start_date:
        errors["end_date"] = ["Must not be before start_date."]
    if cups is not None:
        cups = normalize_cups(cups) or None
        problem = cups_error(cups) if cups is not None else None
        if problem is not None:
            errors["cups"] = [problem]
    if errors or facility is None:
        raise ValidationError(f"The supply contract is invalid ({', '.join(errors)}).", errors=errors)
    return SupplyContract.objects.create(
        facility=facility,
        supplier_id=supplier_id,
        start_date=start_date,
        end_date=end_date,
        cups=cups,
        covered_by_guarantees_of_origin=covered_by_guarantees_of_origin,
    )
