"""Reference endpoints a client needs to build invoices: catalogues, facilities, fuels, contracts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.fields import INPUT_DATE_FORMATS, UtcTimestampField
from config.api.serializers import StrictSerializer
from config.api.viewsets import OrganizationScopedViewSet
from invoicing.models import Facility, FacilityFuel, StationaryFuel, Supplier, SupplyContract, Unit
from invoicing.selectors.reference import (
    facility_fuel_list,
    facility_get,
    facility_list,
    stationary_fuel_list,
    supplier_list,
    supply_contract_list,
    unit_list,
)
from invoicing.services.facilities import facility_create, facility_fuel_create, supply_contract_create


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "symbol", "dimension"]


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = ["id", "code", "name", "legal_name", "country"]


class StationaryFuelSerializer(serializers.ModelSerializer):
    class Meta:
        model = StationaryFuel
        fields = ["id", "code", "name", "is_biomass"]


class FacilitySerializer(serializers.ModelSerializer):
    created_at = UtcTimestampField(read_only=True)

    class Meta:
        model = Facility
        fields = ["id", "name", "country", "region", "cups", "created_at"]


class FacilityCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=2, min_length=2, help_text="ISO 3166-1 alpha-2, e.g. ES.")
    region = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    cups = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list)


class FacilityFuelSerializer(serializers.ModelSerializer):
    facility_id = serializers.UUIDField()
    fuel_id = serializers.UUIDField()

    class Meta:
        model = FacilityFuel
        fields = ["id", "facility_id", "fuel_id"]


class FacilityFuelCreateSerializer(StrictSerializer):
    fuel_id = serializers.UUIDField(help_text="A stationary fuel from /v1/stationary-fuels.")


class SupplyContractSerializer(serializers.ModelSerializer):
    facility_id = serializers.UUIDField()
    supplier_id = serializers.UUIDField()

    class Meta:
        model = SupplyContract
        fields = [
            "id",
            "facility_id",
            "supplier_id",
            "cups",
            "start_date",
            "end_date",
            "covered_by_guarantees_of_origin",
        ]


class SupplyContractCreateSerializer(StrictSerializer):
    facility_id = serializers.UUIDField()
    supplier_id = serializers.UUIDField()
    cups = serializers.CharField(max_length=30, required=False, allow_null=True, allow_blank=True)
    start_date = serializers.DateField(input_formats=INPUT_DATE_FORMATS)
    end_date = serializers.DateField(input_formats=INPUT_DATE_FORMATS, required=False, allow_null=True)
    covered_by_guarantees_of_origin = serializers.BooleanField(required=False, default=False)


class _PagedList(mixins.ListModelMixin, OrganizationScopedViewSet):
    pass


@extend_schema_view(list=extend_schema(summary="List units", tags=["reference"]))
class UnitViewSet(_PagedList):
    serializer_class = UnitSerializer

    def get_queryset(self) -> Any:
        return unit_list()


@extend_schema_view(list=extend_schema(summary="List energy suppliers", tags=["reference"]))
class SupplierViewSet(_PagedList):
    serializer_class = SupplierSerializer

    def get_queryset(self) -> Any:
        return supplier_list()


@extend_schema_view(list=extend_schema(summary="List stationary fuels", tags=["reference"]))
class StationaryFuelViewSet(_PagedList):
    serializer_class = StationaryFuelSerializer

    def get_queryset(self) -> Any:
        return stationary_fuel_list()


@extend_schema_view(list=extend_schema(summary="List facilities", tags=["facilities"]))
class FacilityViewSet(_PagedList):
    serializer_class = FacilitySerializer

    def get_queryset(self) -> Any:
        return facility_list(organization=self.organization)

    @extend_schema(
        summary="Create a facility",
        tags=["facilities"],
        request=FacilityCreateSerializer,
        responses={201: FacilitySerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = FacilityCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        facility = facility_create(organization=self.organization, **serializer.validated_data)
        return Response(FacilitySerializer(facility).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="List the fuels burnt at a facility", tags=["facilities"]))
class FacilityFuelViewSet(_PagedList):
    serializer_class = FacilityFuelSerializer

    def get_queryset(self) -> Any:
        facility = facility_get(organization=self.organization, facility_id=self.kwargs["facility_id"])
        return facility_fuel_list(facility=facility)

    @extend_schema(
        summary="Register a fuel burnt at a facility",
        tags=["facilities"],
        request=FacilityFuelCreateSerializer,
        responses={201: FacilityFuelSerializer},
    )
    def create(self, request: Request, facility_id: str) -> Response:
        facility = facility_get(organization=self.organization, facility_id=facility_id)
        serializer = FacilityFuelCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        facility_fuel = facility_fuel_create(facility=facility, **serializer.validated_data)
        return Response(FacilityFuelSerializer(facility_fuel).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="List supply contracts", tags=["facilities"]))
class SupplyContractViewSet(_PagedList):
    serializer_class = SupplyContractSerializer

    def get_queryset(self) -> Any:
        return supply_contract_list(organization=self.organization)

    @extend_schema(
        summary="Create a supply contract",
        tags=["facilities"],
        request=SupplyContractCreateSerializer,
        responses={201: SupplyContractSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = SupplyContractCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = supply_contract_create(organization=self.organization, **serializer.validated_data)
        return Response(SupplyContractSerializer(contract).data, status=status.HTTP_201_CREATED)
