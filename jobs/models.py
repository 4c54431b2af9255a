from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from invoicing.choices import ActivityCategory
from invoicing.models.base import in_choices


class JobStatus(models.TextChoices):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class JobTrigger(models.TextChoices):
    API = "api"
    ADMIN = "admin"
    COMMAND = "command"
    SYSTEM = "system"


class ProcessingJob(models.Model):
    """One unit of background work: recalculate one activity category for a set of invoices.

    The row is the record; Redis only carries the work.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("invoicing.Organization", on_delete=models.CASCADE, related_name="jobs")
    activity_category = models.CharField(max_length=45, choices=ActivityCategory.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    items_total = models.PositiveIntegerField(default=0)
    items_success = models.PositiveIntegerField(default=0)
    items_failed = models.PositiveIntegerField(default=0)
    invoices = models.ManyToManyField("invoicing.Invoice", through="ProcessingJobInvoice", related_name="jobs")
    trigger = models.CharField(max_length=10, choices=JobTrigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rq_job_id = models.CharField(max_length=100, blank=True, default="")
    failure_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            in_choices("status", JobStatus),
            in_choices("trigger", JobTrigger),
            in_choices("activity_category", ActivityCategory),
            models.CheckConstraint(
                condition=models.Q(items_success__lte=models.F("items_total") - models.F("items_failed")),
                name="jobs_processingjob_counts_within_total",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="job_org_created"),
            models.Index(fields=["status", "created_at"], name="job_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_category} x {self.items_total} ({self.status})"

    @property
    def items_done(self) -> int:
        return self.items_success + self.items_failed

    @property
    def percent_done(self) -> int:
        if self.items_total == 0:
            return 100 if self.status == JobStatus.COMPLETED else 0
        return int(100 * self.items_done / self.items_total)


class ProcessingJobInvoice(models.Model):
    """An invoice in a job's set."""

    job = models.ForeignKey(ProcessingJob, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey("invoicing.Invoice", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "invoice"], name="jobs_item_unique")]

    def __str__(self) -> str:
        return f"{self.invoice_id} in {self.job_id}"
