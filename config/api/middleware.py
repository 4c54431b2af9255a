"""Never an HTML page under /v1/: error responses that are not JSON become the API's error format.

DRF views already answer JSON; this catches what happens outside them (no URL matched, an
exception in middleware, Django's own 404/500 pages). Django has logged any exception by then.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

from invoicing.errors import API_STATUS_CODES

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
            return self._json(response.status_code)
        return response

    @staticmethod
    def _json(status_code: int) -> JsonResponse:
        try:
            phrase = HTTPStatus(status_code).phrase
        except ValueError:
            phrase = "Error"
        code = API_STATUS_CODES.get(status_code, phrase.upper().replace(" ", "_").replace("-", "_"))
        return JsonResponse({"code": code, "detail": DETAILS.get(status_code, f"{phrase}.")}, status=status_code)
