"""`Idempotency-Key` support: the first response to a key is stored and replayed to retries.

A key is claimed by inserting its row inside the request's transaction; a concurrent request with
the same key waits on that row and then sees the stored response. If the request fails with an
error, the transaction rolls back and the key is free again (errors are not replayed).
Keys are kept IDEMPOTENCY_KEY_RETENTION_HOURS (at least 24) and then purged by the reconciler.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from invoicing.errors import IdempotencyKeyMismatch, ValidationError
from invoicing.models import Organization
from jobs.models import IdempotencyKey

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any


def request_fingerprint(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)  # Decimal: its digits
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_key_claim(*, organization: Organization, key: str, payload: Any) -> StoredResponse | None:
    """Within a transaction: None if the key is new (now reserved), else the stored response to replay."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            "The Idempotency-Key header must be 1 to 255 characters.",
            errors={"Idempotency-Key": [f"Must be 1 to {MAX_KEY_LENGTH} characters."]},
        )
    fingerprint = request_fingerprint(payload)
    retention = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    IdempotencyKey.objects.filter(organization=organization, key=key, created_at__lt=retention).delete()
    row, created = IdempotencyKey.objects.get_or_create(
        organization=organization, key=key, defaults={"request_hash": fingerprint}
    )
    if created:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyKeyMismatch(
            "This Idempotency-Key was already used with a different request body.", idempotency_key=key
        )
    return StoredResponse(status=row.response_status or 202, body=row.response_body)


def idempotency_key_store(*, organization: Organization, key: str, status: int, body: Any) -> None:
    IdempotencyKey.objects.filter(organization=organization, key=key).update(response_status=status, response_body=body)


def idempotency_keys_purge() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
