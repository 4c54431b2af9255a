"""Bill audits: what the audit of a supply point's bills found (docs/audits.md).

`InvoiceAuditFinding` rows are derived data, maintained by one service
(`invoicing.services.audits.invoice_audit_refresh`) in the transaction of every write of invoices.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Left

from invoicing.choices import InvoiceType
from invoicing.errors import AuditCode

from .base import UUIDModel, in_choices
from .organizations import Organization

CUPS_BASE_LENGTH = 20  # invoicing.cups.cups_base: the CUPS without its border-point suffix


def supply_point_key() -> models.Expression:
    """The supply point of an invoice, as one text (SQL, immutable: the generated column Invoice.supply_point).

    Electricity with a CUPS: `cups:<the CUPS's 20-character base>`, whichever facility the bill is
    filed under; anything else: `facility:<facility id>/<type>/<facility fuel id or ->`.
    """
    return Case(
        When(
            Q(type=InvoiceType.ELECTRICITY, cups__isnull=False),
            then=Concat(
                Value("cups:"),
                Cast(Left("cups", CUPS_BASE_LENGTH), models.TextField()),
                output_field=models.TextField(),
            ),
        ),
        default=Concat(
            Value("facility:"),
            Cast("facility_id", models.TextField()),
            Value("/"),
            Cast("type", models.TextField()),
            Value("/"),
            Coalesce(Cast("facility_fuel_id", models.TextField()), Value("-"), output_field=models.TextField()),
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
    )


class InvoiceAuditFinding(UUIDModel):
    """One finding of the bill audit of a supply point: a code, the bills involved, the figures, a message.

    `start_date`/`end_date` are the days the finding is about (the shared days of an overlap, the
    uncovered days of a gap, the bills' periods otherwise). `details` holds the figures by name
    (days, quantities, medians), `invoice_ids` the bills involved, oldest first.
    """

    organization = models.ForeignKey(Organization, on_delete=models.DB_CASCADE, related_name="+")
    code = models.CharField(max_length=30, choices=AuditCode.choices)
    supply_point = models.TextField(help_text="cups:<CUPS base> or facility:<facility id>/<type>/<fuel id or ->.")
    type = models.CharField(max_length=12, choices=InvoiceType.choices)
    cups = models.CharField(max_length=20, null=True, blank=True, help_text="The CUPS base, for electricity.")
    facility_ids = ArrayField(models.UUIDField(), help_text="The facilities of the bills involved.")
    facility_fuel_id = models.UUIDField(null=True, blank=True)
    invoice_ids = ArrayField(models.UUIDField(), help_text="The bills involved, oldest first.")
    start_date = models.DateField()
    end_date = models.DateField()
    details = models.JSONField(default=dict)
    message = models.TextField()

    class Meta:
        verbose_name = "audit finding"  # as the README, the docs and the API call them
        ordering = ["supply_point", "start_date", "code", "id"]
        constraints = [in_choices("code", AuditCode), in_choices("type", InvoiceType)]
        indexes = [
            models.Index(
                fields=["organization", "supply_point", "start_date", "code", "id"], name="audit_finding_org_order"
            ),
            models.Index(fields=["organization", "code"], name="audit_finding_org_code"),
            # The window filter (end_date >= start) and the facility filter (facility_ids && …), counted
            # at a million findings; btree_gin (migration 0007) lets the GIN index lead with the organization.
            models.Index(fields=["organization", "end_date"], name="audit_finding_org_end"),
            GinIndex(fields=["organization", "facility_ids"], name="audit_finding_org_facilities"),
        ]

    def __str__(self) -> str:
        return f"{self.code} on {self.supply_point}"


class InvoiceAuditFindingInvoice(models.Model):
    """An invoice involved in a finding, with the finding's code: what an invoice's `audit_codes` and the
    admin's findings of one invoice read, through the primary key's (invoice, code, finding) index.

    Written with its finding by the same statement; deleted with it by the database (ON DELETE CASCADE).
    A B-tree lookup per invoice, with row estimates the planner can trust (a GIN index on the findings'
    arrays cost 4 ms per invoice once its pending list grew, and its guessed selectivity made the
    invoice list a plan worth JIT-compiling).
    """

    pk = models.CompositePrimaryKey("invoice_id", "code", "finding")
    invoice_id = models.UUIDField()
    code = models.CharField(max_length=30, choices=AuditCode.choices)
    finding = models.ForeignKey(InvoiceAuditFinding, on_delete=models.DB_CASCADE, related_name="invoice_links")

    def __str__(self) -> str:
        return f"{self.code}: {self.invoice_id}"
