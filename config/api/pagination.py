"""Page-number pagination with the body `{"items", "total", "page", "size", "pages"}`.

`page` (≥ 1, default 1) and `size` (1-100, default 50) are validated; a bad value is a 400
VALIDATION_ERROR naming the parameter. A page past the end is a 200 with empty `items`. The total
is counted only when the page does not tell it: a short page that is not past the end is the last.
Subclass and change `default_size` / `max_size` for another resource.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .formats import POSTGRES_BIGINT_MAX, parse_whole_number, whole_number_schema

MAX_OFFSET = POSTGRES_BIGINT_MAX  # PostgreSQL's OFFSET is a bigint
# Far past the end of any list (such a page is empty, answered from the largest offset there is);
# the bound keeps the number one that Python reads and prints.
MAX_PAGE = 10**30 - 1


def _whole_number(raw: str | None, *, name: str, default: int, maximum: int) -> int:
    if raw is None:
        return default
    try:
        return parse_whole_number(raw, maximum=maximum)
    except ValueError as exc:
        raise exceptions.ValidationError({name: [str(exc)]}) from None


class PagePagination(BasePagination):
    page_query_param = "page"
    size_query_param = "size"
    default_size = 50
    max_size = 100

    page: int
    size: int
    total: int

    @property
    def query_params(self) -> tuple[str, str]:
        """The query parameters this paginator reads (see StrictQueryParamsMixin)."""
        return (self.page_query_param, self.size_query_param)

    def paginate_queryset(self, queryset: Any, request: Request, view: APIView | None = None) -> list[Any]:
        """The page's rows of a QuerySet or a sequence; sets `total`."""
        self.page = _whole_number(
            request.query_params.get(self.page_query_param), name=self.page_query_param, default=1, maximum=MAX_PAGE
        )
        self.size = _whole_number(
            request.query_params.get(self.size_query_param),
            name=self.size_query_param,
            default=self.default_size,
            maximum=self.max_size,
        )
        # A page so far past the end that its offset overflows PostgreSQL's bigint OFFSET is read at
        # the largest offset there is: empty, like any other page past the end.
        offset = min((self.page - 1) * self.size, MAX_OFFSET)
        rows = list(queryset[offset : offset + self.size])
        if len(rows) < self.size and (rows or offset == 0):
            self.total = offset + len(rows)
        else:
            self.total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return rows

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.size)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"items": data, "total": self.total, "page": self.page, "size": self.size, "pages": self.pages})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["items", "total", "page", "size", "pages"],
            "properties": {
                "items": schema,
                "total": {"type": "integer", "minimum": 0, "example": 123},
                "page": {"type": "integer", "minimum": 1, "example": 1},
                "size": {"type": "integer", "minimum": 1, "maximum": self.max_size, "example": self.default_size},
                "pages": {"type": "integer", "minimum": 0, "example": 3},
            },
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1. A page past the end returns no items.",
                "schema": {**whole_number_schema(maximum=MAX_PAGE), "default": 1},
            },
            {
                "name": self.size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page, 1-{self.max_size}.",
                "schema": {**whole_number_schema(maximum=self.max_size), "default": self.default_size},
            },
        ]
