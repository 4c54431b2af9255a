"""OpenAPI schema pieces: the two auth headers, bracket array parameters, strict body fields and
the error responses.

Registered through drf-spectacular's public extension points: `OpenApiAuthenticationExtension`,
`OpenApiFilterExtension`, `OpenApiSerializerFieldExtension` (imported by config.urls so that they
are known before the schema is built) and the `POSTPROCESSING_HOOKS` setting (`add_error_responses`).

Error answers are documented where they can happen: a view declares the ones of its own domain
with `error_response` (409 DUPLICATE_INVOICE, 422 IDEMPOTENCY_KEY_MISMATCH…); `add_error_responses`
adds those that follow from the shape of every operation (authentication, a body, an id in the
path, query parameters, content negotiation, request limits, throttling when configured).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiFilterExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.settings import api_settings

from .params import ARRAY_SUFFIX, MultiValueField, MultiValueFilter

ERROR_REFERENCE = {"$ref": "#/components/schemas/Error"}
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
# Every operation: parameters are validated (unknown, empty or malformed ones are refused), the
# answer is JSON (406 otherwise), the query string is limited (414) and unexpected errors are 500.
EVERY_OPERATION = {
    "400": "VALIDATION_ERROR: `errors` names each bad field or query parameter (unknown, empty or malformed).",
    "406": "NOT_ACCEPTABLE: the Accept header allows no JSON.",
    "414": "URI_TOO_LONG: the query string is over the server's limit.",
    "500": "INTERNAL_ERROR: an unexpected error, logged on the server.",
}
AUTHENTICATED = {
    "401": "AUTHENTICATION_FAILED: the x-api-key header is missing, unknown or revoked.",
    "403": "ORGANIZATION_FORBIDDEN: the x-organization-id header is missing or not the key's organization.",
}
WITH_BODY = {
    "413": "PAYLOAD_TOO_LARGE: the body is over the server's limit.",
    "415": "UNSUPPORTED_MEDIA_TYPE: send application/json.",
}
WITH_PATH_ID = {"404": "NOT_FOUND: no such resource in your organization."}
THROTTLED = {"429": "RATE_LIMITED: too many requests; retry after the Retry-After header's seconds."}


def error_response(description: str) -> OpenApiResponse:
    """An error answer of one operation, in the API's error format: for `extend_schema(responses=…)`."""
    return OpenApiResponse(ERROR_REFERENCE, description=description)


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


def _value_schema(field: Any) -> dict[str, Any]:
    """The JSON Schema of one value of a filter: each of config.api.params' fields gives its own."""
    if not hasattr(field, "openapi_schema"):
        raise TypeError(f"{type(field).__name__} does not describe its values: use a field of config.api.params")
    return field.openapi_schema()  # type: ignore[no-any-return]


class DescribedFieldExtension(OpenApiSerializerFieldExtension):
    """Body fields that give their own JSON Schema (config.api.fields.DescribedField)."""

    target_class = "config.api.fields.DescribedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Any) -> dict[str, Any]:
        return self.target.openapi_schema()  # type: ignore[no-any-return]


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
    """Postprocessing hook: the error format as a component; on each operation the error answers that
    follow from its shape (those a view declared itself are kept); request bodies that name every
    unknown field (config.api.serializers.StrictSerializer: all of this API's) as closed objects."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    throttled = bool(api_settings.DEFAULT_THROTTLE_CLASSES)
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            statuses = dict(EVERY_OPERATION)
            if operation.get("security"):
                statuses.update(AUTHENTICATED)
            if "requestBody" in operation:
                statuses.update(WITH_BODY)
                _close_object(operation["requestBody"], schemas)
            if "{" in path:
                statuses.update(WITH_PATH_ID)
            if throttled:
                statuses.update(THROTTLED)
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_REFERENCE}}}
                )
            operation["responses"] = dict(sorted(responses.items()))
    return result


def _close_object(request_body: dict[str, Any], schemas: dict[str, Any]) -> None:
    for media in request_body.get("content", {}).values():
        reference = media.get("schema", {}).get("$ref", "")
        component = schemas.get(reference.removeprefix("#/components/schemas/"))
        if component is not None and component.get("type") == "object":
            component["additionalProperties"] = False
