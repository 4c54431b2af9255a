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
from invoicing.choices import ActivityCategory, InvoiceSource, InvoiceStatus, InvoiceType, Scope
from invoicing.emissions.calculator import ROW_LEVEL
from invoicing.errors import AuditCode, CalculationFailureCode
from invoicing.models import EmissionBasis, FactorBasis, Invoice, InvoiceEmission

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
    audit_codes = serializers.ListField(
        child=serializers.ChoiceField(choices=AuditCode.choices),
        help_text=(
            "The codes of the bill-audit findings that involve this invoice, sorted; empty when the audit found "
            "nothing. The findings themselves: `GET /v1/invoices/audit`."
        ),
    )


class FactorUseSerializer(serializers.Serializer):
    """One factor applied to the days of one calendar year."""

    component = serializers.CharField(help_text="e.g. combustion, td_losses, td_losses_wtt, supplier.")
    scope = serializers.ChoiceField(choices=Scope.choices)
    quantity = ExactDecimalField(help_text="The part's quantity in the factor's unit.")
    quantity_unit = serializers.CharField()
    conversion = serializers.CharField(required=False)
    factor_value = ExactDecimalField()
    factor_unit = serializers.CharField(help_text="kg CO2e per unit, or kg CO2 for a CO2-only factor.")
    basis = serializers.ChoiceField(choices=FactorBasis.choices)
    calorific_basis = serializers.CharField(required=False)
    factor_year = serializers.IntegerField(allow_null=True)
    factor_rung = serializers.CharField()
    fallbacks = serializers.ListField(child=serializers.DictField())
    kg_co2e = ExactDecimalField()
    biogenic_co2_kg = ExactDecimalField(allow_null=True)
    dataset_publisher = serializers.CharField(required=False)
    dataset_name = serializers.CharField(required=False)
    dataset_version = serializers.CharField(required=False)
    source_document = serializers.CharField(required=False)
    source_location = serializers.CharField(required=False)
    factor_id = serializers.UUIDField(allow_null=True, help_text="The factor row (admin), if any.")
    custom_factor_id = serializers.UUIDField(allow_null=True, help_text="The organization's custom factor.")


class YearPartSerializer(serializers.Serializer):
    """The days of the billing period in one calendar year and the factors applied to them."""

    year = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    days = serializers.IntegerField()
    quantity = ExactDecimalField(help_text="The invoice's quantity for these days, in its own unit.")
    quantity_unit = serializers.CharField()
    kg_co2e = ExactDecimalField()
    biogenic_co2_kg = ExactDecimalField(allow_null=True)
    factors = FactorUseSerializer(many=True)


class InvoiceEmissionSerializer(serializers.Serializer):
    """One stored result with its provenance (docs/emissions.md, "What is stored")."""

    category = serializers.ChoiceField(choices=ActivityCategory.choices)
    scope = serializers.ChoiceField(
        choices=[choice for choice in Scope.choices if choice[0]], allow_null=True, help_text="Null for energy."
    )
    kg_co2e = ExactDecimalField(allow_null=True, help_text="kg CO2e (kg CO2 where basis is co2_only); null for energy.")
    kwh = ExactDecimalField(allow_null=True, help_text="kWh, for the energy category only.")
    biogenic_co2_kg = ExactDecimalField(allow_null=True, help_text="Reported outside the scopes.")
    quantity = ExactDecimalField(help_text="Quantity in the factor's unit.")
    quantity_unit = serializers.CharField()
    conversion = serializers.CharField()
    factor_value = ExactDecimalField(allow_null=True, help_text="Null when the period is split by year.")
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
        data = super().to_representation(instance)
        data["scope"] = data["scope"] or None
        data["basis"] = data["basis"] or None
        # A row's texts (conversion, dataset, source) are stored once for its only factor: repeat them there.
        for part in data["year_parts"]:
            for factor in part["factors"]:
                for name in ROW_LEVEL:
                    factor.setdefault(name, data[name])
        return data


class CalculationErrorSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ActivityCategory.choices)
    code = serializers.ChoiceField(choices=CalculationFailureCode.choices, help_text="e.g. NO_FACTOR.")
    message = serializers.CharField(help_text="Why the category has no result, and what would give it one.")
    failed_at = UtcTimestampField()
    job_id = serializers.UUIDField(allow_null=True, help_text="The processing job that tried, if any.")


class InvoiceDetailSerializer(InvoiceSerializer):
    """An invoice as in the list, with every calculation input and the last outcome of each category:
    the detail and the write responses."""

    kwh_per_m3 = ExactDecimalField(
        allow_null=True, help_text="The bill's conversion factor for gas billed in m³ (kWh gross per m³), if given."
    )
    emissions = InvoiceEmissionSerializer(many=True, help_text="One row per calculated activity category.")
    calculation_errors = CalculationErrorSerializer(
        many=True,
        source="calculation_failures",
        help_text="One entry per category whose last calculation failed: the reason there is no row for it.",
    )
    calculation_pending = serializers.SerializerMethodField(
        help_text="True while a background job has still to calculate a category (after a create or a correction)."
    )
    pending_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=ActivityCategory.choices),
        help_text="The categories still to be calculated; their rows, if any, are from before the change.",
    )

    def get_calculation_pending(self, invoice: Invoice) -> bool:
        return bool(invoice.pending_categories)  # type: ignore[attr-defined]


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


def _kwh_per_m3(**kwargs: Any) -> StrictDecimalField:
    return StrictDecimalField(
        max_digits=12,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        required=False,
        allow_null=True,
        help_text="Gas billed in m³: the conversion factor printed on the bill (kWh gross per m³, e.g. 11.70).",
        **kwargs,
    )


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
    kwh_per_m3 = _kwh_per_m3()


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
    kwh_per_m3 = _kwh_per_m3()
