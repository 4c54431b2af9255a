"""Shapes of `/v1/processing-jobs`: one item shape for the list and the detail (which adds the errors
counted by code), and the per-invoice error of `/v1/processing-jobs/{id}/errors`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import ExactDecimalField, UtcTimestampField
from invoicing.choices import ResultUnit
from invoicing.errors import CalculationFailureCode
from jobs.models import ProcessingJob, ProcessingJobError

NOT_RECORDED = "Null for jobs run before these totals were kept (they then summed the invoices' co2e instead)."


class ProcessingJobSerializer(serializers.ModelSerializer):
    created_at = UtcTimestampField(read_only=True)
    started_at = UtcTimestampField(read_only=True, allow_null=True)
    completed_at = UtcTimestampField(read_only=True, allow_null=True)
    percent_done = serializers.IntegerField(read_only=True)
    category_total_before = ExactDecimalField(
        read_only=True,
        allow_null=True,
        help_text=(
            "The sum of the job's activity category over its invoices before the job, in `category_total_unit`, "
            f"for the invoices processed so far. {NOT_RECORDED}"
        ),
    )
    category_total_after = ExactDecimalField(
        read_only=True,
        allow_null=True,
        help_text=f"The same sum after the job (failed invoices count 0: they lose their result). {NOT_RECORDED}",
    )
    category_total_unit = serializers.ChoiceField(
        choices=ResultUnit.choices,
        read_only=True,
        help_text="`kwh` for the energy category, `kg_co2e` for every other one.",
    )

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
            "category_total_before",
            "category_total_after",
            "category_total_unit",
        ]


class ErrorCodeCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, help_text="How many invoices failed with this code.")
    description = serializers.CharField(help_text="What the code means; each error's message says more.")


class ProcessingJobDetailSerializer(ProcessingJobSerializer):
    """A job as in the list, with its failed invoices counted by code."""

    # The view sets `job.error_counts` ({code: count}, from jobs.selectors.processing_job_error_counts).

    errors_by_code = serializers.SerializerMethodField(
        help_text=(
            "The failed invoices counted by CalculationFailureCode (only codes that occurred; the counts add up "
            "to `items_failed`). Each error: GET /v1/processing-jobs/{id}/errors."
        )
    )

    class Meta(ProcessingJobSerializer.Meta):
        fields = [*ProcessingJobSerializer.Meta.fields, "errors_by_code"]

    @extend_schema_field(serializers.DictField(child=ErrorCodeCountSerializer()))
    def get_errors_by_code(self, job: ProcessingJob) -> dict[str, Any]:
        return {
            code: {"count": count, "description": CalculationFailureCode(code).label}
            for code, count in job.error_counts.items()  # type: ignore[attr-defined]
        }


class ProcessingJobErrorSerializer(serializers.ModelSerializer):
    code = serializers.ChoiceField(choices=CalculationFailureCode.choices, help_text="e.g. NO_FACTOR.")
    message = serializers.CharField(help_text="Why this invoice has no result for the job's category.")

    class Meta:
        model = ProcessingJobError
        fields = ["invoice_id", "code", "message"]
