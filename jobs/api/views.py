"""`GET /v1/processing-jobs[/{id}]`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.viewsets import OrganizationScopedViewSet
from jobs.selectors import JOB_ERRORS_SHOWN, processing_job_errors, processing_job_get, processing_job_list

from .filters import ProcessingJobFilterSet
from .serializers import ProcessingJobDetailSerializer, ProcessingJobSerializer


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
            "and the calculation of new invoices), newest first, with their progress."
        ),
    )
    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ProcessingJobSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a processing job with its per-invoice errors",
        description=(
            f"The job as in the list, plus why invoices failed: at most {JOB_ERRORS_SHOWN} errors are listed; "
            "`errors_count` counts them all."
        ),
        responses=ProcessingJobDetailSerializer,
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        job = processing_job_get(organization=self.organization, job_id=pk)
        job.listed_errors, job.errors_count = processing_job_errors(job=job)  # type: ignore[attr-defined]
        return Response(ProcessingJobDetailSerializer(job).data)
