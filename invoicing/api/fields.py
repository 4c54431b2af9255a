"""Request fields of the invoicing domain (bodies and query parameters): CUPS and country codes,
checked by the domain's own rules."""

from __future__ import annotations

from typing import Any

from django import forms
from rest_framework import serializers

from config.api.fields import StrictCharField, StrictListField
from invoicing.countries import COUNTRY_INPUT_PATTERN, country_error
from invoicing.cups import CUPS_INPUT_PATTERN, cups_from_input


class CupsField(StrictCharField):
    """A CUPS in any case, without spaces; stored upper-case. The error says whether the shape or the
    check letters are wrong (invoicing.cups). With `allow_blank`, "" means none."""

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if text == "":
            return text
        try:
            return cups_from_input(text)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def openapi_schema(self) -> dict[str, Any]:
        # With allow_blank, drf-spectacular adds "" as an alternative.
        return {"type": "string", "pattern": f"^{CUPS_INPUT_PATTERN}$", "example": "ES0021000000000001RK"}


class CountryField(StrictCharField):
    """An ISO 3166-1 alpha-2 country code in any case (invoicing.countries); upper-cased."""

    def to_internal_value(self, data: Any) -> str:
        code = super().to_internal_value(data)
        code = code.upper() if code.isascii() else code
        problem = country_error(code)
        if problem is not None:
            raise serializers.ValidationError(problem)
        return code

    def openapi_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": COUNTRY_INPUT_PATTERN, "example": "ES"}


class CupsListField(StrictListField):
    """A list of CUPS; errors are listed under the field, each naming its code (as the query's `cups[]`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=CupsField(), **kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        codes: list[str] = []
        errors: list[str] = []
        for item in data:
            try:
                codes.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                errors.extend(f"{item!r}: {message}" for message in exc.detail)  # type: ignore[union-attr]
        if errors:
            raise serializers.ValidationError(errors)
        return codes


class CupsParamField(forms.CharField):
    """A CUPS as a query value (`cups[]`), read as CupsField reads it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        try:
            return cups_from_input(super().clean(value))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def openapi_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^{CUPS_INPUT_PATTERN}$", "example": "ES0021000000000001RK"}
