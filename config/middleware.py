"""The project's middleware: request limits, and the admin's session, user, message and CSRF-cookie
middleware skipped for API requests.

A request under /v1/ authenticates with its API key and is answered in JSON: a session, a logged-in
user and flash messages mean nothing to it, and with no cookie that authenticates there is nothing
for a CSRF cookie to protect (DRF exempts its views; CsrfViewMiddleware.process_view, which Django
calls apart from this, still guards any view that is not). Together they cost about 5% of a list
request's instructions. Subclasses rather than a wrapper, so that the admin's system checks still
find them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.middleware.csrf import CsrfViewMiddleware

from config.api.middleware import is_api_request, json_error


class _SkippedForApi:
    def __call__(self, request: HttpRequest) -> Any:
        if is_api_request(request):
            return self.get_response(request)  # type: ignore[attr-defined]
        return super().__call__(request)  # type: ignore[misc]


class SiteSessionMiddleware(_SkippedForApi, SessionMiddleware):
    pass


class SiteAuthenticationMiddleware(_SkippedForApi, AuthenticationMiddleware):
    pass


class SiteMessageMiddleware(_SkippedForApi, MessageMiddleware):
    pass


class SiteCsrfViewMiddleware(_SkippedForApi, CsrfViewMiddleware):
    pass


class RequestLimitsMiddleware:
    """Requests past the documented limits, refused before anything else reads them (first in MIDDLEWARE).

    - A query string over MAX_QUERY_STRING_BYTES: 414 URI_TOO_LONG, on any path. Shorter ones reach the
      app whole (the server passes request lines up to 64 KB; DATA_UPLOAD_MAX_NUMBER_FIELDS lets Django
      parse every parameter they can hold).
    - Under /v1/, a body whose Content-Length is over API_MAX_BODY_BYTES: 413 PAYLOAD_TOO_LARGE, unread.
    - Under /v1/, a body shorter than its Content-Length (the client closed its side early) or that the
      server could not read: 400 BAD_REQUEST. The body is read here, once; the views reuse it.

    Answers are the API's JSON errors, {"code", "detail"}, with the code of their status (API_STATUS_CODES).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query_bytes = len(request.META.get("QUERY_STRING", ""))  # latin-1 in WSGI: one character per byte
        limit = settings.MAX_QUERY_STRING_BYTES
        if query_bytes > limit:
            return json_error(414, f"The query string has {query_bytes:,} bytes; at most {limit:,} are accepted.")
        if is_api_request(request):
            announced = _content_length(request)
            if announced > settings.API_MAX_BODY_BYTES:
                return json_error(
                    413,
                    f"The request body has {announced:,} bytes; at most {settings.API_MAX_BODY_BYTES:,} are accepted.",
                )
            if announced:
                try:
                    received = len(request.body)
                except UnreadablePostError:
                    return json_error(400, "The request body could not be read.")
                if received < announced:
                    return json_error(
                        400,
                        f"The request body ended after {received:,} of the {announced:,} bytes "
                        "its Content-Length announced.",
                    )
        return self.get_response(request)


def _content_length(request: HttpRequest) -> int:
    """As Django reads it: an absent or malformed header counts as no body."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0
