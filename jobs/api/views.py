"""`POST /v1/invoices/recalculate` and `GET /v1/processing-jobs[/{id}]`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoicing.api.invoices import OrganizationScopedViewSet
from invoicing.api.pagination import PagePagination
from invoicing.api.params import StrictFilterBackend
from invoicing.services.recalculation import invoice_recalculation_start
from jobs.models import JobTrigger
from jobs.selectors import processing_job_errors, processing_job_get, processing_job_list
from jobs.services.idempotency import idempotency_key_claim, idempotency_key_store

from .filters import ProcessingJobFilterSet
from .serializers import (
    ProcessingJobDetailSerializer,
    ProcessingJobSerializer,
    RecalculateRequestSerializer,
    RecalculateResponseSerializer,
    processing_job_detail,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"


class RecalculateView(APIView):
    @extend_schema(
        tags=["invoices"],
        summary="Recalculate the emissions of invoices in the background",
        description=(
            "Answers 202 at once; one processing job per category does the work. Ids of other organizations "
            "are dropped; duplicate categories merged. Checked in this order: body (VALIDATION_ERROR, at most "
            "10,000 ids), UNSUPPORTED_INVOICE_TYPE, MIXED_INVOICE_TYPES (unless only `energy` is asked), "
            "ACTIVITY_CATEGORY_MISMATCH. Invoice statuses do not change. With an `Idempotency-Key` header a retry "
            "with the same body replays the first answer (kept 48 hours); a different body is a 422."
        ),
        request=RecalculateRequestSerializer,
        responses={202: RecalculateResponseSerializer},
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request) -> Response:
        serializer = RecalculateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = request.user.organization  # type: ignore[union-attr]
        key = request.headers.get(IDEMPOTENCY_HEADER)
        with transaction.atomic():
            if key is not None:
                stored = idempotency_key_claim(organization=organization, key=key.strip(), payload=request.data)
                if stored is not None:
                    return Response(stored.body, status=stored.status, headers={"Idempotent-Replayed": "true"})
            result = invoice_recalculation_start(
                organization=organization,
                invoices=serializer.validated_data["invoice_ids"],
                activity_categories=serializer.validated_data["activity_categories"],
                trigger=JobTrigger.API,
            )
            body: dict[str, Any] = {
                "invoice_ids": [str(i) for i in result.invoice_ids or []],
                "count": result.count,
                "processing_job_ids": [str(i) for i in result.processing_job_ids],
            }
            if key is not None:
                idempotency_key_store(organization=organization, key=key.strip(), status=202, body=body)
        return Response(body, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["processing jobs"])
class ProcessingJobViewSet(OrganizationScopedViewSet):
    filter_backends = [StrictFilterBackend]
    filterset_class = ProcessingJobFilterSet
    pagination_class = PagePagination
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
