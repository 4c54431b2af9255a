"""Facilities and contracts (per organization) and the shared catalogue: units, fuels, suppliers."""

from __future__ import annotations

from django.contrib import admin

from invoicing.models import Facility, FacilityFuel, StationaryFuel, Supplier, SupplyContract, Unit

from .filters import FacilityOrganizationFilter, OrganizationFilter
from .permissions import OrganizationScopedAdmin, ReferenceDataAdmin, ScopedInlineMixin


class FacilityFuelInline(ScopedInlineMixin, admin.TabularInline):
    model = FacilityFuel
    extra = 0
    fields = ("fuel",)


class SupplyContractInline(ScopedInlineMixin, admin.TabularInline):
    model = SupplyContract
    extra = 0
    fields = ("supplier", "cups", "start_date", "end_date", "covered_by_guarantees_of_origin")
    autocomplete_fields = ("supplier",)


@admin.register(Facility)
class FacilityAdmin(OrganizationScopedAdmin):
    list_display = ("name", "organization", "country", "region", "cups_list")
    list_select_related = ("organization",)
    list_filter = (OrganizationFilter, "country")
    search_fields = ("name", "cups")
    fields = ("organization", "name", "country", "region", "cups")
    inlines = [FacilityFuelInline, SupplyContractInline]

    @admin.display(description="CUPS")
    def cups_list(self, facility: Facility) -> str:
        return ", ".join(facility.cups) or "—"


@admin.register(SupplyContract)
class SupplyContractAdmin(OrganizationScopedAdmin):
    organization_path = "facility__organization"
    list_display = (
        "facility",
        "organization",
        "supplier",
        "cups",
        "start_date",
        "end_date",
        "covered_by_guarantees_of_origin",
    )
    list_select_related = ("facility__organization", "supplier")
    list_filter = ("covered_by_guarantees_of_origin", FacilityOrganizationFilter)
    search_fields = ("cups", "facility__name", "supplier__name")
    autocomplete_fields = ("supplier",)
    date_hierarchy = "start_date"

    @admin.display(description="organization", ordering="facility__organization__name")
    def organization(self, contract: SupplyContract) -> str:
        return str(contract.facility.organization)


@admin.register(Unit)
class UnitAdmin(ReferenceDataAdmin):
    list_display = ("code", "name", "symbol", "dimension", "id")
    list_filter = ("dimension",)
    search_fields = ("code", "name")


@admin.register(StationaryFuel)
class StationaryFuelAdmin(ReferenceDataAdmin):
    list_display = ("name", "code", "is_biomass", "id")
    list_filter = ("is_biomass",)
    search_fields = ("code", "name")


@admin.register(Supplier)
class SupplierAdmin(ReferenceDataAdmin):
    list_display = ("name", "legal_name", "country", "code")
    list_filter = ("country",)
    search_fields = ("name", "legal_name", "code")
