"""The admin's session, user, message and CSRF-cookie middleware, skipped for API requests.

A request under /v1/ authenticates with its API key and is answered in JSON: a session, a logged-in
user and flash messages mean nothing to it, and with no cookie that authenticates there is nothing
for a CSRF cookie to protect (DRF exempts its views; CsrfViewMiddleware.process_view, which Django
calls apart from this, still guards any view that is not). Together they cost about 5% of a list
request's instructions. Subclasses rather than a wrapper, so that the admin's system checks still
find them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware

from config.api.middleware import is_api_request


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
