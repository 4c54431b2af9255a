from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone

from invoicing.choices import ActivityCategory, InvoiceSource, InvoiceStatus, InvoiceType
from invoicing.invoice_rules import normalized_number

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
    co2e = quantity_field(null=True, blank=True, help_text="kg CO2e; empty until calculated.")
    total_energy_kwh = quantity_field(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
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
            models.Index(fields=["organization", "quantity", "id"], name="invoice_org_quantity"),
            models.Index(fields=["organization", "invoice_number", "id"], name="invoice_org_number"),
            models.Index(fields=["organization", "type", "status"], name="invoice_org_type_status"),
            models.Index(fields=["organization", "facility"], name="invoice_org_facility"),
            models.Index(fields=["organization", "supplier"], name="invoice_org_supplier"),
            models.Index(fields=["organization", "cups"], name="invoice_org_cups"),
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


class InvoiceEmission(models.Model):
    """The result of one activity category for one invoice, with a snapshot of the factor used."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="emissions")
    category = models.CharField(max_length=45, choices=ActivityCategory.choices)
    kg_co2e = quantity_field(help_text="kg CO2e (kWh for the energy category).")
    biogenic_co2_kg = quantity_field(null=True, blank=True)
    quantity = models.DecimalField(max_digits=24, decimal_places=8, help_text="Quantity in the factor's unit.")
    quantity_unit = models.CharField(max_length=20)
    conversion = models.CharField(max_length=300, blank=True, default="")
    factor_value = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    factor_unit = models.CharField(max_length=40, blank=True, default="")
    factor_source = models.CharField(max_length=300, blank=True, default="")
    factor = models.ForeignKey(
        "invoicing.EmissionFactor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    custom_factor = models.ForeignKey(
        "invoicing.OrganizationCustomFactor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calorific_basis = models.CharField(max_length=5, blank=True, default="", help_text="gross or net, if any.")
    dataset_publisher = models.CharField(max_length=100, blank=True, default="")
    dataset_name = models.CharField(max_length=200, blank=True, default="")
    dataset_version = models.CharField(max_length=50, blank=True, default="")
    factor_year = models.PositiveSmallIntegerField(null=True, blank=True)
    factor_rung = models.CharField(max_length=40, blank=True, default="", help_text="Why this factor was chosen.")
    fallbacks = models.JSONField(default=list, blank=True, help_text="Fallbacks used (year, grid average).")
    calculated_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey(
        "jobs.ProcessingJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="emissions"
    )

    class Meta:
        ordering = ["category"]
        constraints = [
            in_choices("category", ActivityCategory),
            models.UniqueConstraint(fields=["invoice", "category"], name="invoicing_emission_one_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.kg_co2e}"
