"""Enumerations shared by models, API, admin and the emissions engine."""

from django.db import models


class InvoiceType(models.TextChoices):
    HEAT = "heat"
    ELECTRICITY = "electricity"
    WATER = "water"
    RECHARGE = "recharge"


class InvoiceStatus(models.TextChoices):
    UPLOADED = "uploaded"
    LOADING = "loading"
    ACTIVE = "active"
    INACTIVE = "inactive"
    REVIEW = "review"
    ERROR = "error"


class InvoiceSource(models.TextChoices):
    MANUAL = "manual"
    PDF = "pdf"
    BULK_FILE = "bulk_file"
    DATADIS = "datadis"


class ActivityCategory(models.TextChoices):
    STATIONARY = "stationary"
    STATIONARY_GENERATION = "stationary_generation"
    ELECTRICITY = "electricity"
    ELECTRICITY_LOCATION_BASED = "electricity_location_based"
    ELECTRICITY_GENERATION = "electricity_generation"
    ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION = "electricity_transmission_and_distribution"
    ENERGY = "energy"


class UnitDimension(models.TextChoices):
    ENERGY = "energy"
    VOLUME = "volume"
    MASS = "mass"


# Which invoice types each category applies to (domain.md §2).
CATEGORY_INVOICE_TYPES: dict[str, frozenset[str]] = {
    ActivityCategory.STATIONARY: frozenset({InvoiceType.HEAT}),
    ActivityCategory.STATIONARY_GENERATION: frozenset({InvoiceType.HEAT}),
    ActivityCategory.ELECTRICITY: frozenset({InvoiceType.ELECTRICITY}),
    ActivityCategory.ELECTRICITY_LOCATION_BASED: frozenset({InvoiceType.ELECTRICITY}),
    ActivityCategory.ELECTRICITY_GENERATION: frozenset({InvoiceType.ELECTRICITY}),
    ActivityCategory.ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION: frozenset({InvoiceType.ELECTRICITY}),
    ActivityCategory.ENERGY: frozenset({InvoiceType.HEAT, InvoiceType.ELECTRICITY}),
}


def categories_for_invoice_type(invoice_type: str) -> list[str]:
    """The activity categories that apply to invoices of this type, in a stable order."""
    return [str(category) for category, types in CATEGORY_INVOICE_TYPES.items() if invoice_type in types]


# Categories that apply across invoice types (so heat and electricity may be mixed).
CROSS_TYPE_CATEGORIES = frozenset({ActivityCategory.ENERGY})

# Categories whose kg CO2e is not added into an invoice's co2e (domain.md §2).
CATEGORIES_OUTSIDE_CO2E = frozenset({ActivityCategory.ELECTRICITY_LOCATION_BASED, ActivityCategory.ENERGY})

# GHG Protocol bucket of each category, for display.
CATEGORY_SCOPE: dict[str, str] = {
    ActivityCategory.STATIONARY: "Scope 1 (stationary combustion)",
    ActivityCategory.STATIONARY_GENERATION: "Scope 3 cat. 3a (well-to-tank of fuels)",
    ActivityCategory.ELECTRICITY: "Scope 2 (market-based)",
    ActivityCategory.ELECTRICITY_LOCATION_BASED: "Scope 2 (location-based)",
    ActivityCategory.ELECTRICITY_GENERATION: "Scope 3 cat. 3b (upstream of generation)",
    ActivityCategory.ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION: "Scope 3 cat. 3c (T&D losses)",
    ActivityCategory.ENERGY: "Energy (kWh, not an emission)",
}
