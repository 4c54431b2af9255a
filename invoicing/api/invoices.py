"""`/v1/invoices`: list with filters, detail with emissions, create, correct, delete."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from invoicing.selectors.invoices import (
    InvoiceRowPages,
    invoice_emission_list,
    invoice_get,
    invoice_list,
    invoice_row_get,
)
from invoicing.services.invoices import invoice_create, invoice_delete, invoice_update

from .filters import InvoiceFilterSet
from .pagination import PagePagination
from .params import StrictFilterBackend, StrictQueryParamsMixin
from .serializers import (
    InvoiceCreateSerializer,
    InvoiceDetailSerializer,
    InvoiceSerializer,
    InvoiceUpdateSerializer,
    invoice_item,
)

UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class OrganizationScopedViewSet(StrictQueryParamsMixin, viewsets.GenericViewSet):
    """Base for the API's viewsets: the caller's organization is `self.organization`."""

    lookup_value_regex = UUID_PATTERN

    @property
    def organization(self) -> Any:
        return self.request.user.organization  # type: ignore[union-attr]


@extend_schema(tags=["invoices"])
class InvoiceViewSet(OrganizationScopedViewSet):
    filter_backends = [StrictFilterBackend]
    filterset_class = InvoiceFilterSet
    pagination_class = PagePagination
    paginator: PagePagination
    serializer_class = InvoiceSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return invoice_list(organization=self.organization)

    @extend_schema(
        summary="List invoices",
        description="Filter, sort and page the organization's invoices. Default order: `-created_at`, then `-id`.",
    )
    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        rows = self.paginator.paginate_source(InvoiceRowPages(queryset), request)
        return self.get_paginated_response([invoice_item(row) for row in rows])

    @extend_schema(summary="Get an invoice with its emissions per activity category", responses=InvoiceDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        row = invoice_row_get(organization=self.organization, invoice_id=pk)
        emissions = list(invoice_emission_list(invoice_id=row["id"]))
        return Response(InvoiceDetailSerializer((row, emissions)).data)

    @extend_schema(
        summary="Create an invoice",
        description="Its emissions are calculated by a background job; until then `co2e` is null.",
        request=InvoiceCreateSerializer,
        responses={201: InvoiceSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = InvoiceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = invoice_create(organization=self.organization, **serializer.validated_data)
        return Response(InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct an invoice",
        description="Change its status or correct its fields; the type cannot change.",
        request=InvoiceUpdateSerializer,
        responses=InvoiceSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        invoice = invoice_get(organization=self.organization, invoice_id=pk)
        serializer = InvoiceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = invoice_update(invoice=invoice, **serializer.validated_data)
        return Response(InvoiceSerializer(invoice).data)

    @extend_schema(summary="Delete an invoice with its emission results", responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        invoice_delete(invoice=invoice_get(organization=self.organization, invoice_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
