"""Reads of catalogue rows and of an organization's facilities and contracts."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from invoicing.errors import NotFoundError
from invoicing.models import Facility, FacilityFuel, Organization, StationaryFuel, Supplier, SupplyContract, Unit


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.order_by("dimension", "code")


def supplier_list() -> QuerySet[Supplier]:
    return Supplier.objects.order_by("name", "id")


def stationary_fuel_list() -> QuerySet[StationaryFuel]:
    return StationaryFuel.objects.order_by("name", "id")


def facility_list(*, organization: Organization | uuid.UUID) -> QuerySet[Facility]:
    return Facility.objects.filter(organization=organization).order_by("name", "id")


def facility_get(*, organization: Organization, facility_id: uuid.UUID | str) -> Facility:
    facility = Facility.objects.filter(organization=organization, pk=facility_id).first()
    if facility is None:
        raise NotFoundError("No facility with this id in your organization.")
    return facility


def facility_fuel_list(*, facility: Facility) -> QuerySet[FacilityFuel]:
    return FacilityFuel.objects.filter(facility=facility).order_by("created_at", "id")


def supply_contract_list(*, organization: Organization) -> QuerySet[SupplyContract]:
    return SupplyContract.objects.filter(facility__organization=organization).order_by("-start_date", "id")
