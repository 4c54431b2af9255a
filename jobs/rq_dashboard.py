"""django-rq's dashboard at /admin/rq/, for superusers only.

Its queues, workers and scheduled tasks are shared by every organization: a staff member of one
organization who could empty the queue or delete a task would stall the others' jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import django_rq.urls
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern


def rq_dashboard_urls() -> tuple[list[URLPattern], str]:
    """django_rq's URL patterns (for `include()`, namespace "django_rq"), each behind `superuser_required`."""
    patterns = []
    for pattern in django_rq.urls.urlpatterns:
        if not isinstance(pattern, URLPattern):  # a nested URLconf would escape the check
            raise TypeError(f"unexpected URL resolver in django_rq.urls: {pattern!r}")
        view = superuser_required(pattern.callback)
        patterns.append(URLPattern(pattern.pattern, view, pattern.default_args, pattern.name))
    return patterns, django_rq.urls.app_name


def superuser_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The admin's login page for anyone not logged in as staff, 403 for staff who are not superusers."""

    @wraps(view)
    def superusers_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied("The RQ dashboard is for superusers: its queues are shared by all organizations.")
        return view(request, *args, **kwargs)

    return admin.site.admin_view(superusers_only)
