from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .base import TimestampedModel, in_choices
from .organizations import Organization


class ImportStatus(models.TextChoices):
    PENDING = "pending"  # a run (the check, or the import) waits for a worker
    RUNNING = "running"
    READY = "ready"  # checked; waits for the user to confirm the import
    FINISHED = "finished"  # imported, or checked with nothing to import
    FAILED = "failed"  # the file was refused, or the run failed
    CANCELLED = "cancelled"  # by the user, or left unconfirmed for IMPORT_UNCONFIRMED_TTL


ACTIVE_IMPORT_STATUSES = (ImportStatus.PENDING, ImportStatus.RUNNING)


class InvoiceImport(TimestampedModel):
    """An import started from the admin: the uploaded file, its check (a dry run) and its import, both run by
    a worker (invoicing/imports/background.py). The row is the record the user sees; Redis only carries the work.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invoice_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    size = models.BigIntegerField(help_text="Bytes uploaded.")
    sheet = models.CharField(max_length=100, blank=True, default="", help_text="The workbook's sheet to read.")
    skip_invalid = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=True, help_text="Whether the current run is the check or the import.")
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs dispatched (checks, imports, retries).")
    rq_job_id = models.CharField(max_length=100, blank=True, default="")
    dispatched_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The running worker's last sign of life.")
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_estimate = models.PositiveIntegerField(default=0, help_text="Rows in the file, estimated while reading.")
    report = models.JSONField(default=dict, blank=True, help_text="Counts and the first rows of each kind.")
    error = models.TextField(blank=True, default="", help_text="Why the file was refused or the run failed.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [in_choices("status", ImportStatus)]
        indexes = [models.Index(fields=["organization", "-created_at"], name="invoice_import_org_created")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def is_stalled(self) -> bool:
        """A run that a worker has not picked up, or has not reported on, for IMPORT_STALLED_AFTER seconds."""
        if self.status not in ACTIVE_IMPORT_STATUSES:
            return False
        last_sign = self.heartbeat_at if self.status == ImportStatus.RUNNING else self.dispatched_at
        since = last_sign or self.updated_at
        return timezone.now() - since > timedelta(seconds=settings.IMPORT_STALLED_AFTER)

    @property
    def percent_read(self) -> int:
        return min(100, round(100 * self.rows_read / self.rows_estimate)) if self.rows_estimate else 0


class InvoiceImportFilePart(models.Model):
    """One megabyte of an uploaded file, kept in the database so that a worker on any machine can read it;
    deleted when the import no longer needs the file."""

    invoice_import = models.ForeignKey(InvoiceImport, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice_import", "number"], name="invoicing_import_part_unique")
        ]

    def __str__(self) -> str:
        return f"part {self.number} of {self.invoice_import_id}"
