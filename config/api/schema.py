"""OpenAPI schema pieces: the two auth headers, bracket array parameters and the error responses."""

from __future__ import annotations

from typing import Any, Literal

from django import forms
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes

from .params import ARRAY_SUFFIX, MultiValueField, MultiValueFilter

ERROR_STATUSES = {
    "400": "VALIDATION_ERROR (or a domain rule's code): `errors` names each field or parameter.",
    "401": "AUTHENTICATION_FAILED: the x-api-key header is missing, unknown or revoked.",
    "403": "ORGANIZATION_FORBIDDEN: the key may not act for the x-organization-id given.",
    "404": "NOT_FOUND: no such resource in your organization.",
    "405": "METHOD_NOT_ALLOWED.",
    "415": "UNSUPPORTED_MEDIA_TYPE: send application/json.",
    "429": "RATE_LIMITED.",
    "500": "INTERNAL_ERROR.",
}


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "invoicing.api.authentication.ApiKeyAuthentication"
    name = ["ApiKey", "OrganizationId"]

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return [
            {"type": "apiKey", "in": "header", "name": "x-api-key", "description": "Your API key."},
            {
                "type": "apiKey",
                "in": "header",
                "name": "x-organization-id",
                "description": "The id of the organization the key belongs to.",
            },
        ]


def _value_schema(field: forms.Field) -> dict[str, Any]:
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": [str(value) for value, _ in field.choices if value != ""]}  # type: ignore[union-attr,misc]
    if isinstance(field, forms.UUIDField):
        return build_basic_type(OpenApiTypes.UUID)  # type: ignore[return-value]
    if isinstance(field, forms.IntegerField):
        return {"type": "integer", "minimum": 1}
    if isinstance(field, forms.DateField):
        return build_basic_type(OpenApiTypes.DATE)  # type: ignore[return-value]
    return {"type": "string"}


class StrictFilterBackendExtension(OpenApiFilterExtension):
    """Document each filter as sent: array ones as `name[]` (form style, exploded)."""

    target_class = "invoicing.api.params.StrictFilterBackend"

    def get_schema_operation_parameters(self, auto_schema: AutoSchema, *args: Any, **kwargs: Any) -> list[dict]:
        filterset_class = getattr(auto_schema.view, "filterset_class", None)
        if filterset_class is None:
            return []
        parameters = []
        for name, filter_ in filterset_class.base_filters.items():
            field = filter_.field
            description = str(filter_.extra.get("help_text", "") or "")
            if isinstance(filter_, MultiValueFilter):
                assert isinstance(field, MultiValueField)
                parameters.append(
                    {
                        "name": f"{name}{ARRAY_SUFFIX}",
                        "in": "query",
                        "required": False,
                        "description": f"{description} Repeat the parameter for several values; "
                        f"`{name}` without brackets is accepted too.",
                        "schema": {"type": "array", "items": _value_schema(field.child)},
                        "style": "form",
                        "explode": True,
                    }
                )
            else:
                parameters.append(
                    {
                        "name": name,
                        "in": "query",
                        "required": False,
                        "description": description,
                        "schema": _value_schema(field),
                    }
                )
        return parameters


class ApiAutoSchema(AutoSchema):
    """Adds the one error format to every operation's responses."""

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error_ref = self.resolve_serializer(_error_serializer(), "response").ref
        for code, description in ERROR_STATUSES.items():
            responses.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": error_ref}}}
            )
        return responses


def _error_serializer() -> Any:
    from .serializers import ErrorSerializer

    return ErrorSerializer
