"""The way in: `/` (for people) and `/v1/` (for API clients) point at the admin and the API's docs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

LINKS = {
    "admin": "/admin/",
    "docs": "/v1/docs/",
    "schema": "/v1/schema/",
}


def home(request: HttpRequest) -> HttpResponse:
    """A page with the admin and the API's interactive docs, for whoever opens the server's address."""
    return render(request, "home.html", {"links": LINKS})


class ApiRootView(APIView):
    """`GET /v1/`: where the API's docs and schema are (no key needed)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Where to start",
        description="Links to the interactive docs, the OpenAPI schema and the staff admin. Needs no API key.",
        tags=["meta"],
        responses=inline_serializer(
            "ApiRoot",
            {name: serializers.CharField(help_text=f"The {name} address.") for name in LINKS},
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(LINKS)
