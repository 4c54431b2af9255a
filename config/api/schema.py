"""OpenAPI schema pieces: the two auth headers, bracket array parameters and the error responses.

Registered through drf-spectacular's public extension points: `OpenApiAuthenticationExtension`,
`OpenApiFilterExtension` (imported by config.urls so that they are known before the schema is
built) and the `POSTPROCESSING_HOOKS` setting (`add_error_responses`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiFilterExtension
from drf_spectacular.openapi import AutoSchema

from .params import ARRAY_SUFFIX, IsoDateField, MultiValueField, MultiValueFilter

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
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "detail"],
    "properties": {
        "code": {"type": "string", "description": "Stable error code, e.g. VALIDATION_ERROR."},
        "detail": {"type": "string", "description": "Human-readable message."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per field or query parameter.",
        },
    },
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
        return {"type": "string", "format": "uuid"}
    if isinstance(field, forms.IntegerField):
        return {"type": "integer", "minimum": 1}
    if isinstance(field, IsoDateField):
        return {"type": "string", "format": "date"}
    return {"type": "string"}


class StrictFilterBackendExtension(OpenApiFilterExtension):
    """Document each filter as sent: array ones as `name[]` (form style, exploded)."""

    target_class = "config.api.params.StrictFilterBackend"
    priority = 1  # before drf-spectacular's own extension for django-filter's backend

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


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: the one error format, as a component, on every operation's responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result
