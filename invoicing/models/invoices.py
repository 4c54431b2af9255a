from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone

from invoicing.choices import ActivityCategory, InvoiceSource, InvoiceStatus, InvoiceType, Scope
from invoicing.errors import CalculationFailureCode
from invoicing.invoice_rules import normalized_number

from .audits import supply_point_key
from .base import TimestampedModel, in_choices
from .catalog import Unit
from .facilities import Facility, FacilityFuel, SupplyContract
from .functions import cups_absent_or_valid
from .organizations import Organization


def quantity_field(**options: Any) -> models.DecimalField:
    """Quantities and kg CO2e: 20 digits, 6 decimals."""
    return models.DecimalField(max_digits=20, decimal_places=6, **options)


class Invoice(TimestampedModel):
    """One utility bill. The billing period is stored as dates; the API shows whole days."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invoices")
    type = models.CharField(max_length=12, choices=InvoiceType.choices)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.UPLOADED)
    source = models.CharField(
        max_length=10, choices=InvoiceSource.choices, null=True, blank=True, help_text="Empty for legacy rows."
    )
    quantity = quantity_field()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    original_quantity = quantity_field(help_text="The quantity as first entered.")
    original_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    invoice_number = models.CharField(max_length=100, blank=True, default="", help_text="The utility's number.")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="invoices")
    supplier = models.ForeignKey(
        "invoicing.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    supply_contract = models.ForeignKey(
        SupplyContract, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    facility_fuel = models.ForeignKey(
        FacilityFuel, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    cups = models.CharField(max_length=22, null=True, blank=True)
    kwh_per_m3 = models.DecimalField(
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Natural gas: kWh (gross, PCS) per m³ as printed on the bill (Spanish bills' conversion factor).",
    )
    co2e = quantity_field(null=True, blank=True, help_text="kg CO2e; empty until calculated.")
    total_energy_kwh = quantity_field(null=True, blank=True)
    # Kept from the result rows by invoicing.emissions.figures (with co2e and total_energy_kwh); never edited.
    calculated_categories = models.PositiveSmallIntegerField(
        db_default=0, editable=False, help_text="Activity categories with a stored result."
    )
    failure_codes = ArrayField(
        models.CharField(max_length=40),
        null=True,
        editable=False,
        help_text="The codes of its recorded calculation failures, in order; empty without any.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    supply_point = models.GeneratedField(
        expression=supply_point_key(),
        output_field=models.TextField(),
        db_persist=True,
        help_text="The supply point the bill audits group bills by (invoicing.models.audits.supply_point_key).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            in_choices("type", InvoiceType),
            in_choices("status", InvoiceStatus),
            in_choices("source", InvoiceSource, nullable=True),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="invoicing_invoice_quantity_gte_0"),
            models.CheckConstraint(
                condition=models.Q(original_quantity__gte=0), name="invoicing_invoice_original_quantity_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="invoicing_invoice_end_after_start"
            ),
            models.CheckConstraint(condition=cups_absent_or_valid(), name="invoicing_invoice_cups_valid"),
            models.CheckConstraint(
                condition=models.Q(kwh_per_m3__isnull=True) | models.Q(kwh_per_m3__gt=0),
                name="invoicing_invoice_kwh_per_m3_gt_0",
            ),
            # The natural key: one bill per facility, number and period, the number compared without
            # regard to case or surrounding spaces (FR-P-JAN and " fr-p-jan" are one bill).
            models.UniqueConstraint(
                F("organization"),
                F("facility"),
                normalized_number(),
                F("start_date"),
                F("end_date"),
                condition=~models.Q(invoice_number=""),
                name="invoicing_invoice_natural_key",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="invoice_org_created"),
            models.Index(fields=["organization", "start_date", "id"], name="invoice_org_start"),
            models.Index(fields=["organization", "end_date", "id"], name="invoice_org_end"),
            # The emissions inventory's window (invoicing.selectors.inventory): the invoices of an
            # organization ending on or after the window's start, read from the index alone.
            models.Index(
                fields=["organization", "end_date"],
                include=["start_date", "type", "facility", "id", "calculated_categories", "failure_codes"],
                name="invoice_org_end_window",
            ),
            models.Index(fields=["organization", "quantity", "id"], name="invoice_org_quantity"),
            models.Index(fields=["organization", "invoice_number", "id"], name="invoice_org_number"),
            models.Index(fields=["organization", "type", "status"], name="invoice_org_type_status"),
            models.Index(fields=["organization", "facility"], name="invoice_org_facility"),
            models.Index(fields=["organization", "supplier"], name="invoice_org_supplier"),
            models.Index(fields=["organization", "cups"], name="invoice_org_cups"),
            models.Index(fields=["organization", "supply_point", "start_date"], name="invoice_org_supply_point"),
            models.Index(fields=["facility_fuel"], name="invoice_facility_fuel"),
            models.Index(fields=["supply_contract"], name="invoice_supply_contract"),
            models.Index(fields=["uploaded_by"], name="invoice_uploaded_by"),
            # btree_gin lets one GIN index serve "this organization AND number contains …".
            GinIndex(
                F("organization"), OpClass(Upper("invoice_number"), name="gin_trgm_ops"), name="invoice_org_number_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.invoice_number or str(self.id)


class EmissionBasis(models.TextChoices):
    """Which gases a stored result counts: its factors' basis (docs/emissions.md, "CO2-only factors")."""

    NOT_RECORDED = "", "Not recorded (calculated before the basis was kept)"
    CO2E = "co2e", "CO2e"
    CO2_ONLY = "co2_only", "CO2 only (the publication gives no CO2e)"
    MIXED = "mixed", "Partly CO2 only (see the year parts)"


class InvoiceEmission(models.Model):
    """The result of one activity category for one invoice, with a snapshot of the factors used.

    `year_parts` holds one entry per calendar year of the billing period, each with the factors
    applied to it (docs/emissions.md, "What is stored"); the row's figures are their sums.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="emissions")
    category = models.CharField(max_length=45, choices=ActivityCategory.choices)
    scope = models.CharField(max_length=30, choices=Scope.choices, blank=True, default="")
    kg_co2e = quantity_field(null=True, blank=True, help_text="kg CO2e (kg CO2 where the basis is CO2 only).")
    kwh = quantity_field(null=True, blank=True, help_text="kWh, for the energy category only.")
    biogenic_co2_kg = quantity_field(null=True, blank=True)
    quantity = models.DecimalField(max_digits=24, decimal_places=8, help_text="Quantity in the factor's unit.")
    quantity_unit = models.CharField(max_length=20)
    conversion = models.TextField(blank=True, default="")
    factor_value = models.DecimalField(max_digits=25, decimal_places=17, null=True, blank=True)
    factor_unit = models.CharField(max_length=40, blank=True, default="")
    basis = models.CharField(max_length=10, choices=EmissionBasis.choices, blank=True, default="")
    factor = models.ForeignKey(
        "invoicing.EmissionFactor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    custom_factor = models.ForeignKey(
        "invoicing.OrganizationCustomFactor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calorific_basis = models.CharField(max_length=10, blank=True, default="", help_text="gross or net, if any.")
    dataset_publisher = models.TextField(blank=True, default="")
    dataset_name = models.TextField(blank=True, default="")
    dataset_version = models.TextField(blank=True, default="")
    source_document = models.TextField(blank=True, default="")
    source_location = models.TextField(blank=True, default="", help_text="Where each factor is in its document.")
    factor_year = models.PositiveSmallIntegerField(null=True, blank=True)
    factor_rung = models.CharField(max_length=100, blank=True, default="", help_text="Why this factor was chosen.")
    fallbacks = models.JSONField(default=list, blank=True, help_text="Fallbacks used (year, grid average).")
    year_parts = models.JSONField(default=list, blank=True, help_text="Per calendar year: days, quantity, factors.")
    calculated_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey(
        "jobs.ProcessingJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="emissions"
    )

    class Meta:
        ordering = ["category"]
        indexes = [
            # The figures refresh (invoicing.emissions.figures) reads these columns of an invoice's rows from
            # the index alone (the rows themselves are wide: factors, sources, year parts).
            models.Index(
                fields=["invoice"],
                include=["category", "scope", "kg_co2e", "kwh", "biogenic_co2_kg"],
                name="emission_invoice_figures",
            ),
        ]
        constraints = [
            in_choices("category", ActivityCategory),
            in_choices("scope", Scope),
            in_choices("basis", EmissionBasis),
            models.UniqueConstraint(fields=["invoice", "category"], name="invoicing_emission_one_per_category"),
            # Energy is kWh in its own column, never in kg_co2e; every other category is kg.
            models.CheckConstraint(
                condition=(
                    models.Q(category=ActivityCategory.ENERGY) & models.Q(kg_co2e__isnull=True, kwh__isnull=False)
                )
                | (~models.Q(category=ActivityCategory.ENERGY) & models.Q(kg_co2e__isnull=False, kwh__isnull=True)),
                name="invoicing_emission_kwh_only_for_energy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.kwh} kWh" if self.kwh is not None else f"{self.category}: {self.kg_co2e}"


class InvoiceCalculationFailure(models.Model):
    """Why an invoice has no result for one activity category: its last calculation failed.

    An invoice and category have either an InvoiceEmission row or, after a failed calculation, one of
    these; a successful calculation deletes it. The code is a CalculationFailureCode.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="calculation_failures")
    category = models.CharField(max_length=45, choices=ActivityCategory.choices)
    code = models.CharField(max_length=40, choices=CalculationFailureCode.choices)
    message = models.TextField()
    failed_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey(
        "jobs.ProcessingJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="invoice_failures"
    )

    class Meta:
        ordering = ["category"]
        constraints = [
            in_choices("category", ActivityCategory),
            in_choices("code", CalculationFailureCode),
            models.UniqueConstraint(fields=["invoice", "category"], name="invoicing_failure_one_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.code}"
