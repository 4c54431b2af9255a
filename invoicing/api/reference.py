"""Reference endpoints a client needs to build invoices: catalogues, facilities, fuels, contracts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictDateField,
    StrictUUIDField,
    UtcTimestampField,
)
from config.api.formats import NON_BLANK_TEXT_PATTERN
from config.api.schema import error_response
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

from .fields import CountryField, CupsField, CupsListField


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
    name = StrictCharField(
        max_length=200,
        pattern=NON_BLANK_TEXT_PATTERN,
        pattern_message="Must contain a character other than spaces (and no NUL).",
        help_text="Unique within your organization.",
    )
    country = CountryField(help_text="ISO 3166-1 alpha-2 code, any case, e.g. ES.")
    region = StrictCharField(max_length=50, required=False, default="", allow_blank=True)
    cups = CupsListField(required=False, default=list, help_text="The CUPS supply points of the facility.")


class FacilityFuelSerializer(serializers.ModelSerializer):
    facility_id = serializers.UUIDField()
    fuel_id = serializers.UUIDField()

    class Meta:
        model = FacilityFuel
        fields = ["id", "facility_id", "fuel_id"]


class FacilityFuelCreateSerializer(StrictSerializer):
    fuel_id = StrictUUIDField(help_text="A stationary fuel from /v1/stationary-fuels.")


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
    facility_id = StrictUUIDField(help_text="A facility of your organization.")
    supplier_id = StrictUUIDField(help_text="A supplier from /v1/suppliers.")
    cups = CupsField(required=False, allow_null=True, allow_blank=True, help_text="Null or empty for none.")
    start_date = StrictDateField(help_text="YYYY-MM-DD.")
    end_date = StrictDateField(required=False, allow_null=True, help_text="YYYY-MM-DD, included; null if open.")
    covered_by_guarantees_of_origin = StrictBooleanField(
        required=False, default=False, help_text="Whether the electricity is covered by guarantees of origin."
    )


class _PagedList(mixins.ListModelMixin, OrganizationScopedViewSet):
    pass


@extend_schema_view(
    list=extend_schema(
        summary="List units",
        description="The units invoices are entered in (kWh, m³, litre…). Their ids are the same on every install.",
        tags=["reference"],
    )
)
class UnitViewSet(_PagedList):
    serializer_class = UnitSerializer

    def get_queryset(self) -> Any:
        return unit_list()


@extend_schema_view(
    list=extend_schema(
        summary="List energy suppliers",
        description="The energy retailers invoices and supply contracts can name, shared by every organization.",
        tags=["reference"],
    )
)
class SupplierViewSet(_PagedList):
    serializer_class = SupplierSerializer

    def get_queryset(self) -> Any:
        return supplier_list()


@extend_schema_view(
    list=extend_schema(
        summary="List stationary fuels",
        description="The fuels a facility can burn (natural gas, gas oil, LPG, biomass…), shared by all organizations.",
        tags=["reference"],
    )
)
class StationaryFuelViewSet(_PagedList):
    serializer_class = StationaryFuelSerializer

    def get_queryset(self) -> Any:
        return stationary_fuel_list()


@extend_schema_view(
    list=extend_schema(
        summary="List facilities",
        description="Your organization's sites, with their country and CUPS supply points.",
        tags=["facilities"],
    )
)
class FacilityViewSet(_PagedList):
    serializer_class = FacilitySerializer

    def get_queryset(self) -> Any:
        return facility_list(organization=self.organization)

    @extend_schema(
        summary="Create a facility",
        description="Adds a site to your organization. Its country picks the default emission factors.",
        tags=["facilities"],
        request=FacilityCreateSerializer,
        responses={
            201: FacilitySerializer,
            409: error_response("CONFLICT: your organization already has a facility with this name."),
        },
    )
    def create(self, request: Request) -> Response:
        serializer = FacilityCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        facility = facility_create(organization=self.organization, **serializer.validated_data)
        return Response(FacilitySerializer(facility).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List the fuels burnt at a facility",
        description="The facility fuels heat invoices point at (`facility_fuel_id`).",
        tags=["facilities"],
    )
)
class FacilityFuelViewSet(_PagedList):
    serializer_class = FacilityFuelSerializer

    def get_queryset(self) -> Any:
        facility = facility_get(organization=self.organization, facility_id=self.kwargs["facility_id"])
        return facility_fuel_list(facility=facility)

    @extend_schema(
        summary="Register a fuel burnt at a facility",
        description="Makes a stationary fuel available to the facility's heat invoices.",
        tags=["facilities"],
        request=FacilityFuelCreateSerializer,
        responses={
            201: FacilityFuelSerializer,
            409: error_response("CONFLICT: this fuel is already registered for the facility."),
        },
    )
    def create(self, request: Request, facility_id: str) -> Response:
        facility = facility_get(organization=self.organization, facility_id=facility_id)
        serializer = FacilityFuelCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        facility_fuel = facility_fuel_create(facility=facility, **serializer.validated_data)
        return Response(FacilityFuelSerializer(facility_fuel).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List supply contracts",
        description="The electricity contracts of your facilities: supplier, CUPS, dates, guarantees of origin.",
        tags=["facilities"],
    )
)
class SupplyContractViewSet(_PagedList):
    serializer_class = SupplyContractSerializer

    def get_queryset(self) -> Any:
        return supply_contract_list(organization=self.organization)

    @extend_schema(
        summary="Create a supply contract",
        description=(
            "Records a facility's electricity contract. Whether it is covered by guarantees of origin "
            "decides the market-based factor of its invoices."
        ),
        tags=["facilities"],
        request=SupplyContractCreateSerializer,
        responses={201: SupplyContractSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = SupplyContractCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = supply_contract_create(organization=self.organization, **serializer.validated_data)
        return Response(SupplyContractSerializer(contract).data, status=status.HTTP_201_CREATED)
