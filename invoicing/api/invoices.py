"""`/v1/invoices`: list with filters, detail with emissions, create, correct, delete."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.schema import error_response
from config.api.viewsets import OrganizationScopedViewSet
from invoicing.models import Invoice
from invoicing.selectors.audits import invoices_with_audit_codes
from invoicing.selectors.invoices import invoice_detail_get, invoice_get, invoice_list
from invoicing.services.invoices import invoice_create, invoice_delete, invoice_update

from .filters import InvoiceFilterSet
from .serializers import InvoiceCreateSerializer, InvoiceDetailSerializer, InvoiceSerializer, InvoiceUpdateSerializer

DUPLICATE_INVOICE = error_response(
    "DUPLICATE_INVOICE: the facility already has an invoice with this number and period."
)


@extend_schema_view(
    list=extend_schema(
        summary="List invoices",
        description=(
            "Filter, sort and page the organization's invoices. Array parameters may be repeated "
            "(`type[]=heat&type[]=electricity`). Default order: `-created_at`, then `-id`."
        ),
    ),
    retrieve=extend_schema(
        summary="Get an invoice with its emissions per activity category",
        description="The invoice as in the list, plus `emissions`: one row per calculated activity category.",
        responses=InvoiceDetailSerializer,
    ),
    destroy=extend_schema(
        summary="Delete an invoice with its emission results",
        description="Deletes the invoice and its per-category emission rows; answers 204 with no body.",
    ),
)
@extend_schema(tags=["invoices"])
class InvoiceViewSet(mixins.ListModelMixin, OrganizationScopedViewSet):
    filterset_class = InvoiceFilterSet
    serializer_class = InvoiceSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Invoice]:
        return invoices_with_audit_codes(invoice_list(organization=self.organization))

    def retrieve(self, request: Request, pk: str) -> Response:
        invoice = invoice_detail_get(organization=self.organization, invoice_id=pk)
        return Response(InvoiceDetailSerializer(invoice).data)

    @extend_schema(
        summary="Create an invoice",
        description=(
            "Creates an invoice of one of your facilities. Its emissions are calculated by a background job; "
            "until then `co2e` is null. Ids in the body must name rows of your organization (or of the "
            "catalogues): otherwise the answer is a 400 naming the field."
        ),
        request=InvoiceCreateSerializer,
        responses={201: InvoiceDetailSerializer, 409: DUPLICATE_INVOICE},
    )
    def create(self, request: Request) -> Response:
        serializer = InvoiceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = invoice_create(organization=self.organization, **serializer.validated_data)
        invoice = invoice_detail_get(organization=self.organization, invoice_id=invoice.pk)
        return Response(InvoiceDetailSerializer(invoice).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct an invoice",
        description=(
            "Changes its status or corrects the fields sent; the type cannot change. A correction that "
            "changes what the emissions depend on recalculates them in the background."
        ),
        request=InvoiceUpdateSerializer,
        responses={200: InvoiceDetailSerializer, 409: DUPLICATE_INVOICE},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        invoice = invoice_get(organization=self.organization, invoice_id=pk)
        serializer = InvoiceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = invoice_update(invoice=invoice, **serializer.validated_data)
        invoice = invoice_detail_get(organization=self.organization, invoice_id=invoice.pk)
        return Response(InvoiceDetailSerializer(invoice).data)

    def destroy(self, request: Request, pk: str) -> Response:
        invoice_delete(invoice=invoice_get(organization=self.organization, invoice_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
