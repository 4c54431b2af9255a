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

from invoicing.choices import ActivityCategory, InvoiceSource, InvoiceStatus, InvoiceType, Scope
from invoicing.emissions.calculator import ROW_LEVEL
from invoicing.models import EmissionBasis, FactorBasis, InvoiceEmission

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
    """One stored result with its provenance (docs/emissions.md, "What is stored")."""

    class YearPartSerializer(serializers.Serializer):
        """The days of the billing period in one calendar year and the factors applied to them."""

        class FactorUseSerializer(serializers.Serializer):
            component = serializers.CharField(help_text="e.g. combustion, td_losses, td_losses_wtt, supplier.")
            scope = serializers.ChoiceField(choices=Scope.choices)
            quantity = serializers.FloatField(help_text="The part's quantity in the factor's unit.")
            quantity_unit = serializers.CharField()
            conversion = serializers.CharField()
            factor_value = serializers.FloatField()
            factor_unit = serializers.CharField(help_text="kg CO2e per unit, or kg CO2 for a CO2-only factor.")
            basis = serializers.ChoiceField(choices=FactorBasis.choices)
            calorific_basis = serializers.CharField()
            factor_year = serializers.IntegerField(allow_null=True)
            factor_rung = serializers.CharField()
            fallbacks = serializers.ListField(child=serializers.DictField())
            kg_co2e = serializers.FloatField()
            biogenic_co2_kg = serializers.FloatField(allow_null=True)
            dataset_publisher = serializers.CharField()
            dataset_name = serializers.CharField()
            dataset_version = serializers.CharField()
            source_document = serializers.CharField()
            source_location = serializers.CharField()
            factor_id = serializers.UUIDField(allow_null=True, help_text="The factor row (admin), if any.")
            custom_factor_id = serializers.UUIDField(allow_null=True, help_text="The organization's custom factor.")

        year = serializers.IntegerField()
        start_date = serializers.DateField()
        end_date = serializers.DateField()
        days = serializers.IntegerField()
        quantity = serializers.FloatField(help_text="The invoice's quantity for these days, in its own unit.")
        quantity_unit = serializers.CharField()
        kg_co2e = serializers.FloatField()
        biogenic_co2_kg = serializers.FloatField(allow_null=True)
        factors = FactorUseSerializer(many=True)

    category = serializers.ChoiceField(choices=ActivityCategory.choices)
    scope = serializers.ChoiceField(
        choices=[choice for choice in Scope.choices if choice[0]], allow_null=True, help_text="Null for energy."
    )
    kg_co2e = serializers.FloatField(
        allow_null=True, help_text="kg CO2e (kg CO2 where basis is co2_only); null for energy."
    )
    kwh = serializers.FloatField(allow_null=True, help_text="kWh, for the energy category only.")
    biogenic_co2_kg = serializers.FloatField(allow_null=True, help_text="Reported outside the scopes.")
    quantity = serializers.FloatField(help_text="Quantity in the factor's unit.")
    quantity_unit = serializers.CharField()
    conversion = serializers.CharField()
    factor_value = serializers.FloatField(allow_null=True, help_text="Null when the period is split by year.")
    factor_unit = serializers.CharField()
    basis = serializers.ChoiceField(choices=EmissionBasis.choices, allow_null=True, help_text="Null: not recorded.")
    calorific_basis = serializers.CharField()
    factor_rung = serializers.CharField(help_text="Why this factor: dataset, supplier, residual_mix, grid_average, …")
    fallbacks = serializers.ListField(child=serializers.DictField())
    factor_year = serializers.IntegerField(allow_null=True, help_text="Null when the factors' years differ.")
    year_parts = YearPartSerializer(many=True)
    dataset_publisher = serializers.CharField()
    dataset_name = serializers.CharField()
    dataset_version = serializers.CharField()
    source_document = serializers.CharField()
    source_location = serializers.CharField()
    calculated_at = UtcTimestampField()

    def to_representation(self, instance: InvoiceEmission) -> dict[str, Any]:
        def declared(values: dict[str, Any], fields: dict[str, serializers.Field]) -> dict[str, Any]:
            """Stored JSON in the declared order; its decimals are exact strings, rendered as numbers."""
            return {
                name: _number(Decimal(values[name]))
                if isinstance(field, serializers.FloatField) and values.get(name) is not None
                else values.get(name)
                for name, field in fields.items()
            }

        part_fields = dict(self.YearPartSerializer().fields)
        factor_fields = dict(self.YearPartSerializer.FactorUseSerializer().fields)
        del part_fields["factors"]
        row_level = {name: getattr(instance, name) for name in ROW_LEVEL}  # stored once for a row's only factor
        year_parts = [
            {
                **declared(part, part_fields),
                "factors": [declared({**row_level, **factor}, factor_fields) for factor in part["factors"]],
            }
            for part in instance.year_parts
        ]
        return {
            "category": instance.category,
            "scope": instance.scope or None,
            "kg_co2e": _number(instance.kg_co2e),
            "kwh": _number(instance.kwh),
            "biogenic_co2_kg": _number(instance.biogenic_co2_kg),
            "quantity": float(instance.quantity),
            "quantity_unit": instance.quantity_unit,
            "conversion": instance.conversion,
            "factor_value": _number(instance.factor_value),
            "factor_unit": instance.factor_unit,
            "basis": instance.basis or None,
            "calorific_basis": instance.calorific_basis,
            "factor_rung": instance.factor_rung,
            "fallbacks": instance.fallbacks,
            "factor_year": instance.factor_year,
            "year_parts": year_parts,
            "dataset_publisher": instance.dataset_publisher,
            "dataset_name": instance.dataset_name,
            "dataset_version": instance.dataset_version,
            "source_document": instance.source_document,
            "source_location": instance.source_location,
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
