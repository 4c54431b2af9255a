from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone


def in_choices(field: str, choices: type[models.TextChoices], *, nullable: bool = False) -> models.CheckConstraint:
    """A CHECK constraint keeping `field` within the values of `choices` (and NULL when allowed)."""
    condition = models.Q(**{f"{field}__in": choices.values})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"%(app_label)s_%(class)s_{field}_valid")


def country_code_check(field: str = "country") -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__regex": r"^[A-Z]{2}$"}),
        name=f"%(app_label)s_%(class)s_{field}_iso2",
    )


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class TimestampedModel(UUIDModel):
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False, db_index=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        abstract = True
