from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from invoicing.countries import country_error
from invoicing.errors import ValidationError
from invoicing.models import ApiKey, Membership, Organization

API_KEY_PREFIX_LENGTH = 12


def api_key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKey
    plaintext: str  # shown once, never stored


def organization_get_or_create(*, name: str, country: str | None = None) -> tuple[Organization, bool]:
    """(organization, created): the organization of this name, matched without regard to case or repeated
    spaces, or a new one in `country` (default ES).

    ValidationError for a blank name, a country that is not an ISO 3166-1 alpha-2 code, or a country
    that contradicts the one of the organization found.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Organization name is required.", errors={"name": ["This field is required."]})
    if country is not None:
        country = country.strip().upper()
        problem = country_error(country)
        if problem is not None:
            raise ValidationError(problem, errors={"country": [problem]})
    existing = Organization.objects.filter(name__iexact=name).first()
    if existing is not None:
        if country is not None and country != existing.country:
            raise ValidationError(
                f"{existing.name} already exists with country {existing.country}, not {country}.",
                errors={"country": [f"The organization's country is {existing.country}."]},
            )
        return existing, False
    return Organization.objects.create(name=name, country=country or "ES"), True


def api_key_create(
    *, organization: Organization, name: str = "default", created_by: User | None = None
) -> CreatedApiKey:
    """Create a key. The plaintext is `<prefix>.<secret>`; only the prefix and a SHA-256 digest are kept."""
    prefix = "ik_" + secrets.token_hex((API_KEY_PREFIX_LENGTH - 3 + 1) // 2)[: API_KEY_PREFIX_LENGTH - 3]
    plaintext = f"{prefix}.{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=prefix,
        digest=api_key_digest(plaintext),
        created_by=created_by,
    )
    return CreatedApiKey(api_key=api_key, plaintext=plaintext)


def api_key_mark_used(*, api_key_id: uuid.UUID) -> None:
    ApiKey.objects.filter(pk=api_key_id).update(last_used_at=timezone.now())


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


@transaction.atomic
def membership_grant(*, user: User, organization: Organization) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, organization=organization)
    return membership
