"""Organizations, memberships and API keys. A key's secret is shown once, on the page after creating it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from invoicing.models import ApiKey, Membership, Organization
from invoicing.services.organizations import api_key_create, api_key_revoke
from invoicing.text import counted

from .filters import OrganizationFilter
from .inventory import inventory_download, inventory_page
from .permissions import OrganizationScopedAdmin, ScopedInlineMixin, organization_ids


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "created_at")
    readonly_fields = ("created_at",)

    # Only superusers decide who works for which organization.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


class ApiKeyInline(ScopedInlineMixin, admin.TabularInline):
    """Listed read-only on the organization; created and revoked on the API key admin."""

    model = ApiKey
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ("prefix", "name", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = ""
    list_display = ("name", "country", "created_at", "api_keys_link", "inventory_link")
    search_fields = ("name",)
    list_filter = ("country",)
    fields = ("name", "country", "created_at", "inventory_link")
    readonly_fields = ("created_at", "inventory_link")
    inlines = [MembershipInline, ApiKeyInline]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/inventory/", view(self.inventory_view), name="invoicing_organization_inventory"),
            path(
                "<path:object_id>/inventory/download.<str:export>",
                view(self.inventory_download_view),
                name="invoicing_organization_inventory_download",
            ),
            *super().get_urls(),
        ]

    def _viewable(self, request: HttpRequest, object_id: str) -> Organization:
        organization = self.get_object(request, object_id)  # within the user's organizations
        if organization is None or not self.has_view_permission(request, organization):
            raise Http404("No such organization.")
        return organization

    def inventory_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        organization = self._viewable(request, object_id)
        base = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": organization}
        return inventory_page(request, organization, base)

    def inventory_download_view(self, request: HttpRequest, object_id: str, export: str) -> HttpResponse:
        return inventory_download(request, self._viewable(request, object_id), export)

    @admin.display(description="emissions inventory")
    def inventory_link(self, organization: Organization) -> str:
        if organization.pk is None:
            return "-"
        url = reverse("admin:invoicing_organization_inventory", args=[organization.pk])
        return format_html('<a href="{}">Emissions inventory</a>', url)

    def organization_id_of(self, obj: models.Model) -> Any:
        return obj.pk

    # Creating and deleting tenants is for superusers; members may rename theirs.
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    @admin.display(description="API keys")
    def api_keys_link(self, organization: Organization) -> str:
        url = reverse("admin:invoicing_apikey_changelist") + f"?organization={organization.pk}"
        return format_html('<a href="{}">API keys</a>', url)


@admin.action(description="Revoke selected API keys (takes effect at once)")
def revoke_api_keys(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
    revoked = 0
    for api_key in queryset.filter(revoked_at__isnull=True):
        api_key_revoke(api_key=api_key)
        revoked += 1
    modeladmin.message_user(
        request, f"{counted(revoked, 'API key')} revoked; requests with them now fail.", messages.SUCCESS
    )


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    list_display = ("prefix", "name", "organization", "is_active", "created_at", "created_by", "last_used_at")
    list_select_related = ("organization", "created_by")
    list_filter = (OrganizationFilter,)
    search_fields = ("prefix", "name")
    actions = [revoke_api_keys]
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["organization", "name"]
        return ["organization", "name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.readonly_fields)
        return [*fields, "organization"] if obj is not None else fields

    @admin.display(boolean=True, description="active")
    def is_active(self, api_key: ApiKey) -> bool:
        return api_key.revoked_at is None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the row stays as the record of the key

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        created = api_key_create(organization=obj.organization, name=obj.name, created_by=request.user)  # type: ignore[arg-type]
        obj.pk = created.api_key.pk
        obj.prefix = created.api_key.prefix
        obj._state = created.api_key._state
        obj._plaintext = created.plaintext  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None) -> HttpResponse:
        # Rendered, not redirected: the secret must not travel through the session or a message cookie.
        context = {
            **self.admin_site.each_context(request),
            "title": "API key created",
            "opts": self.model._meta,
            "api_key": obj,
            "plaintext": getattr(obj, "_plaintext", ""),
            "organization_id": obj.organization_id,
        }
        response = TemplateResponse(request, "admin/invoicing/apikey/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        ids = organization_ids(request)
        return ids is None or bool(ids)
