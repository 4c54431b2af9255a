"""Request and response shapes of the invoice API: one item shape for the list, the detail and writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from config.api.fields import (
    PERIOD_END_TIME,
    PERIOD_START_TIME,
    ExactDecimalField,
    PeriodEndField,
    PeriodStartField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictDecimalField,
    StrictUUIDField,
    UtcTimestampField,
)
from config.api.serializers import StrictSerializer
from invoicing.choices import CATEGORY_SCOPE, ActivityCategory, InvoiceSource, InvoiceStatus, InvoiceType
from invoicing.models import InvoiceEmission

from .fields import CupsField


class InvoiceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=InvoiceType.choices)
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    quantity = ExactDecimalField(help_text="In the unit given by unit_id.")
    unit_id = serializers.UUIDField()
    start_date = PeriodStartField(help_text="First day of the billing period.")
    end_date = PeriodEndField(help_text="Last day of the billing period, included.")
    invoice_id = serializers.CharField(source="invoice_number", help_text="The utility's invoice number.")
    facility_id = serializers.UUIDField()
    supplier_id = serializers.UUIDField(allow_null=True)
    co2e = ExactDecimalField(allow_null=True, help_text="kg CO2e; null until calculated.")
    total_energy_kwh = ExactDecimalField(allow_null=True, help_text="kWh; null until calculated.")
    cups = serializers.CharField(allow_null=True)
    created_at = UtcTimestampField()
    updated_at = UtcTimestampField()
    facility_fuel_id = serializers.UUIDField(allow_null=True)
    supply_contract_id = serializers.UUIDField(allow_null=True)
    uploaded_by = serializers.IntegerField(
        source="uploaded_by_id", allow_null=True, help_text="Id of the uploading user, if any."
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=InvoiceSource.choices, allow_null=True, help_text="Null for legacy invoices."
    )


class InvoiceEmissionSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ActivityCategory.choices)
    scope = serializers.SerializerMethodField(help_text="GHG Protocol bucket of the category.")
    kg_co2e = ExactDecimalField(help_text="kg CO2e (kWh for the energy category).")
    biogenic_co2_kg = ExactDecimalField(allow_null=True, help_text="Reported outside the scopes.")
    quantity = ExactDecimalField(help_text="Quantity in the factor's unit.")
    quantity_unit = serializers.CharField()
    conversion = serializers.CharField()
    factor_value = ExactDecimalField(allow_null=True)
    factor_unit = serializers.CharField()
    factor_source = serializers.CharField()
    dataset_name = serializers.CharField()
    dataset_version = serializers.CharField()
    factor_year = serializers.IntegerField(allow_null=True)
    calculated_at = UtcTimestampField()

    def get_scope(self, emission: InvoiceEmission) -> str:
        return CATEGORY_SCOPE.get(emission.category, "")


class InvoiceDetailSerializer(InvoiceSerializer):
    emissions = InvoiceEmissionSerializer(many=True, help_text="One row per calculated activity category.")


def _quantity(**kwargs: Any) -> StrictDecimalField:
    return StrictDecimalField(
        max_digits=20, decimal_places=6, min_value=Decimal(0), help_text="In the unit given by unit_id.", **kwargs
    )


def _period_start(**kwargs: Any) -> StrictDateField:
    return StrictDateField(
        time=PERIOD_START_TIME, help_text="First day of the period: YYYY-MM-DD (or as the API writes it).", **kwargs
    )


def _period_end(**kwargs: Any) -> StrictDateField:
    return StrictDateField(
        time=PERIOD_END_TIME, help_text="Last day of the period, included: YYYY-MM-DD (or as written).", **kwargs
    )


def _invoice_number(**kwargs: Any) -> StrictCharField:
    return StrictCharField(
        max_length=100, allow_blank=True, source="invoice_number", help_text="The utility's invoice number.", **kwargs
    )


def _cups(**kwargs: Any) -> CupsField:
    return CupsField(required=False, allow_null=True, allow_blank=True, help_text="Null or empty for none.", **kwargs)


class InvoiceCreateSerializer(StrictSerializer):
    type = StrictChoiceField(choices=InvoiceType.choices)
    status = StrictChoiceField(choices=InvoiceStatus.choices, default=InvoiceStatus.UPLOADED)
    source = StrictChoiceField(choices=InvoiceSource.choices, default=InvoiceSource.MANUAL)  # type: ignore[assignment]
    quantity = _quantity()
    unit_id = StrictUUIDField()
    start_date = _period_start()
    end_date = _period_end()
    invoice_id = _invoice_number(default="")
    facility_id = StrictUUIDField()
    supplier_id = StrictUUIDField(required=False, allow_null=True)
    supply_contract_id = StrictUUIDField(required=False, allow_null=True)
    facility_fuel_id = StrictUUIDField(required=False, allow_null=True)
    cups = _cups()


class InvoiceUpdateSerializer(StrictSerializer):
    status = StrictChoiceField(choices=InvoiceStatus.choices, required=False)
    quantity = _quantity(required=False)
    unit_id = StrictUUIDField(required=False)
    start_date = _period_start(required=False)
    end_date = _period_end(required=False)
    invoice_id = _invoice_number(required=False)
    facility_id = StrictUUIDField(required=False)
    supplier_id = StrictUUIDField(required=False, allow_null=True)
    supply_contract_id = StrictUUIDField(required=False, allow_null=True)
    facility_fuel_id = StrictUUIDField(required=False, allow_null=True)
    cups = _cups()
