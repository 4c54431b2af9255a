from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.api.fields import ExactDecimalField
from jobs.models import ProcessingJob, ProcessingJobError


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
    """For the schema only: the view adds `errors` and `errors_count` (a field named `errors` would shadow
    the serializer's own `errors`)."""

    class Meta(ProcessingJobSerializer.Meta):
        fields = ProcessingJobSerializer.Meta.fields


def processing_job_detail(job: ProcessingJob, errors: list[ProcessingJobError], errors_count: int) -> dict[str, Any]:
    return {
        **ProcessingJobSerializer(job).data,
        "errors": ProcessingJobErrorSerializer(errors, many=True).data,
        "errors_count": errors_count,
    }
