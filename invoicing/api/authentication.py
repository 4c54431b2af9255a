"""API-key authentication with the `x-api-key` and `x-organization-id` headers."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from invoicing.db import prepared_cursor
from invoicing.models import ApiKey, Organization
from invoicing.services.organizations import api_key_digest

# last_used_at is refreshed at most this often, so reads do not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

# One query on every request, never cached, so revoking a key takes effect at once: the key's
# columns authentication needs and its whole organization. Plain SQL and `from_db` rather than a
# select_related queryset, whose compilation cost more than running it; a prepared statement,
# since one plan (the unique prefix index) suits every key.
_KEY_FIELDS = [
    f.attname
    for f in ApiKey._meta.concrete_fields
    if f.attname in {"id", "organization_id", "prefix", "digest", "last_used_at", "revoked_at"}
]
_ORGANIZATION_FIELDS = [f.attname for f in Organization._meta.concrete_fields]


def _lookup_sql() -> str:
    key, organization = ApiKey._meta, Organization._meta
    key_column = {f.attname: f.column for f in key.concrete_fields}
    columns = [f'k."{key_column[name]}"' for name in _KEY_FIELDS]
    columns += [f'o."{f.column}"' for f in organization.concrete_fields]
    join = f'o."{organization.pk.column}" = k."{key_column["organization_id"]}"'
    return (
        f'SELECT {", ".join(columns)} FROM "{key.db_table}" k JOIN "{organization.db_table}" o ON {join}'
        f' WHERE k."{key_column["prefix"]}" = %s'
    )


_LOOKUP_SQL = _lookup_sql()


def _api_key_with_organization(prefix: str) -> ApiKey | None:
    with prepared_cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(_KEY_FIELDS)
    api_key = ApiKey.from_db(connection.alias, _KEY_FIELDS, row[:split])
    api_key.organization = Organization.from_db(connection.alias, _ORGANIZATION_FIELDS, row[split:])
    return api_key


class OrganizationForbidden(exceptions.PermissionDenied):
    default_code = "ORGANIZATION_FORBIDDEN"
    default_detail = "This API key may not act for that organization."


@dataclass(frozen=True)
class ApiClient:
    """The caller of an API request: an organization acting through one of its keys."""

    organization: Organization
    api_key: ApiKey
    is_authenticated: bool = True

    @property
    def pk(self) -> uuid.UUID:
        return self.api_key.pk


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiClient, ApiKey]:
        # META rather than request.headers, which copies every header of the request first.
        plaintext = request.META.get("HTTP_X_API_KEY", "").strip()
        if not plaintext:
            raise exceptions.NotAuthenticated("The x-api-key header is required.")
        prefix = plaintext.split(".", 1)[0]
        api_key = _api_key_with_organization(prefix)
        if (
            api_key is None
            or not hmac.compare_digest(api_key.digest, api_key_digest(plaintext))
            or api_key.revoked_at is not None
        ):
            raise exceptions.AuthenticationFailed("The API key is unknown or revoked.")
        if request.META.get("HTTP_X_ORGANIZATION_ID", "").strip() != str(api_key.organization_id):
            # Same answer for a malformed id, another organization or one that does not exist.
            raise OrganizationForbidden()
        self._touch(api_key)
        return ApiClient(organization=api_key.organization, api_key=api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return "x-api-key"

    @staticmethod
    def _touch(api_key: ApiKey) -> None:
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
