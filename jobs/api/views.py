"""`GET /v1/processing-jobs[/{id}]`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.viewsets import OrganizationScopedViewSet
from jobs.selectors import processing_job_errors, processing_job_get, processing_job_list

from .filters import ProcessingJobFilterSet
from .serializers import (
    ProcessingJobDetailSerializer,
    ProcessingJobSerializer,
    processing_job_detail,
)


@extend_schema(tags=["processing jobs"])
class ProcessingJobViewSet(OrganizationScopedViewSet):
    filterset_class = ProcessingJobFilterSet
    serializer_class = ProcessingJobSerializer

    def get_queryset(self) -> Any:
        return processing_job_list(organization=self.organization)

    @extend_schema(summary="List processing jobs", description="Newest first.")
    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ProcessingJobSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a processing job with its per-invoice errors",
        description="At most 100 errors are listed; `errors_count` counts them all.",
        responses=ProcessingJobDetailSerializer,
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        job = processing_job_get(organization=self.organization, job_id=pk)
        errors, errors_count = processing_job_errors(job=job)
        return Response(processing_job_detail(job, errors, errors_count))
