"""API-key authentication with the `x-api-key` and `x-organization-id` headers."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any

from django.db import connection
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from invoicing.db import fetch_one
from invoicing.errors import ApiErrorCode
from invoicing.models import ApiKey, Organization
from invoicing.services.organizations import api_key_digest, api_key_mark_used

# last_used_at is refreshed at most this often, so reads do not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

# One query on every request, never cached, so revoking a key takes effect at once. It answers what
# authentication needs (the digest, whether the key is revoked, whether last_used_at is due) and
# the key's organization, with its timestamps deferred: no request reads them, and loading them
# cost 2% of a list request. Plain SQL and `from_db` rather than a select_related queryset, whose
# compilation cost more than running it; a prepared statement, since one plan (the unique prefix
# index) suits every key.
_ORGANIZATION_FIELDS = [
    f.attname for f in Organization._meta.concrete_fields if f.attname not in {"created_at", "updated_at"}
]
_ORGANIZATION_ID = _ORGANIZATION_FIELDS.index(Organization._meta.pk.attname)


def _lookup_sql() -> str:
    key, organization = ApiKey._meta, Organization._meta
    column = {f.attname: f'k."{f.column}"' for f in key.concrete_fields}
    due = f"now() - interval '{int(LAST_USED_RESOLUTION.total_seconds())} seconds'"
    columns = [
        column["id"],
        column["digest"],
        f"{column['revoked_at']} IS NOT NULL",
        f"{column['last_used_at']} IS NULL OR {column['last_used_at']} < {due}",
        *(f'o."{f.column}"' for f in organization.concrete_fields if f.attname in _ORGANIZATION_FIELDS),
    ]
    return (
        f'SELECT {", ".join(columns)} FROM "{key.db_table}" k JOIN "{organization.db_table}" o'
        f' ON o."{organization.pk.column}" = {column["organization_id"]} WHERE {column["prefix"]} = %s'
    )


_LOOKUP_SQL = _lookup_sql()


@dataclass(frozen=True)
class _KeyMatch:
    id: uuid.UUID
    digest: str
    revoked: bool
    last_used_due: bool  # last used longer ago than LAST_USED_RESOLUTION, or never
    organization_values: tuple[Any, ...]  # _ORGANIZATION_FIELDS


def _api_key_match(prefix: str) -> _KeyMatch | None:
    row = fetch_one(_LOOKUP_SQL, [prefix])
    if row is None:
        return None
    key_id, digest, revoked, last_used_due, *organization_values = row
    return _KeyMatch(key_id, digest, revoked, last_used_due, tuple(organization_values))


class OrganizationForbidden(exceptions.PermissionDenied):
    default_code = ApiErrorCode.ORGANIZATION_FORBIDDEN
    default_detail = "This API key may not act for that organization."


@dataclass(frozen=True)
class ApiClient:
    """The caller of an API request: an organization acting through one of its keys."""

    api_key_id: uuid.UUID
    organization_values: tuple[Any, ...]  # as the key lookup read them: _ORGANIZATION_FIELDS
    is_authenticated: bool = True

    @property
    def pk(self) -> uuid.UUID:
        return self.api_key_id

    @property
    def organization_id(self) -> uuid.UUID:
        return self.organization_values[_ORGANIZATION_ID]  # type: ignore[no-any-return]

    @cached_property
    def organization(self) -> Organization:
        # Built when a view asks: the list reads only the id (a model instance is 3% of its work).
        return Organization.from_db(connection.alias, _ORGANIZATION_FIELDS, self.organization_values)


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiClient, uuid.UUID]:
        # META rather than request.headers, which copies every header of the request first.
        plaintext = request.META.get("HTTP_X_API_KEY", "").strip()
        if not plaintext:
            raise exceptions.NotAuthenticated("The x-api-key header is required.")
        key = _api_key_match(plaintext.split(".", 1)[0])
        if key is None or not hmac.compare_digest(key.digest, api_key_digest(plaintext)) or key.revoked:
            raise exceptions.AuthenticationFailed("The API key is unknown or revoked.")
        client = ApiClient(api_key_id=key.id, organization_values=key.organization_values)
        if request.META.get("HTTP_X_ORGANIZATION_ID", "").strip() != str(client.organization_id):
            # Same answer for a malformed id, another organization or one that does not exist.
            raise OrganizationForbidden()
        if key.last_used_due:
            api_key_mark_used(api_key_id=key.id)
        return client, key.id

    def authenticate_header(self, request: Request) -> str:
        return "x-api-key"
