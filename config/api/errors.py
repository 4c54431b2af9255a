"""One error format for the whole API: {"code", "detail", "errors"?}."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from invoicing.errors import ApiErrorCode, DomainError

_CODES: dict[type[exceptions.APIException], ApiErrorCode] = {
    exceptions.NotAuthenticated: ApiErrorCode.AUTHENTICATION_FAILED,
    exceptions.AuthenticationFailed: ApiErrorCode.AUTHENTICATION_FAILED,
    exceptions.NotFound: ApiErrorCode.NOT_FOUND,
    exceptions.MethodNotAllowed: ApiErrorCode.METHOD_NOT_ALLOWED,
    exceptions.UnsupportedMediaType: ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
    exceptions.NotAcceptable: ApiErrorCode.NOT_ACCEPTABLE,
    exceptions.Throttled: ApiErrorCode.RATE_LIMITED,
    exceptions.ParseError: ApiErrorCode.VALIDATION_ERROR,
    exceptions.ValidationError: ApiErrorCode.VALIDATION_ERROR,
}


def _flatten(errors: Any) -> dict[str, list[str]]:
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for field, value in errors.items():
            if isinstance(value, dict):
                for sub_field, messages in _flatten(value).items():
                    flat[f"{field}.{sub_field}"] = messages
            else:
                flat[str(field)] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return flat
    return {"non_field_errors": [str(m) for m in (errors if isinstance(errors, list) else [errors])]}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # unknown errors propagate and become a JSON 500 (ApiJsonErrorsMiddleware)
    code: str | None = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), None)
    if code is None:
        code = str(exc.default_code).upper()
        if isinstance(exc, exceptions.PermissionDenied) and exc.default_code == "permission_denied":
            code = ApiErrorCode.PERMISSION_DENIED
    body: dict[str, Any] = {"code": code}
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "The request is invalid."
        body["errors"] = _flatten(exc.detail)
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        body["detail"] = f"{exc.detail} Send the body as JSON, with Content-Type: application/json."
    else:
        body["detail"] = str(exc.detail)
    response.data = body
    return response
