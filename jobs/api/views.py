"""`GET /v1/processing-jobs[/{id}]` and `GET /v1/processing-jobs/{id}/errors`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.viewsets import OrganizationScopedViewSet
from jobs.selectors import (
    processing_job_error_counts,
    processing_job_error_list,
    processing_job_get,
    processing_job_list,
)

from .filters import ProcessingJobErrorFilterSet, ProcessingJobFilterSet
from .serializers import ProcessingJobDetailSerializer, ProcessingJobErrorSerializer, ProcessingJobSerializer


@extend_schema(tags=["processing jobs"])
class ProcessingJobViewSet(OrganizationScopedViewSet):
    filterset_class = ProcessingJobFilterSet
    serializer_class = ProcessingJobSerializer

    def get_queryset(self) -> Any:
        return processing_job_list(organization=self.organization)

    @extend_schema(
        summary="List processing jobs",
        description=(
            "The background jobs of your organization (recalculations from the API, the admin, commands, "
            "and the calculation of new invoices), newest first, with their progress. A COMPLETED job has "
            "attempted every invoice: `items_failed` says how many could not be calculated."
        ),
    )
    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ProcessingJobSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a processing job with its errors counted by code",
        description=(
            "The job as in the list, plus `errors_by_code`: how many invoices failed with each code, and what "
            "the code means. Every failed invoice with its own message is listed, page by page, by "
            "`GET /v1/processing-jobs/{id}/errors`."
        ),
        responses=ProcessingJobDetailSerializer,
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        job = processing_job_get(organization=self.organization, job_id=pk)
        job.error_counts = {  # type: ignore[attr-defined]
            row["code"]: row["count"] for row in processing_job_error_counts(job_ids=[job.id])
        }
        return Response(ProcessingJobDetailSerializer(job).data)


@extend_schema(tags=["processing jobs"])
class ProcessingJobErrorViewSet(OrganizationScopedViewSet):
    """The per-invoice errors of one job, served at `/v1/processing-jobs/{id}/errors`."""

    filterset_class = ProcessingJobErrorFilterSet
    serializer_class = ProcessingJobErrorSerializer

    def get_queryset(self) -> Any:
        job = processing_job_get(organization=self.organization, job_id=self.kwargs["id"])
        return processing_job_error_list(job=job)

    @extend_schema(
        summary="List the failed invoices of a processing job",
        description=(
            "Why each invoice of the job could not be calculated: its invoice id, code and message, ordered "
            "by code, then in the order they were recorded. `code` keeps one code; `errors_by_code` of "
            "`GET /v1/processing-jobs/{id}` counts them per code. A job of another organization is a 404."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The job's id.")],
    )
    def list(self, request: Request, id: str) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ProcessingJobErrorSerializer(page, many=True).data)
