"""Request and response shapes of the invoice API.

Invoice items are rendered by PostgreSQL (invoicing.selectors.invoice_items); InvoiceSerializer and
InvoiceDetailSerializer declare that shape for the OpenAPI schema and are not used to render it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.choices import CATEGORY_SCOPE, ActivityCategory, InvoiceSource, InvoiceStatus, InvoiceType
from invoicing.models import InvoiceEmission

PERIOD_START_PATTERN = r"^\d{4}-\d{2}-\d{2}T00:00:00$"
PERIOD_END_PATTERN = r"^\d{4}-\d{2}-\d{2}T23:59:59$"
INPUT_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def utc_timestamp(value: datetime | None) -> str | None:
    """`2024-02-01T10:30:00Z`: UTC, whole seconds. (isoformat: a third of strftime's cost per list item.)"""
    return None if value is None else value.astimezone(UTC).isoformat(timespec="seconds").removesuffix("+00:00") + "Z"


@extend_schema_field({"type": "string", "pattern": PERIOD_START_PATTERN, "example": "2024-01-01T00:00:00"})
class PeriodStartField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "pattern": PERIOD_END_PATTERN, "example": "2024-01-31T23:59:59"})
class PeriodEndField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "format": "date-time", "example": "2024-02-01T10:30:00Z"})
class UtcTimestampField(serializers.CharField):
    pass


class InvoiceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=InvoiceType.choices)
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    quantity = serializers.FloatField(help_text="In the unit given by unit_id.")
    unit_id = serializers.UUIDField()
    start_date = PeriodStartField(help_text="First day of the billing period.")
    end_date = PeriodEndField(help_text="Last day of the billing period, included.")
    invoice_id = serializers.CharField(help_text="The utility's invoice number.")
    facility_id = serializers.UUIDField()
    supplier_id = serializers.UUIDField(allow_null=True)
    co2e = serializers.FloatField(allow_null=True, help_text="kg CO2e; null until calculated.")
    total_energy_kwh = serializers.FloatField(allow_null=True)
    cups = serializers.CharField(allow_null=True)
    created_at = UtcTimestampField()
    updated_at = UtcTimestampField()
    facility_fuel_id = serializers.UUIDField(allow_null=True)
    supply_contract_id = serializers.UUIDField(allow_null=True)
    uploaded_by = serializers.IntegerField(allow_null=True, help_text="Id of the uploading user, if any.")
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=InvoiceSource.choices, allow_null=True, help_text="Null for legacy invoices."
    )


class InvoiceEmissionSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ActivityCategory.choices)
    scope = serializers.CharField(help_text="GHG Protocol bucket of the category.")
    kg_co2e = serializers.FloatField(help_text="kg CO2e (kWh for the energy category).")
    biogenic_co2_kg = serializers.FloatField(allow_null=True, help_text="Reported outside the scopes.")
    quantity = serializers.FloatField(help_text="Quantity in the factor's unit.")
    quantity_unit = serializers.CharField()
    conversion = serializers.CharField()
    factor_value = serializers.FloatField(allow_null=True)
    factor_unit = serializers.CharField()
    factor_source = serializers.CharField()
    dataset_name = serializers.CharField()
    dataset_version = serializers.CharField()
    factor_year = serializers.IntegerField(allow_null=True)
    calculated_at = UtcTimestampField()

    def to_representation(self, instance: InvoiceEmission) -> dict[str, Any]:
        return {
            "category": instance.category,
            "scope": CATEGORY_SCOPE.get(instance.category, ""),
            "kg_co2e": float(instance.kg_co2e),
            "biogenic_co2_kg": _number(instance.biogenic_co2_kg),
            "quantity": float(instance.quantity),
            "quantity_unit": instance.quantity_unit,
            "conversion": instance.conversion,
            "factor_value": _number(instance.factor_value),
            "factor_unit": instance.factor_unit,
            "factor_source": instance.factor_source,
            "dataset_name": instance.dataset_name,
            "dataset_version": instance.dataset_version,
            "factor_year": instance.factor_year,
            "calculated_at": utc_timestamp(instance.calculated_at),
        }


class InvoiceDetailSerializer(InvoiceSerializer):
    emissions = InvoiceEmissionSerializer(many=True, help_text="One row per calculated activity category.")


class StrictSerializer(serializers.Serializer):
    """Rejects body fields it does not declare, naming them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


def _uuid(**kwargs: Any) -> serializers.UUIDField:
    return serializers.UUIDField(**kwargs)


class InvoiceCreateSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=InvoiceType.choices)
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, default=InvoiceStatus.UPLOADED)
    source = serializers.ChoiceField(choices=InvoiceSource.choices, default=InvoiceSource.MANUAL)  # type: ignore[assignment]
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6, min_value=Decimal(0))
    unit_id = _uuid()
    start_date = serializers.DateField(input_formats=INPUT_DATE_FORMATS, help_text="YYYY-MM-DD")
    end_date = serializers.DateField(input_formats=INPUT_DATE_FORMATS, help_text="YYYY-MM-DD, included.")
    invoice_id = serializers.CharField(max_length=100, allow_blank=True, default="", source="invoice_number")
    facility_id = _uuid()
    supplier_id = _uuid(required=False, allow_null=True)
    supply_contract_id = _uuid(required=False, allow_null=True)
    facility_fuel_id = _uuid(required=False, allow_null=True)
    cups = serializers.CharField(max_length=30, required=False, allow_null=True, allow_blank=True)


class InvoiceUpdateSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, required=False)
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6, min_value=Decimal(0), required=False)
    unit_id = _uuid(required=False)
    start_date = serializers.DateField(input_formats=INPUT_DATE_FORMATS, required=False)
    end_date = serializers.DateField(input_formats=INPUT_DATE_FORMATS, required=False)
    invoice_id = serializers.CharField(max_length=100, allow_blank=True, required=False, source="invoice_number")
    facility_id = _uuid(required=False)
    supplier_id = _uuid(required=False, allow_null=True)
    supply_contract_id = _uuid(required=False, allow_null=True)
    facility_fuel_id = _uuid(required=False, allow_null=True)
    cups = serializers.CharField(max_length=30, required=False, allow_null=True, allow_blank=True)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable error code, e.g. VALIDATION_ERROR.")
    detail = serializers.CharField(help_text="Human-readable message.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field or query parameter.",
    )
