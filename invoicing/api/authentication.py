"""API-key authentication with the `x-api-key` and `x-organization-id` headers."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from invoicing.errors import ApiErrorCode
from invoicing.models import ApiKey, Organization
from invoicing.services.organizations import api_key_digest, api_key_mark_used

# last_used_at is refreshed at most this often, so reads do not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class OrganizationForbidden(exceptions.PermissionDenied):
    default_code = ApiErrorCode.ORGANIZATION_FORBIDDEN
    default_detail = "This API key may not act for that organization."


@dataclass(frozen=True)
class ApiClient:
    """The caller of an API request (`request.user`): an organization acting through one of its keys."""

    api_key_id: uuid.UUID
    organization: Organization
    is_authenticated: bool = True

    @property
    def pk(self) -> uuid.UUID:
        return self.api_key_id

    @property
    def organization_id(self) -> uuid.UUID:
        return self.organization.pk  # type: ignore[no-any-return]


class ApiKeyAuthentication(BaseAuthentication):
    """One query per request (the key by its unique prefix, with its organization), never cached, so
    that revoking a key takes effect at once."""

    def authenticate(self, request: Request) -> tuple[ApiClient, uuid.UUID]:
        plaintext = request.headers.get("x-api-key", "").strip()
        if not plaintext:
            raise exceptions.NotAuthenticated("The x-api-key header is required.")
        key = ApiKey.objects.select_related("organization").filter(prefix=plaintext.split(".", 1)[0]).first()
        if key is None or not hmac.compare_digest(key.digest, api_key_digest(plaintext)) or not key.is_active:
            raise exceptions.AuthenticationFailed("The API key is unknown or revoked.")
        if "x-organization-id" not in request.headers:
            raise OrganizationForbidden("The x-organization-id header is required: the id of your organization.")
        if request.headers["x-organization-id"].strip() != str(key.organization_id):
            # Same answer for a malformed id, another organization or one that does not exist.
            raise OrganizationForbidden()
        if key.last_used_at is None or key.last_used_at < timezone.now() - LAST_USED_RESOLUTION:
            api_key_mark_used(api_key_id=key.id)
        return ApiClient(api_key_id=key.id, organization=key.organization), key.id

    def authenticate_header(self, request: Request) -> str:
        return "x-api-key"
