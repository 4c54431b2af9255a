"""Never an HTML page under /v1/: error responses that are not JSON become the API's error format.

DRF views already answer JSON; this catches what happens outside them (no URL matched, an
exception in middleware, Django's own 404/500 pages). Django has logged any exception by then.
A path that matches nothing only for its final slash (`/v1/invoices/`) gets a 404 naming the path
that exists rather than a redirect, which a client may follow without its body or method. (Django's
APPEND_SLASH still redirects `/v1/schema` to the schema page, `/v1/schema/`.)
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from invoicing.errors import API_STATUS_CODES

# Separators as the API's renderer writes them (config.api.renderers): the same bytes for the same error.
COMPACT = {"separators": (",", ":")}

API_PREFIX = "/v1/"
DETAILS = {
    404: "Not found.",
    500: "An unexpected error occurred; it has been logged.",
}


def is_api_request(request: HttpRequest) -> bool:
    """Under /v1/, as URL routing sees the path (after any script prefix)."""
    return request.path_info.startswith(API_PREFIX)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_request(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = _slash_hint(request) if response.status_code == 404 else None
            return json_error(response.status_code, detail)
        return response


def json_error(status_code: int, detail: str | None = None) -> JsonResponse:
    """The API's error body for a response written outside DRF: `{"code", "detail"}`, the code from
    API_STATUS_CODES (else the status phrase), the detail given or the status's default."""
    try:
        phrase = HTTPStatus(status_code).phrase
    except ValueError:
        phrase = "Error"
    code = API_STATUS_CODES.get(status_code, phrase.upper().replace(" ", "_").replace("-", "_"))
    detail = detail or DETAILS.get(status_code, f"{phrase}.")
    return JsonResponse({"code": code, "detail": detail}, status=status_code, json_dumps_params=COMPACT)


def _slash_hint(request: HttpRequest) -> str | None:
    """The detail of a 404 whose path exists with (or without) a final slash, naming that path; else None."""
    path = request.path_info
    other = path.removesuffix("/") if path.endswith("/") else f"{path}/"
    try:
        resolve(other)
    except Resolver404:
        return None
    return f"Not found. Did you mean {request.path.removesuffix(path)}{other}?"
