from __future__ import annotations

from django.conf import settings
from django.db import models

from .base import TimestampedModel, UUIDModel, country_code_check


class Organization(TimestampedModel):
    """The tenant: every invoice, facility, job and API key belongs to one."""

    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2; picks default factors.")

    class Meta:
        ordering = ["name"]
        constraints = [country_code_check()]

    def __str__(self) -> str:
        return self.name


class Membership(UUIDModel):
    """A staff user's access to an organization (admin scoping)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="invoicing_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class ApiKey(UUIDModel):
    """An organization's API key. Only the prefix is readable; the secret is kept as a SHA-256 digest."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
