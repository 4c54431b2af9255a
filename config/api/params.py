"""Strict query parameters: array parameters as `name[]` or `name`, unknown parameters rejected.

How a list view uses them (this is what `GET /v1/invoices` does)::

    class JobFilterSet(django_filters.FilterSet):
        status = MultiValueFilter(child=choice_field(JobStatus.choices), field_name="status")
        created_from = IsoDateFilter(field_name="created_at__date", lookup_expr="gte")
        sort = SortFilter(fields={"created_at": "created_at"}, default=("-created_at", "-id"))

    class JobViewSet(OrganizationScopedViewSet):       # config.api.viewsets
        filterset_class = JobFilterSet
        pagination_class = PagePagination

- The view (StrictQueryParamsMixin, part of OrganizationScopedViewSet) answers 400 VALIDATION_ERROR
  naming every parameter it does not know (the filterset's filters, the paginator's `page`/`size`
  and `extra_query_params`; none on writes), every empty value (`end_date=`) and a scalar parameter
  given twice. It runs after authentication, so a bad key is still a 401. It hands the filterset the
  parameters with `name[]` read as `name`.
- Values are read as sent (never stripped) by the parsers of config.api.formats, through the form
  fields here (`IsoDateField`, `UuidField`, `WholeNumberField`, `AllowedValueField`, `TextField`);
  each field also gives its JSON Schema (`openapi_schema()`), so the schema says what is checked.
- `MultiValueFilter` accepts `name[]=a&name[]=b`, `name=a&name=b` and any mix; every value is
  cleaned by `child` and a bad one is reported under `name[]` with the value.
- `StrictFilterBackend` is django-filter's backend, given those parameters and reporting errors under
  the names clients send. Its schema extension (config.api.schema) documents array parameters as `name[]`.
- `SortFilter` sorts on the named fields (`-` for descending) with `id` as the tie-breaker, so
  paging never repeats or skips a row; without `sort` it applies `default`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

from .formats import (
    DATE_SCHEMA,
    POSTGRES_INTEGER_MAX,
    TEXT_PATTERN,
    UUID_SCHEMA,
    not_one_of,
    parse_iso_date,
    parse_uuid,
    parse_whole_number,
    whole_number_schema,
)

ARRAY_SUFFIX = "[]"
EMPTY_VALUE_MESSAGE = "Empty value: give a value or leave the parameter out."


class _ParsedField(forms.Field):
    """A form field whose value is read by one of config.api.formats' parsers (as sent, never stripped)."""

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def openapi_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            return value
        try:
            return self.parse(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class IsoDateField(_ParsedField):
    """A date written YYYY-MM-DD; a well-formed date that does not exist (2023-02-29) is named as such."""

    def parse(self, text: str) -> date:
        return parse_iso_date(text)

    def openapi_schema(self) -> dict[str, Any]:
        return dict(DATE_SCHEMA)


class UuidField(_ParsedField):
    """A UUID in its usual 8-4-4-4-12 form."""

    def parse(self, text: str) -> Any:
        return parse_uuid(text)

    def openapi_schema(self) -> dict[str, Any]:
        return dict(UUID_SCHEMA)


class WholeNumberField(_ParsedField):
    """A whole number from 1 to `maximum` (a PostgreSQL integer by default), in digits only."""

    def __init__(self, *, maximum: int = POSTGRES_INTEGER_MAX, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.maximum = maximum

    def parse(self, text: str) -> int:
        return parse_whole_number(text, maximum=self.maximum)

    def openapi_schema(self) -> dict[str, Any]:
        return whole_number_schema(maximum=self.maximum)


class AllowedValueField(forms.ChoiceField):
    """One of fixed values; the error lists them all."""

    def validate(self, value: Any) -> None:
        if value not in self.empty_values and not self.valid_value(value):
            raise forms.ValidationError(not_one_of(value, self.allowed_values()), code="invalid_choice")
        super().validate(value)

    def allowed_values(self) -> list[str]:
        return [str(value) for value, _ in self.choices if value != ""]  # type: ignore[misc,union-attr]

    def openapi_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": self.allowed_values()}


class TextField(forms.CharField):
    """Free text, as sent (not stripped)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def openapi_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": TEXT_PATTERN}
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        return schema


def choice_field(choices: Sequence[tuple[str, str]], **kwargs: Any) -> AllowedValueField:
    """A field for one of `choices` whose error lists the allowed values."""
    return AllowedValueField(choices=choices, **kwargs)


class IsoDateFilter(django_filters.Filter):
    field_class = IsoDateField


class ChoiceFilter(django_filters.Filter):
    """One of `choices`; give a `method` to say what each means."""

    field_class = AllowedValueField


class TextFilter(django_filters.Filter):
    field_class = TextField


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
                cleaned.append(self.child.clean(raw))
            except forms.ValidationError as exc:
                # Each message names the value it refuses: most say it themselves.
                errors.extend(message if str(raw) in message else f"{raw!r}: {message}" for message in exc.messages)
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

    field_class = AllowedValueField

    def __init__(self, *, fields: Mapping[str, str], default: Sequence[str], **kwargs: Any) -> None:
        self.sort_fields = dict(fields)
        self.default_order = tuple(default)
        choices = [(c, c) for name in self.sort_fields for c in (name, f"-{name}")]
        super().__init__(choices=choices, required=False, **kwargs)

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


def form_errors(errors: dict[str, Any], arrays: set[str]) -> dict[str, list[str]]:
    """A form's (or FilterSet's) errors under the parameter names clients send (`type[]` for arrays)."""
    return {error_key(name, arrays): [str(message) for message in messages] for name, messages in errors.items()}


def strict_query_params(params: QueryDict, *, arrays: set[str], scalars: set[str]) -> QueryDict:
    """`params` with `name[]` read as `name` for array parameters; ValidationError naming every
    unknown parameter, every empty value and every scalar parameter given more than once."""
    normalized = QueryDict(mutable=True)
    errors: dict[str, list[str]] = {}
    for key, values in params.lists():
        name = key.removesuffix(ARRAY_SUFFIX) if key.endswith(ARRAY_SUFFIX) else key
        if (name in arrays or key in scalars) and "" in values:
            errors[key] = [EMPTY_VALUE_MESSAGE]
        elif name in arrays:
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
    """Reject unknown query parameters, whatever the method (see the module docstring).

    Sets `query_data`: the parameters with bracket names normalised, for StrictFilterBackend.
    """

    extra_query_params: tuple[str, ...] = ()
    array_query_params: tuple[str, ...] = ()  # sent as `name[]` or `name`, repeatable (views without a filterset)
    query_data: QueryDict

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        # DRF reads `?format=` to pick a renderer and answers 404 when none has that name; here
        # `format` is a query parameter like any other, and an unknown one.
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc,no-any-return]
        except Http404:
            raise exceptions.ValidationError({"format": ["Unknown query parameter 'format'."]}) from None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not hasattr(self, str(request.method).lower()):
            return  # a method the view does not handle: 405, whatever the parameters
        scalars = set(self.extra_query_params)
        arrays: set[str] = set(self.array_query_params)
        if getattr(self, "action", None) == "list":
            filterset_class = getattr(self, "filterset_class", None)
            arrays |= array_param_names(filterset_class)
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
            raise exceptions.ValidationError(form_errors(filterset.errors, array_param_names(type(filterset))))
        return filterset.qs
