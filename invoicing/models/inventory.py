"""The months of an invoice's period with their share of its results: what the emissions inventory sums."""

from __future__ import annotations

from django.db import models

from .facilities import Facility
from .invoices import Invoice, quantity_field
from .organizations import Organization


def _share() -> models.DecimalField:
    return quantity_field(null=True, editable=False)


class InvoiceMonth(models.Model):
    """One calendar month of an invoice's billing period and the month's share of each of its results.

    Written only by invoicing.emissions.figures.invoice_figures_refresh, from the invoice's result rows and
    its current period and facility: none while the invoice has no result. The amount columns are the
    (activity category, inventory figure) pairs of CATEGORY_FIGURES, named `<category>_<figure>`: kg CO2e,
    kg CO2 for biogenic, kWh for energy; NULL where the invoice has no such amount. Each amount is spread
    over the months by days, both ends included, with the running-total rounding of docs/inventory.md,
    so that an invoice's months add up to its results exactly.
    """

    id = models.BigAutoField(primary_key=True)
    # Indexed by invoice_month_unique (invoice, month).
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="months", db_index=False)
    # The invoice's own, repeated so that the inventory reads this table alone. Written with the invoice's
    # by the one writer, and gone with the invoice (whose organization and facility are protected): no
    # constraint or index of their own, which every calculated chunk would pay for per month row.
    organization = models.ForeignKey(
        Organization, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(help_text="The month's first day.")

    stationary_scope_1 = _share()
    stationary_scope_2_location_based = _share()
    stationary_scope_2_market_based = _share()
    stationary_biogenic_co2 = _share()
    stationary_generation_scope_3_cat3a = _share()
    stationary_generation_scope_3_cat3b = _share()
    stationary_generation_scope_3_cat3c = _share()
    stationary_generation_biogenic_co2 = _share()
    electricity_scope_2_market_based = _share()
    electricity_biogenic_co2 = _share()
    electricity_location_based_scope_2_location_based = _share()
    electricity_generation_scope_3_cat3b = _share()
    electricity_generation_biogenic_co2 = _share()
    electricity_transmission_and_distribution_scope_3_cat3c = _share()
    electricity_transmission_and_distribution_biogenic_co2 = _share()
    energy_energy_kwh = _share()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invoice", "month"], name="invoice_month_unique")]
        indexes = [models.Index(fields=["organization", "month"], name="invoice_month_org_month")]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.month:%Y-%m}"
