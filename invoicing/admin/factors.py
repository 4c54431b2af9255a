"""Emission-factor datasets and factors (shared, read-only for members) and each organization's configuration."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from invoicing.models.factors import (
    EmissionFactor,
    EmissionFactorDataset,
    OrganizationCustomFactor,
    OrganizationFactorConfig,
)

from .filters import OrganizationFilter
from .permissions import OrganizationScopedAdmin, ReferenceDataAdmin


@admin.register(EmissionFactorDataset)
class EmissionFactorDatasetAdmin(ReferenceDataAdmin):
    """Loaded by load_emission_factors only; a superuser may change a dataset's rank, nothing it published."""

    list_display = ("publisher", "name", "version", "year", "rank", "loaded_at")
    list_filter = ("publisher", "year")
    search_fields = ("publisher", "name", "version")
    readonly_fields = ("publisher", "name", "version", "year", "source_url", "licence", "content_hash", "loaded_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EmissionFactor)
class EmissionFactorAdmin(ReferenceDataAdmin):
    list_display = (
        "category",
        "kind",
        "country",
        "region",
        "item",
        "fuel",
        "kg_co2e",
        "co2_kg",
        "basis",
        "unit",
        "calorific_basis",
        "year",
        "dataset",
    )
    list_select_related = ("dataset", "fuel", "unit")
    list_filter = ("category", "kind", "basis", "country", "year", "dataset")
    search_fields = ("item", "source_location", "fuel__name")

    # A published figure is never edited: a correction is loaded as a new dataset version.
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrganizationFactorConfig)
class OrganizationFactorConfigAdmin(OrganizationScopedAdmin):
    list_display = ("organization", "category", "dataset", "publisher", "dataset_name", "updated_at")
    list_select_related = ("organization", "dataset")
    list_filter = (OrganizationFilter, "category")


@admin.register(OrganizationCustomFactor)
class OrganizationCustomFactorAdmin(OrganizationScopedAdmin):
    list_display = ("organization", "category", "fuel", "supplier", "kg_co2e", "unit", "valid_from", "valid_to")
    list_select_related = ("organization", "fuel", "supplier", "unit")
    list_filter = (OrganizationFilter, "category")
    autocomplete_fields = ("supplier",)
