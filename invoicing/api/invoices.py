"""`/v1/invoices`: list with filters, detail with emissions, create, correct, delete."""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from invoicing.selectors.invoice_items import InvoiceQuery, invoice_item_json, invoice_page
from invoicing.selectors.invoices import invoice_emission_list, invoice_get
from invoicing.services.invoices import invoice_create, invoice_delete, invoice_update

from .filters import InvoiceFilterSet
from .pagination import PagePagination
from .params import StrictFilterBackend, StrictQueryParamsMixin
from .serializers import (
    InvoiceCreateSerializer,
    InvoiceDetailSerializer,
    InvoiceEmissionSerializer,
    InvoiceSerializer,
    InvoiceUpdateSerializer,
)

UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class OrganizationScopedViewSet(StrictQueryParamsMixin, viewsets.GenericViewSet):
    """Base for the API's viewsets: the caller's organization is `self.organization`."""

    lookup_value_regex = UUID_PATTERN

    @property
    def organization(self) -> Any:
        return self.request.user.organization  # type: ignore[union-attr]

    @property
    def organization_id(self) -> Any:
        return self.request.user.organization_id  # type: ignore[union-attr]


@extend_schema(tags=["invoices"])
class InvoiceViewSet(OrganizationScopedViewSet):
    filter_backends = [StrictFilterBackend]
    filterset_class = InvoiceFilterSet
    pagination_class = PagePagination
    paginator: PagePagination
    serializer_class = InvoiceSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> InvoiceQuery:  # type: ignore[override]
        return InvoiceQuery(organization_id=self.organization_id)

    @extend_schema(
        summary="List invoices",
        description="Filter, sort and page the organization's invoices. Default order: `-created_at`, then `-id`.",
    )
    def list(self, request: Request) -> HttpResponse:
        query = cast(InvoiceQuery, self.filter_queryset(cast(Any, self.get_queryset())))
        offset, limit = self.paginator.read_page(request)
        page = invoice_page(query, offset=offset, limit=limit)
        return self.paginator.get_paginated_json_response(page.items_json, page.total)

    @extend_schema(summary="Get an invoice with its emissions per activity category", responses=InvoiceDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        item = json.loads(self._item_json(pk))
        item["emissions"] = InvoiceEmissionSerializer(invoice_emission_list(invoice_id=pk), many=True).data
        return Response(item)

    @extend_schema(
        summary="Create an invoice",
        description="Its emissions are calculated by a background job; until then `co2e` is null.",
        request=InvoiceCreateSerializer,
        responses={201: InvoiceSerializer},
    )
    def create(self, request: Request) -> HttpResponse:
        serializer = InvoiceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = invoice_create(organization=self.organization, **serializer.validated_data)
        return _json_response(self._item_json(invoice.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct an invoice",
        description="Change its status or correct its fields; the type cannot change.",
        request=InvoiceUpdateSerializer,
        responses=InvoiceSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> HttpResponse:
        invoice = invoice_get(organization=self.organization, invoice_id=pk)
        serializer = InvoiceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = invoice_update(invoice=invoice, **serializer.validated_data)
        return _json_response(self._item_json(invoice.pk))

    @extend_schema(summary="Delete an invoice with its emission results", responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        invoice_delete(invoice=invoice_get(organization=self.organization, invoice_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _item_json(self, invoice_id: Any) -> str:
        return invoice_item_json(organization_id=self.organization_id, invoice_id=invoice_id)


def _json_response(body: str, *, status_code: int = status.HTTP_200_OK) -> HttpResponse:
    return HttpResponse(body, status=status_code, content_type="application/json")
