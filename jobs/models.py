from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone

from invoicing.choices import ActivityCategory, ResultUnit, result_unit
from invoicing.errors import CalculationFailureCode
from invoicing.models.base import in_choices
from invoicing.text import counted


class JobStatus(models.TextChoices):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    # Stopped on request (staff or operator) at the start of its next chunk; failure_reason says who/when.
    CANCELLED = "CANCELLED"


# Statuses in which a job may still change; the others are final.
ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.PROCESSING)


class JobOutcome(models.TextChoices):
    """What the admin shows of a job: its status, except that a COMPLETED job with failed invoices is
    "completed with errors". The API and the database keep the status (the public vocabulary)."""

    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors", "Completed with errors"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


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
    trigger = models.CharField(max_length=10, choices=JobTrigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rq_job_id = models.CharField(max_length=100, blank=True, default="")
    failure_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Pipeline bookkeeping (see jobs/services/): when the work was last handed to Redis, the last
    # sign of life of a worker, and how many times the job was (re)dispatched.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="", help_text="The last exception a chunk raised, if any.")
    # The sum of the job's own category over its invoices (in `category_total_unit`) before and after
    # each chunk was recalculated. NULL for jobs run before these totals existed (jobs.0005).
    category_total_before = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True, default=0)
    category_total_after = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True, default=0)
    retry_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retries",
        help_text="Failed job retried.",
    )

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
        return f"{self.get_activity_category_display()}: {counted(self.items_total, 'invoice')} ({self.outcome.label})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def items_done(self) -> int:
        return self.items_success + self.items_failed

    @property
    def percent_done(self) -> int:
        if self.items_total == 0:
            return 100 if self.status == JobStatus.COMPLETED else 0
        return int(100 * self.items_done / self.items_total)

    @property
    def outcome(self) -> JobOutcome:
        if self.status == JobStatus.COMPLETED and self.items_failed:
            return JobOutcome.COMPLETED_WITH_ERRORS
        return JobOutcome(self.status.lower())

    @property
    def category_total_unit(self) -> ResultUnit:
        return result_unit(self.activity_category)


class ChunkStatus(models.TextChoices):
    PENDING = "pending"
    DONE = "done"


class ProcessingJobChunk(models.Model):
    """One slice of a job's invoice set, processed in one transaction by whichever worker claims it first.

    The job's set of invoices is the union of its chunks' `invoice_ids` (jobs.selectors.processing_job_invoices).
    Arrays rather than a row per invoice: starting a job over 10,000 invoices writes a handful of rows,
    not 10,000 rows each with foreign-key checks at commit. An invoice deleted meanwhile is reported as
    NOT_FOUND by the engine when its chunk runs.
    """

    job = models.ForeignKey(ProcessingJob, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    invoice_ids = ArrayField(models.UUIDField(), default=list)
    status = models.CharField(max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    items_success = models.PositiveIntegerField(default=0)
    items_failed = models.PositiveIntegerField(default=0)
    rq_job_id = models.CharField(max_length=100, blank=True, default="", help_text="Our id of its last RQ task.")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="jobs_chunk_unique"),
            in_choices("status", ChunkStatus),
        ]
        # "Which pending chunks hold this invoice?" (an invoice's categories still to be calculated).
        indexes = [
            GinIndex(fields=["invoice_ids"], condition=models.Q(status="pending"), name="job_chunk_pending_invoices")
        ]

    def __str__(self) -> str:
        return f"chunk {self.number} of {self.job_id} ({self.status})"


class ProcessingJobError(models.Model):
    """Why one invoice of a job could not be calculated. The invoice id is kept even if the invoice goes."""

    job = models.ForeignKey(ProcessingJob, on_delete=models.CASCADE, related_name="errors")
    invoice_id = models.UUIDField()
    code = models.CharField(max_length=60, choices=CalculationFailureCode.choices)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["job", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "invoice_id"], name="jobs_error_one_per_invoice"),
            in_choices("code", CalculationFailureCode),
        ]
        # A job's errors counted by code, and listed page by page (of one code or all, by code then id).
        indexes = [models.Index(fields=["job", "code", "id"], name="job_error_job_code")]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.code}"


class IdempotencyKey(models.Model):
    """A replayable response for an `Idempotency-Key` header, per organization (kept at least 24 hours)."""

    organization = models.ForeignKey("invoicing.Organization", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="jobs_idempotency_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return self.key
