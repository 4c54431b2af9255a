"""The base of every `/v1/` viewset: the caller's organization, strict query parameters, paging."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets

from .pagination import PagePagination
from .params import StrictFilterBackend, StrictQueryParamsMixin

UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class OrganizationScopedViewSet(StrictQueryParamsMixin, viewsets.GenericViewSet):
    """A viewset acting for the organization of the request's API key (`self.organization`).

    Lists are filtered by `filterset_class` over strict query parameters and paged by PagePagination;
    ids in URLs are UUIDs, so a word such as `recalculate` never matches a detail route.
    """

    lookup_value_regex = UUID_PATTERN
    filter_backends = [StrictFilterBackend]
    pagination_class = PagePagination

    @property
    def organization(self) -> Any:
        return self.request.user.organization  # type: ignore[union-attr]
