"""Emission-factor datasets, their factors, and each organization's factor configuration."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from invoicing.choices import ActivityCategory

from .base import UUIDModel, country_code_check, in_choices
from .catalog import StationaryFuel, Supplier, Unit
from .organizations import Organization


class FactorKind(models.TextChoices):
    """What an electricity row stands for in the market-based hierarchy; `standard` for everything else."""

    STANDARD = "standard"
    SUPPLIER = "supplier"
    RESIDUAL_MIX = "residual_mix", "Residual mix / no guarantees of origin"
    RENEWABLE_GOO = "renewable_goo", "Renewable guarantee of origin"
    COGENERATION_GOO = "cogeneration_goo", "High-efficiency cogeneration guarantee of origin"
    GRID_AVERAGE = "grid_average"
    WTT_TD = "wtt_td", "Well-to-tank of T&D losses"


class CalorificBasis(models.TextChoices):
    NONE = "", "Not applicable"
    GROSS = "gross", "Gross (HHV / PCS)"
    NET = "net", "Net (LHV / PCI)"


class EmissionFactorDataset(UUIDModel):
    """One published version of a factor set. A new version is a new row; rows are never overwritten."""

    publisher = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50)
    year = models.PositiveSmallIntegerField(help_text="The latest year the dataset has factors for.")
    source_url = models.URLField(max_length=500)
    licence = models.TextField(help_text="Licence or terms of use of the source.")
    rank = models.PositiveSmallIntegerField(
        default=100, help_text="Order among datasets when an organization has no configuration (lower first)."
    )
    content_hash = models.CharField(max_length=64, help_text="sha256 of the loaded rows; proves a reload is equal.")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["publisher", "name", "-year", "version"]
        constraints = [
            models.UniqueConstraint(fields=["publisher", "name", "version"], name="invoicing_efdataset_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.publisher} {self.name} {self.version}"


class EmissionFactor(UUIDModel):
    """kg CO2e per unit of activity, with its per-gas parts where the source prints them."""

    dataset = models.ForeignKey(EmissionFactorDataset, on_delete=models.PROTECT, related_name="factors")
    category = models.CharField(max_length=45, choices=ActivityCategory.choices)
    kind = models.CharField(max_length=20, choices=FactorKind.choices, default=FactorKind.STANDARD)
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=50, blank=True, default="")
    fuel = models.ForeignKey(StationaryFuel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    supplier_name = models.CharField(
        max_length=200, blank=True, default="", help_text="Supplier's legal name as published (Supplier.legal_name)."
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    calorific_basis = models.CharField(max_length=5, choices=CalorificBasis.choices, blank=True, default="")
    kg_co2e = models.DecimalField(max_digits=20, decimal_places=10, help_text="kg CO2e per unit.")
    co2_kg = models.DecimalField(
        max_digits=20, decimal_places=10, null=True, blank=True, help_text="kg of fossil CO2 per unit."
    )
    ch4_g = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True, help_text="g of CH4 per unit.")
    n2o_g = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True, help_text="g of N2O per unit.")
    biogenic_co2_kg = models.DecimalField(
        max_digits=20,
        decimal_places=10,
        null=True,
        blank=True,
        help_text="kg of biogenic CO2 per unit, reported outside the scopes.",
    )
    year = models.PositiveSmallIntegerField()
    source_reference = models.CharField(max_length=200, blank=True, default="", help_text="e.g. flat-file id.")

    class Meta:
        ordering = ["dataset", "category", "country", "year"]
        constraints = [
            in_choices("category", ActivityCategory),
            in_choices("kind", FactorKind),
            in_choices("calorific_basis", CalorificBasis),
            country_code_check(),
            models.CheckConstraint(condition=models.Q(kg_co2e__gte=0), name="invoicing_ef_kg_co2e_gte_0"),
            models.UniqueConstraint(
                fields=[
                    "dataset",
                    "category",
                    "kind",
                    "country",
                    "region",
                    "fuel",
                    "supplier_name",
                    "unit",
                    "calorific_basis",
                    "year",
                ],
                nulls_distinct=False,
                name="invoicing_ef_natural_key",
            ),
        ]
        indexes = [models.Index(fields=["category", "country", "year"], name="ef_category_country_year")]

    def __str__(self) -> str:
        return f"{self.category} {self.country} {self.year}: {self.kg_co2e} kg/{self.unit_id}"


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
    calorific_basis = models.CharField(max_length=5, choices=CalorificBasis.choices, blank=True, default="")
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
