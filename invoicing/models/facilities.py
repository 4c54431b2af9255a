from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from .base import TimestampedModel, country_code_check
from .catalog import StationaryFuel, Supplier
from .functions import CupsListIsValid, cups_absent_or_valid
from .organizations import Organization


class Facility(TimestampedModel):
    """A site of an organization (office, warehouse, factory)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="facilities")
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=50, blank=True, default="")
    cups = ArrayField(models.CharField(max_length=22), default=list, blank=True, help_text="Spanish CUPS codes.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"
        constraints = [
            country_code_check(),
            models.CheckConstraint(condition=CupsListIsValid("cups"), name="invoicing_facility_cups_valid"),
            # Target of the composite foreign keys that keep invoices inside their organization.
            models.UniqueConstraint(fields=["id", "organization"], name="invoicing_facility_id_org_unique"),
            models.UniqueConstraint(fields=["organization", "name"], name="invoicing_facility_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityFuel(TimestampedModel):
    """A stationary fuel burnt at a facility; heat invoices point at one."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="fuels")
    fuel = models.ForeignKey(StationaryFuel, on_delete=models.PROTECT, related_name="facility_fuels")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["facility", "fuel"], name="invoicing_facilityfuel_unique")]

    def __str__(self) -> str:
        return f"{self.fuel} at {self.facility}"


class SupplyContract(TimestampedModel):
    """A facility's electricity supply: supplier, CUPS, validity and guarantees of origin."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="supply_contracts")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    cups = models.CharField(max_length=22, null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty while the contract runs.")
    covered_by_guarantees_of_origin = models.BooleanField(
        default=False, help_text="The electricity is covered by renewable guarantees of origin (GoO)."
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="invoicing_supplycontract_end_after_start",
            ),
            models.CheckConstraint(
                condition=cups_absent_or_valid(),
                name="invoicing_supplycontract_cups_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} at {self.facility} from {self.start_date}"
