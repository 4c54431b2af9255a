"""`GET /v1/emissions/summary`: the organization's inventory for a year or a window of whole months,
as JSON, CSV or XLSX (the `Accept` header or `format=`), from invoicing.selectors.inventory."""

from __future__ import annotations

from typing import Any

from django import forms
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.fields import ExactDecimalField
from config.api.formats import not_one_of
from config.api.params import (
    AllowedValueField,
    IsoDateField,
    MultiValueField,
    StrictQueryParamsMixin,
    UuidField,
    WholeNumberField,
    form_errors,
)
from config.api.renderers import ExactJSONRenderer
from config.api.schema import error_response
from invoicing.emissions.figures import FIGURES
from invoicing.errors import AuditCode, CalculationFailureCode
from invoicing.selectors.inventory import (
    MAX_WINDOW_MONTHS,
    EmissionsSummary,
    GroupBy,
    emissions_summary,
    reporting_window,
)

from .exports import XLSX_MEDIA_TYPE, SummaryCSVRenderer, SummaryXLSXRenderer

FORMATS = ("json", "csv", "xlsx")
MAX_YEAR = 9999
FIGURE_HELP = {
    "scope_1": "kg CO2e: fuel burnt on site.",
    "scope_2_location_based": "kg CO2e: purchased electricity (location-based) and heat and steam. Never add to "
    "scope_2_market_based.",
    "scope_2_market_based": "kg CO2e: purchased electricity (market-based) and heat and steam.",
    "scope_3_cat3a": "kg CO2e: well-to-tank of fuels burnt on site.",
    "scope_3_cat3b": "kg CO2e: upstream of purchased electricity, heat and steam.",
    "scope_3_cat3c": "kg CO2e: transmission and distribution losses.",
    "biogenic_co2": "kg CO2: biogenic CO2, outside the scopes.",
    "energy_kwh": "kWh of energy used (heat and electricity); not an emission.",
}


class SummaryParams(forms.Form):
    """The query parameters, read as sent by config.api.params' fields (each gives its JSON Schema)."""

    year = WholeNumberField(required=False, maximum=MAX_YEAR)
    start_date = IsoDateField(required=False)
    end_date = IsoDateField(required=False)
    facility_id = MultiValueField(child=UuidField(), required=False)
    group_by = AllowedValueField(choices=[(g, g) for g in GroupBy.CHOICES], required=False)
    format = AllowedValueField(choices=[(f, f) for f in FORMATS], required=False)


PARAMETER_HELP = {
    "year": "The calendar year to report, e.g. 2024. Required unless start_date and end_date are given.",
    "start_date": "First day of a window of whole months (a 1st), with end_date, instead of year.",
    "end_date": f"Last day of the window (a month's last day); at most {MAX_WINDOW_MONTHS} months after start_date.",
    "facility_id": "Only these facilities of your organization.",
    "group_by": "`month` (default): every month of the window, zeros included; `facility` or `category`: the "
    "window's totals per facility or activity category.",
    "format": "`csv` or `xlsx` for a file with one row per group (or send an Accept header); `json` by default.",
}


def _figure_fields() -> dict[str, serializers.Field]:
    return {key: ExactDecimalField(help_text=FIGURE_HELP[key]) for key, _ in FIGURES}


FiguresSerializer = type("EmissionFiguresSerializer", (serializers.Serializer,), _figure_fields())


class SummaryGroupSerializer(FiguresSerializer):  # type: ignore[valid-type,misc]
    key = serializers.CharField(help_text="`2024-01` (month), a facility id, or an activity category code.")
    label = serializers.CharField(help_text="For people: `January 2024`, the facility's name, the category's label.")


class CoverageSerializer(serializers.Serializer):
    invoices = serializers.IntegerField(
        help_text="Heat and electricity invoices sharing at least a day with the window."
    )
    invoices_calculated = serializers.IntegerField(
        help_text="With a result for every activity category of their type, no failure, and no job still to "
        "calculate them."
    )
    invoices_not_calculated = serializers.IntegerField(
        help_text="The others: missing from the figures, in part or all."
    )
    invoices_pending = serializers.IntegerField(
        help_text="Of those, invoices with no failure recorded: never calculated, or a job is under way (after a "
        "correction, their figures are from before it until the job ends)."
    )
    not_calculated_by_code = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Invoices per calculation failure code (NO_FACTOR, UNIT_MISMATCH…); an invoice with two codes "
        "counts under both.",
    )
    audit_findings_by_code = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Bill-audit findings whose days reach into the window (of the facilities asked for), per code "
        "(OVERLAPPING_PERIODS, GAP, DUPLICATE, USAGE_OUTLIER). The figures count every bill as billed: days billed "
        "twice count twice, a gap counts nothing. Review them with GET /v1/invoices/audit before relying on the "
        "totals.",
    )


class EmissionsSummarySerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    group_by = serializers.ChoiceField(choices=[(g, g) for g in GroupBy.CHOICES])
    totals = FiguresSerializer()
    groups = SummaryGroupSerializer(many=True)
    coverage = CoverageSerializer()

    @staticmethod
    def of(summary: EmissionsSummary) -> dict[str, Any]:
        """The serializer's input for a summary (the one representation of JSON, CSV, XLSX and the admin)."""
        coverage = summary.coverage
        return {
            "start_date": summary.window.start,
            "end_date": summary.window.end,
            "group_by": summary.group_by,
            "totals": summary.totals,
            "groups": [{"key": g.key, "label": g.label, **g.figures} for g in summary.groups],
            "coverage": {
                "invoices": coverage.invoices,
                "invoices_calculated": coverage.calculated,
                "invoices_not_calculated": coverage.not_calculated,
                "invoices_pending": coverage.pending,
                "not_calculated_by_code": coverage.by_code,
                "audit_findings_by_code": coverage.audit_findings_by_code,
            },
        }


def summary_data(summary: EmissionsSummary) -> dict[str, Any]:
    """The summary as the API writes it (JSON numbers as Decimals without trailing zeros)."""
    return EmissionsSummarySerializer(EmissionsSummarySerializer.of(summary)).data


EXAMPLE_FIGURES = {
    "scope_1": 1829,
    "scope_2_location_based": 310.605,
    "scope_2_market_based": 412.5,
    "scope_3_cat3a": 0,
    "scope_3_cat3b": 68.85,
    "scope_3_cat3c": 33.405,
    "biogenic_co2": 0,
    "energy_kwh": 11500,
}
EXAMPLE = {
    "start_date": "2024-01-01",
    "end_date": "2024-12-31",
    "group_by": "month",
    "totals": EXAMPLE_FIGURES,
    "groups": [
        {"key": "2024-01", "label": "January 2024", **EXAMPLE_FIGURES},
        {"key": "2024-02", "label": "February 2024", **{key: 0 for key in EXAMPLE_FIGURES}},
    ],
    "coverage": {
        "invoices": 14,
        "invoices_calculated": 12,
        "invoices_not_calculated": 2,
        "invoices_pending": 1,
        "not_calculated_by_code": {CalculationFailureCode.NO_FACTOR.value: 1},
        "audit_findings_by_code": {AuditCode.OVERLAPPING_PERIODS.value: 1},
    },
}


class EmissionsSummaryView(StrictQueryParamsMixin, APIView):
    renderer_classes = [ExactJSONRenderer, SummaryCSVRenderer, SummaryXLSXRenderer]
    extra_query_params = ("year", "start_date", "end_date", "group_by", "format")
    array_query_params = ("facility_id",)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        requested = request.query_params.getlist("format")
        if not force and len(requested) == 1:
            if requested[0] not in FORMATS:
                raise exceptions.ValidationError({"format": [not_one_of(requested[0], FORMATS)]})
            # An explicit format wins over the Accept header (a browser or a client library sends one anyway).
            renderer = next(r for r in self.get_renderers() if r.format == requested[0])
            return renderer, renderer.media_type
        try:
            return super().perform_content_negotiation(request, force)
        except exceptions.NotAcceptable:
            raise exceptions.NotAcceptable(
                f"The Accept header allows none of application/json, text/csv and {XLSX_MEDIA_TYPE}; "
                f"or ask with format={'|'.join(FORMATS)}."
            ) from None

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        """Errors are JSON whatever the format asked for (the API's one error format)."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = ExactJSONRenderer()
            response.accepted_media_type = ExactJSONRenderer.media_type
        return response

    @extend_schema(
        tags=["emissions"],
        summary="The organization's emissions inventory for a year or a window of whole months",
        description=(
            "Each stored emission result is spread over its invoice's billing period by days, both ends "
            "included (a 31-day bill from 20 January to 19 February puts 12/31 in January and 19/31 in "
            "February), and summed per group: every month of the window (`group_by=month`, zeros included), or "
            "the window's totals per facility or activity category. Scope 2 is given location- and market-based "
            "side by side and never added together. kg figures have at most 6 decimals and are written as exact "
            "JSON numbers without trailing zeros; the shares of a result add up to its stored figure, so totals "
            "are the same whatever the grouping. `coverage` counts the heat and electricity invoices overlapping "
            "the window and why some are missing from the figures. `format=csv|xlsx` (or an Accept header of "
            f"text/csv or {XLSX_MEDIA_TYPE}) gives one row per group with a header row naming units "
            "(`scope_1_kg_co2e`, …, `energy_kwh`). How scopes are mapped: docs/inventory.md."
        ),
        parameters=[
            *(
                OpenApiParameter(
                    name,
                    SummaryParams.base_fields[name].openapi_schema(),  # type: ignore[attr-defined]
                    OpenApiParameter.QUERY,
                    required=False,
                    description=PARAMETER_HELP[name],
                )
                for name in ("year", "start_date", "end_date", "group_by", "format")
            ),
            OpenApiParameter(
                "facility_id[]",
                {"type": "array", "items": UuidField().openapi_schema()},
                OpenApiParameter.QUERY,
                required=False,
                style="form",
                explode=True,
                description=f"{PARAMETER_HELP['facility_id']} Repeat the parameter for several values; "
                "`facility_id` without brackets is accepted too.",
            ),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                EmissionsSummarySerializer,
                examples=[OpenApiExample("A year by month", value=EXAMPLE, response_only=True)],
            ),
            (200, "text/csv"): OpenApiResponse({"type": "string"}, description="One row per group."),
            (200, XLSX_MEDIA_TYPE): OpenApiResponse(
                {"type": "string", "format": "binary"}, description="One row per group."
            ),
            (400, "application/json"): error_response(
                "INVALID_REPORTING_PERIOD: no year and no window, both, or a window that is not of whole months "
                f"(or longer than {MAX_WINDOW_MONTHS} months); `errors` names the parameters. VALIDATION_ERROR: "
                "a malformed or unknown parameter, or a facility_id[] that is not one of your facilities."
            ),
            (406, "application/json"): error_response(
                "NOT_ACCEPTABLE: the Accept header allows neither JSON, CSV nor XLSX (and no format= was given)."
            ),
        },
    )
    def get(self, request: Request) -> Response:
        params = SummaryParams(self.query_data)
        if not params.is_valid():
            raise exceptions.ValidationError(form_errors(params.errors, set(self.array_query_params)))
        values = params.cleaned_data
        window = reporting_window(year=values["year"], start_date=values["start_date"], end_date=values["end_date"])
        group_by = values["group_by"] or GroupBy.MONTH
        summary = emissions_summary(
            organization=request.user.organization,  # type: ignore[union-attr]
            window=window,
            group_by=group_by,
            facility_ids=values["facility_id"] or None,
        )
        response = Response(summary_data(summary))
        if request.accepted_renderer.format in ("csv", "xlsx"):  # type: ignore[attr-defined]
            name = f"emissions-summary-{window.start}-{window.end}-by-{group_by}.{request.accepted_renderer.format}"  # type: ignore[attr-defined]
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
