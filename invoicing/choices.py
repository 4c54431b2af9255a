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
    """The GHG Protocol buckets an invoice's results are reported in (docs/emissions.md, "6. The categories").

    The values are the API's contract and never change; the labels are what people read (admin).
    """

    STATIONARY = "stationary", "Fuel combustion (Scope 1; purchased heat: Scope 2)"
    STATIONARY_GENERATION = "stationary_generation", "Fuels: well-to-tank (Scope 3 cat. 3a; purchased heat: 3b + 3c)"
    ELECTRICITY = "electricity", "Electricity: market-based (Scope 2)"
    ELECTRICITY_LOCATION_BASED = "electricity_location_based", "Electricity: location-based (Scope 2)"
    ELECTRICITY_GENERATION = "electricity_generation", "Electricity: upstream of generation (Scope 3 cat. 3b)"
    ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION = (
        "electricity_transmission_and_distribution",
        "Electricity: T&D losses (Scope 3 cat. 3c)",
    )
    ENERGY = "energy", "Energy use (kWh, not an emission)"


class ResultUnit(models.TextChoices):
    """The unit of a category's figures: kWh for energy, kg CO2e for every other category. The values
    name the InvoiceEmission column that holds the figure."""

    KG_CO2E = "kg_co2e", "kg CO2e"
    KWH = "kwh", "kWh"


def result_unit(category: str) -> ResultUnit:
    """The unit of `category`'s results (InvoiceEmission keeps energy in `kwh`, the others in `kg_co2e`)."""
    return ResultUnit.KWH if category == ActivityCategory.ENERGY else ResultUnit.KG_CO2E


class UnitDimension(models.TextChoices):
    ENERGY = "energy"
    VOLUME = "volume"
    MASS = "mass"


# Which invoice types each category applies to (docs/emissions.md, "The categories").
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

# Categories whose kg CO2e is not added into an invoice's co2e: location-based Scope 2 is reported beside
# market-based, never added to it (GHG Protocol Scope 2 Guidance), and energy is not an emission.
CATEGORIES_OUTSIDE_CO2E = frozenset({ActivityCategory.ELECTRICITY_LOCATION_BASED, ActivityCategory.ENERGY})

# The fuel code of purchased heat and steam (district heating): Scope 2, not Scope 1 (GHG Protocol
# Scope 2 Guidance; DESNZ files "Heat and steam" under Scope 2).
PURCHASED_HEAT_FUEL = "district_heat"


class Scope(models.TextChoices):
    """GHG Protocol bucket of one stored result, decided by what was consumed (docs/emissions.md, "Scopes")."""

    NONE = "", "Not an emission (energy in kWh)"
    SCOPE_1 = "scope_1", "Scope 1 (fuel burnt on site)"
    SCOPE_2_MARKET_BASED = "scope_2_market_based", "Scope 2 (purchased electricity, market-based)"
    SCOPE_2_LOCATION_BASED = "scope_2_location_based", "Scope 2 (purchased electricity, location-based)"
    SCOPE_2_HEAT_AND_STEAM = (
        "scope_2_heat_and_steam",
        "Scope 2 (purchased heat and steam; location- and market-based alike)",
    )
    SCOPE_3_3A = "scope_3_3a", "Scope 3 cat. 3a (well-to-tank of fuels burnt on site)"
    SCOPE_3_3B = "scope_3_3b", "Scope 3 cat. 3b (upstream of purchased electricity, heat and steam)"
    SCOPE_3_3C = "scope_3_3c", "Scope 3 cat. 3c (transmission and distribution losses)"
    SCOPE_3_3B_3C = (
        "scope_3_3b_3c",
        "Scope 3 cat. 3b and 3c (upstream and distribution losses of purchased heat and steam)",
    )


SCOPES: dict[str, Scope] = {
    ActivityCategory.STATIONARY: Scope.SCOPE_1,
    ActivityCategory.STATIONARY_GENERATION: Scope.SCOPE_3_3A,
    ActivityCategory.ELECTRICITY: Scope.SCOPE_2_MARKET_BASED,
    ActivityCategory.ELECTRICITY_LOCATION_BASED: Scope.SCOPE_2_LOCATION_BASED,
    ActivityCategory.ELECTRICITY_GENERATION: Scope.SCOPE_3_3B,
    ActivityCategory.ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION: Scope.SCOPE_3_3C,
    ActivityCategory.ENERGY: Scope.NONE,
}
PURCHASED_HEAT_SCOPES: dict[str, Scope] = {
    ActivityCategory.STATIONARY: Scope.SCOPE_2_HEAT_AND_STEAM,
    ActivityCategory.STATIONARY_GENERATION: Scope.SCOPE_3_3B_3C,
}


def scope_of(category: str, fuel: str = "") -> Scope:
    """The scope of a result of `category` for an invoice of `fuel` (its facility fuel code, if any)."""
    if fuel == PURCHASED_HEAT_FUEL and category in PURCHASED_HEAT_SCOPES:
        return PURCHASED_HEAT_SCOPES[category]
    return SCOPES[category]
