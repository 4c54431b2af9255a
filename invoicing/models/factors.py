"""Emission-factor datasets, their factors, and each organization's factor configuration."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from invoicing.choices import ActivityCategory

from .base import UUIDModel, country_code_check, in_choices
from .catalog import StationaryFuel, Supplier, Unit
from .organizations import Organization


class FactorCategory(models.TextChoices):
    """What a published factor measures, in the vocabulary of the dataset files (docs/emissions.md)."""

    FUEL_COMBUSTION = "fuel_combustion", "Fuel combustion"
    FUEL_WTT = "fuel_wtt", "Well-to-tank of a fuel"
    ELECTRICITY_GENERATION_DIRECT = "electricity_generation_direct", "Grid electricity, direct emissions of generation"
    ELECTRICITY_TD_LOSSES = "electricity_td_losses", "Grid electricity, T&D losses"
    ELECTRICITY_WTT_GENERATION = "electricity_wtt_generation", "Grid electricity, well-to-tank of generation"
    ELECTRICITY_WTT_TD = "electricity_wtt_td", "Grid electricity, well-to-tank of T&D losses"
    HEAT_AND_STEAM = "heat_and_steam", "Purchased heat and steam"
    HEAT_AND_STEAM_TD = "heat_and_steam_td", "Purchased heat and steam, distribution losses"
    HEAT_AND_STEAM_WTT = "heat_and_steam_wtt", "Purchased heat and steam, well-to-tank"
    RESIDUAL_MIX = "residual_mix", "Residual mix / consumption without guarantees of origin"
    SUPPLIER_MIX = "supplier_mix", "Supplier mix or energy attribute certificate"


class FactorKind(models.TextChoices):
    """Which row of a category the engine looks for, where the category alone does not say (docs/emissions.md)."""

    STANDARD = "standard"
    SUPPLIER = "supplier", "Supplier-specific label"
    RENEWABLE_GOO = "renewable_goo", "Renewable guarantee of origin"
    COGENERATION_GOO = "cogeneration_goo", "High-efficiency cogeneration guarantee of origin"
    DISTRIBUTION_LOSSES_WTT = "distribution_losses_wtt", "Well-to-tank of district heat distribution losses"


class CalorificBasis(models.TextChoices):
    NONE = "", "Not applicable"
    GROSS = "gross", "Gross (HHV / PCS)"
    NET = "net", "Net (LHV / PCI)"
    UNSTATED = "unstated", "Not stated by the publication"


class FactorBasis(models.TextChoices):
    """Which gases a factor counts, as published."""

    CO2E = "co2e", "CO2e (CO2, CH4 and N2O)"
    CO2_ONLY = "co2_only", "CO2 only, as published"


def factor_field(**options: object) -> models.DecimalField:
    """Factors per unit as published: up to 17 decimals (SEAI publishes 0.29531068722625446 kg/kWh)."""
    return models.DecimalField(max_digits=25, decimal_places=17, **options)  # type: ignore[arg-type]


class EmissionFactorDataset(UUIDModel):
    """One published version of a factor set. A new version is a new row; rows are never overwritten."""

    publisher = models.CharField(max_length=200)
    name = models.CharField(max_length=300)
    version = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField(help_text="The latest year the dataset has factors for.")
    source_url = models.URLField(max_length=500)
    licence = models.TextField(blank=True, default="", help_text="Licence or terms of use, where known.")
    rank = models.PositiveSmallIntegerField(
        default=100,
        help_text="Order among datasets with a factor for the same country and category (lower first).",
    )
    content_hash = models.CharField(max_length=64, help_text="sha256 of the loaded figures; proves a reload is equal.")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["publisher", "name", "-year", "version"]
        constraints = [
            models.UniqueConstraint(fields=["publisher", "name", "version"], name="invoicing_efdataset_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.publisher} {self.name} {self.version}"


class EmissionFactor(UUIDModel):
    """One published factor per unit of activity with its per-gas parts and where it was read."""

    dataset = models.ForeignKey(EmissionFactorDataset, on_delete=models.PROTECT, related_name="factors")
    category = models.CharField(max_length=45, choices=FactorCategory.choices)
    kind = models.CharField(max_length=30, choices=FactorKind.choices, default=FactorKind.STANDARD)
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=100, blank=True, default="")
    item = models.CharField(max_length=300, help_text="The fuel, supplier or grid as the publication names it.")
    fuel = models.ForeignKey(
        StationaryFuel, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Catalogue fuel."
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    calorific_basis = models.CharField(max_length=10, choices=CalorificBasis.choices, blank=True, default="")
    kg_co2e = factor_field(null=True, blank=True, help_text="kg CO2e per unit; empty for a CO2-only factor.")
    co2_kg = factor_field(null=True, blank=True, help_text="kg CO2 per unit.")
    ch4_kg_co2e = factor_field(null=True, blank=True, help_text="kg CO2e of CH4 per unit.")
    n2o_kg_co2e = factor_field(null=True, blank=True, help_text="kg CO2e of N2O per unit.")
    biogenic_co2_kg = factor_field(null=True, blank=True, help_text="kg biogenic CO2 per unit, outside the scopes.")
    basis = models.CharField(max_length=10, choices=FactorBasis.choices)
    year = models.PositiveSmallIntegerField()
    scope_basis = models.TextField(blank=True, default="", help_text="What the publication's figure covers.")
    source_document = models.CharField(max_length=300)
    source_location = models.TextField(help_text="Sheet, row, cell or id of the figure in the source document.")

    class Meta:
        ordering = ["dataset", "category", "country", "year"]
        constraints = [
            in_choices("category", FactorCategory),
            in_choices("kind", FactorKind),
            in_choices("calorific_basis", CalorificBasis),
            in_choices("basis", FactorBasis),
            country_code_check(),
            models.CheckConstraint(
                condition=(models.Q(basis=FactorBasis.CO2E) & models.Q(kg_co2e__gte=0))
                | (models.Q(basis=FactorBasis.CO2_ONLY) & models.Q(kg_co2e__isnull=True) & models.Q(co2_kg__gte=0)),
                name="invoicing_ef_value_of_its_basis",
            ),
            models.UniqueConstraint(
                fields=["dataset", "category", "kind", "country", "region", "item", "unit", "calorific_basis", "year"],
                name="invoicing_ef_natural_key",
            ),
        ]
        indexes = [models.Index(fields=["category", "country", "year"], name="ef_category_country_year")]

    @property
    def value(self) -> Decimal:
        """kg per unit as published: CO2e, or CO2 for a CO2-only factor (see `basis`)."""
        value = self.kg_co2e if self.basis == FactorBasis.CO2E else self.co2_kg
        assert value is not None  # the database constraint invoicing_ef_value_of_its_basis
        return value

    def __str__(self) -> str:
        return f"{self.category} {self.country} {self.year} {self.item}: {self.value} kg/{self.unit_id}"


class OrganizationFactorConfig(UUIDModel):
    """An organization's choice of dataset for one category: a pinned version, or the latest of a dataset."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="factor_configs")
    category = models.CharField(max_length=45, choices=ActivityCategory.choices)
    dataset = models.ForeignKey(
        EmissionFactorDataset, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Pinned."
    )
    publisher = models.CharField(max_length=100, blank=True, default="", help_text="With name: use the latest.")
    dataset_name = models.CharField(max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            in_choices("category", ActivityCategory),
            models.UniqueConstraint(fields=["organization", "category"], name="invoicing_efconfig_one_per_category"),
            models.CheckConstraint(
                condition=(
                    (models.Q(dataset__isnull=False) & models.Q(publisher="") & models.Q(dataset_name=""))
                    | (models.Q(dataset__isnull=True) & ~models.Q(publisher="") & ~models.Q(dataset_name=""))
                ),
                name="invoicing_efconfig_pinned_xor_latest",
            ),
        ]

    def __str__(self) -> str:
        target = str(self.dataset) if self.dataset_id else f"latest {self.publisher} {self.dataset_name}"
        return f"{self.category}: {target}"


class OrganizationCustomFactor(UUIDModel):
    """An organization's own factor (e.g. a supplier's certified value), winning over defaults while valid."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="custom_factors")
    category = models.CharField(max_length=45, choices=ActivityCategory.choices)
    fuel = models.ForeignKey(StationaryFuel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    calorific_basis = models.CharField(max_length=10, choices=CalorificBasis.choices, blank=True, default="")
    kg_co2e = models.DecimalField(max_digits=20, decimal_places=10)
    biogenic_co2_kg = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Empty: still valid.")
    evidence = models.TextField(help_text="Where the value comes from (certificate, lab report…).")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "category", "-valid_from"]
        constraints = [
            in_choices("category", ActivityCategory),
            in_choices("calorific_basis", CalorificBasis),
            models.CheckConstraint(condition=models.Q(kg_co2e__gte=0), name="invoicing_customef_kg_co2e_gte_0"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="invoicing_customef_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.kg_co2e} kg/{self.unit_id} from {self.valid_from}"
