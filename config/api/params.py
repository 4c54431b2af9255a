"""Strict query parameters: array parameters as `name[]` or `name`, unknown parameters rejected.

How a list view uses them (this is what `GET /v1/invoices` does)::

    class JobFilterSet(django_filters.FilterSet):
        status = MultiValueFilter(child=forms.ChoiceField(choices=JobStatus.choices), field_name="status")
        created_from = IsoDateFilter(field_name="created_at__date", lookup_expr="gte")
        sort = SortFilter(fields={"created_at": "created_at"}, default=("-created_at", "-id"))

    class JobViewSet(OrganizationScopedViewSet):       # config.api.viewsets
        filterset_class = JobFilterSet
        pagination_class = PagePagination

- The view (StrictQueryParamsMixin, part of OrganizationScopedViewSet) answers 400 VALIDATION_ERROR
  naming every parameter it does not know (the filterset's filters, the paginator's `page`/`size`
  and `extra_query_params`) and a scalar parameter given twice. It runs after authentication, so a
  bad key is still a 401. It hands the filterset the parameters with `name[]` read as `name`.
- `MultiValueFilter` accepts `name[]=a&name[]=b`, `name=a&name=b` and any mix; every value is
  cleaned by `child` and a bad one is reported under `name[]` with the value.
- `StrictFilterBackend` is django-filter's backend, given those parameters and reporting errors under
  the names clients send. Its schema extension (config.api.schema) documents array parameters as `name[]`.
- `SortFilter` sorts on the named fields (`-` for descending) with `id` as the tie-breaker, so
  paging never repeats or skips a row; without `sort` it applies `default`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

ARRAY_SUFFIX = "[]"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def choice_field(choices: Sequence[tuple[str, str]], **kwargs: Any) -> forms.ChoiceField:
    """A ChoiceField whose error lists the allowed values."""
    allowed = ", ".join(value for value, _ in choices)
    error = {"invalid_choice": f"%(value)s is not one of the allowed values: {allowed}."}
    return forms.ChoiceField(choices=choices, error_messages=error, **kwargs)


class IsoDateField(forms.DateField):
    """A date written YYYY-MM-DD; a well-formed date that does not exist (2023-02-29) is named as such."""

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if not ISO_DATE.match(text):
            raise forms.ValidationError(f"Enter a date as YYYY-MM-DD, not {text!r}.", code="invalid")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(f"{text} is not a date that exists.", code="invalid") from None


class IsoDateFilter(django_filters.Filter):
    field_class = IsoDateField


class UtcDayFilter(IsoDateFilter):
    """A day (UTC) bounding a timestamp field: with `lookup_expr="gte"` from its first second, with
    `"lte"` up to its last second."""

    def filter(self, qs: QuerySet[Any], value: date | None) -> QuerySet[Any]:
        if value is None:
            return qs
        if self.lookup_expr == "gte":
            return qs.filter(**{f"{self.field_name}__gte": _utc_midnight(value)})
        if value == date.max:
            return qs
        return qs.filter(**{f"{self.field_name}__lt": _utc_midnight(value + timedelta(days=1))})


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class MultiValueField(forms.Field):
    """A list of values, each cleaned by `child`. Errors name the offending value; duplicates are dropped."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, child: forms.Field, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.child = child

    def clean(self, value: Any) -> list[Any]:
        cleaned: list[Any] = []
        errors: list[str] = []
        for raw in value or []:
            try:
                cleaned.append(self.child.clean(raw.strip() if isinstance(raw, str) else raw))
            except forms.ValidationError as exc:
                errors.extend(f"{raw!r}: {message}" for message in exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return list(dict.fromkeys(cleaned))


class MultiValueFilter(django_filters.Filter):
    """`field_name IN (values)` by default; give `lookup_expr` or a `method` for anything else."""

    field_class = MultiValueField

    def __init__(self, *args: Any, child: forms.Field, **kwargs: Any) -> None:
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, child=child, **kwargs)

    def filter(self, qs: QuerySet[Any], value: list[Any]) -> QuerySet[Any]:
        if not value:
            return qs
        return super().filter(qs, value)


class SortFilter(django_filters.Filter):
    """`?sort=name` or `?sort=-name` over `fields` (API name → model field), with `id` as tie-breaker."""

    field_class = forms.ChoiceField

    def __init__(self, *, fields: Mapping[str, str], default: Sequence[str], **kwargs: Any) -> None:
        self.sort_fields = dict(fields)
        self.default_order = tuple(default)
        choices = [(c, c) for name in self.sort_fields for c in (name, f"-{name}")]
        allowed = ", ".join(value for value, _ in choices)
        error = {"invalid_choice": f"%(value)s is not one of the allowed values: {allowed}."}
        super().__init__(choices=choices, required=False, error_messages=error, **kwargs)

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs.order_by(*self.default_order)
        prefix = "-" if value.startswith("-") else ""
        return qs.order_by(f"{prefix}{self.sort_fields[value.lstrip('-')]}", f"{prefix}id")


def array_param_names(filterset_class: type[django_filters.FilterSet] | None) -> set[str]:
    if filterset_class is None:
        return set()
    return {name for name, f in filterset_class.base_filters.items() if isinstance(f, MultiValueFilter)}


def error_key(name: str, arrays: set[str]) -> str:
    """The name a client sent for a parameter: `type[]` for an array parameter."""
    return f"{name}{ARRAY_SUFFIX}" if name in arrays else name


def strict_query_params(params: QueryDict, *, arrays: set[str], scalars: set[str]) -> QueryDict:
    """`params` with `name[]` read as `name` for array parameters; ValidationError naming every
    unknown parameter and every scalar one given more than once."""
    normalized = QueryDict(mutable=True)
    errors: dict[str, list[str]] = {}
    for key, values in params.lists():
        name = key.removesuffix(ARRAY_SUFFIX) if key.endswith(ARRAY_SUFFIX) else key
        if name in arrays:
            normalized.setlist(name, normalized.getlist(name) + values)
        elif key in scalars:
            if len(values) > 1:
                errors[key] = [f"Give {key!r} once, not {len(values)} times."]
            normalized.setlist(key, values)
        else:
            errors[key] = [f"Unknown query parameter {key!r}."]
    if errors:
        raise exceptions.ValidationError(errors)
    return normalized


class StrictQueryParamsMixin:
    """Reject unknown query parameters on GET and HEAD (see the module docstring).

    Sets `query_data`: the parameters with bracket names normalised, for StrictFilterBackend.
    """

    extra_query_params: tuple[str, ...] = ()
    query_data: QueryDict

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("GET", "HEAD"):
            return
        scalars = set(self.extra_query_params)
        arrays: set[str] = set()
        if getattr(self, "action", None) == "list":
            filterset_class = getattr(self, "filterset_class", None)
            arrays = array_param_names(filterset_class)
            scalars |= set(filterset_class.base_filters) - arrays if filterset_class else set()
            paginator = getattr(self, "paginator", None)
            scalars |= set(paginator.query_params) if paginator is not None else set()
        self.query_data = strict_query_params(request.query_params, arrays=arrays, scalars=scalars)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend over the view's normalised parameters; errors under the names clients send."""

    def get_filterset_kwargs(self, request: Request, queryset: QuerySet[Any], view: APIView) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["data"] = getattr(view, "query_data", kwargs["data"])
        return kwargs

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            arrays = array_param_names(type(filterset))
            raise exceptions.ValidationError(
                {error_key(name, arrays): list(messages) for name, messages in filterset.errors.items()}
            )
        return filterset.qs
