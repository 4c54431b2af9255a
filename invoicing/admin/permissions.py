"""Who may see and do what in the admin.

Superusers see everything. Other staff get their rights from Membership, not from Django's
per-model permissions: a staff member may view, add, change and delete the rows of the
organizations they are a member of, and may only view shared reference data (units, fuels,
suppliers, factor datasets). Nothing in the admin needs `user_permissions` or groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from invoicing.models import Membership, Organization

_CACHE_ATTRIBUTE = "_admin_organization_ids"


def organization_ids(request: HttpRequest) -> frozenset[Any] | None:
    """The organizations the user may act on, or None for "all" (superusers). Cached per request."""
    user = request.user
    if user.is_active and user.is_superuser:
        return None
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is None:
        if not (user.is_active and user.is_staff):
            cached = frozenset()
        else:
            cached = frozenset(Membership.objects.filter(user_id=user.pk).values_list("organization_id", flat=True))
        setattr(request, _CACHE_ATTRIBUTE, cached)
    return cached


def may_act_on(request: HttpRequest, organization_id: Any) -> bool:
    ids = organization_ids(request)
    return ids is None or organization_id in ids


def scope_to_organizations(
    queryset: models.QuerySet[Any], request: HttpRequest, path: str = "organization"
) -> models.QuerySet[Any]:
    """Keep only the rows (reached through `path`) of the user's organizations."""
    ids = organization_ids(request)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{path or 'id'}__in": ids})


def _organization_path_of(model: type[models.Model]) -> str | None:
    """How to reach the owning organization from a model, for foreign-key choices."""
    if model is Organization:
        return ""
    names = {field.name for field in model._meta.get_fields()}
    if "organization" in names:
        return "organization"
    if "facility" in names:
        return "facility__organization"
    return None


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Rows owned by an organization (reached through `organization_path`)."""

    organization_path = "organization"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return scope_to_organizations(super().get_queryset(request), request, self.organization_path)

    def organization_id_of(self, obj: models.Model) -> Any:
        value: Any = obj
        for part in self.organization_path.split("__") if self.organization_path else []:
            value = getattr(value, part)
        return value.pk

    def _is_member(self, request: HttpRequest, obj: models.Model | None) -> bool:
        ids = organization_ids(request)
        if ids is None:
            return True
        if not ids:
            return False
        return obj is None or self.organization_id_of(obj) in ids

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(organization_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return self._is_member(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if request.user.is_superuser:
            return super().has_add_permission(request, *args)
        return self._is_member(request, None)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return self._is_member(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if request.user.is_superuser:
            return super().has_delete_permission(request, obj)
        return self._is_member(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Offer only the related rows of the user's organizations (e.g. no other tenant's facility)."""
        path = _organization_path_of(db_field.related_model)
        if path is not None and organization_ids(request) is not None:
            kwargs["queryset"] = scope_to_organizations(db_field.related_model._default_manager.all(), request, path)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyScopedAdmin(OrganizationScopedAdmin):
    """Rows that only services write (invoices, jobs): listed and inspected here, changed only through
    the admin's actions, which members of the rows' organization may run."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_act_permission(self, request: HttpRequest) -> bool:
        ids = organization_ids(request)
        return ids is None or bool(ids)


class ScopedInlineMixin:
    """Inlines follow the permissions of the parent admin's object."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        path = _organization_path_of(db_field.related_model)
        if path is not None and organization_ids(request) is not None:
            kwargs["queryset"] = scope_to_organizations(db_field.related_model._default_manager.all(), request, path)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class ReferenceDataAdmin(admin.ModelAdmin):
    """Shared reference data: every staff member with a membership may read it; superusers edit it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(organization_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser or bool(organization_ids(request))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser


def ids_in(values: Iterable[Any]) -> str:
    """Comma-separated ids for an admin `__in` filter in a URL."""
    return ",".join(str(value) for value in values)
