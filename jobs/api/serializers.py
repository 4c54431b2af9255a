"""Shapes of `/v1/processing-jobs`: one item shape for the list, the detail adds the per-invoice errors."""

from __future__ import annotations

from rest_framework import serializers

from config.api.fields import ExactDecimalField
from jobs.models import ProcessingJob, ProcessingJobError
from jobs.selectors import JOB_ERRORS_SHOWN


class ProcessingJobSerializer(serializers.ModelSerializer):
    percent_done = serializers.IntegerField(read_only=True)
    co2e_before = ExactDecimalField(read_only=True, help_text="Sum of the invoices' co2e (kg) before.")
    co2e_after = ExactDecimalField(read_only=True, help_text="Sum of the invoices' co2e (kg) after.")

    class Meta:
        model = ProcessingJob
        fields = [
            "id",
            "status",
            "activity_category",
            "items_total",
            "items_success",
            "items_failed",
            "percent_done",
            "trigger",
            "created_at",
            "started_at",
            "completed_at",
            "failure_reason",
            "co2e_before",
            "co2e_after",
        ]


class ProcessingJobErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessingJobError
        fields = ["invoice_id", "code", "message"]


class ProcessingJobDetailSerializer(ProcessingJobSerializer):
    """A job with its first per-invoice errors: the view sets `listed_errors` and `errors_count` on the job."""

    # DRF's metaclass takes declared fields off the class: Serializer.errors stays the validation errors.
    errors = ProcessingJobErrorSerializer(  # type: ignore[assignment]
        many=True, source="listed_errors", help_text=f"The first {JOB_ERRORS_SHOWN} per-invoice errors, oldest first."
    )
    errors_count = serializers.IntegerField(help_text="How many per-invoice errors the job has in all.")

    class Meta(ProcessingJobSerializer.Meta):
        fields = [*ProcessingJobSerializer.Meta.fields, "errors", "errors_count"]
