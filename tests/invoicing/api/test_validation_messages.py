"""What a client is told when a value is wrong: every refusal names the parameter or field and says
what would be right (allowed values, the date that does not exist, the CUPS check letters), and
values are read as their JSON type and as sent, never coerced."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from invoicing.choices import ActivityCategory, InvoiceSource, InvoiceStatus, InvoiceType
from invoicing.models import Facility, Invoice, SupplyContract
from jobs.models import JobStatus
from tests import factories
from tests.factories import make_invoice, supplier

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def errors_of(response: Any, status: int = 400) -> dict[str, list[str]]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    return body["errors"]  # type: ignore[no-any-return]


def invoice_body(tenant, **overrides: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return factories.invoice_body(tenant.facility, **{"quantity": 1500.25, **overrides})


def contract_body(tenant, **overrides: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "facility_id": str(tenant.facility.id),
        "supplier_id": str(supplier("endesa-energia").id),
        "start_date": "2024-01-01",
        **overrides,
    }


# --- choices ---------------------------------------------------------------------------------


def test_a_bad_sort_lists_the_sort_values_there_are(acme_api):
    [message] = errors_of(acme_api.get("/v1/invoices", {"sort": "co2e"}))["sort"]
    assert message == (
        "'co2e' is not one of the allowed values: start_date, -start_date, end_date, -end_date, "
        "created_at, -created_at, quantity, -quantity, invoice_id, -invoice_id."
    )


@pytest.mark.parametrize(
    ("path", "param", "allowed"),
    [
        ("/v1/invoices", "type[]", InvoiceType.values),
        ("/v1/invoices", "status[]", InvoiceStatus.values),
        ("/v1/invoices", "source[]", InvoiceSource.values),
        ("/v1/invoices", "co2e_status", ["calculated", "not_calculated"]),
        ("/v1/processing-jobs", "status[]", JobStatus.values),
        ("/v1/processing-jobs", "activity_category[]", ActivityCategory.values),
    ],
)
def test_every_choice_parameter_lists_its_allowed_values(acme_api, path, param, allowed):
    [message] = errors_of(acme_api.get(path, {param: "nonsense"}))[param]
    assert "'nonsense' is not one of the allowed values" in message
    assert all(value in message for value in allowed)


@pytest.mark.parametrize(
    ("field", "allowed"),
    [("type", InvoiceType.values), ("status", InvoiceStatus.values), ("source", InvoiceSource.values)],
)
def test_every_choice_field_of_a_body_lists_its_allowed_values(acme, acme_api, field, allowed):
    [message] = errors_of(acme_api.post("/v1/invoices", invoice_body(acme, **{field: "nonsense"})))[field]
    assert message.startswith("'nonsense' is not one of the allowed values: ")
    assert all(value in message for value in allowed)


def test_a_correction_and_a_recalculation_list_the_allowed_values_too(acme, acme_api):
    invoice = make_invoice(acme.facility)
    [message] = errors_of(acme_api.patch(f"/v1/invoices/{invoice.id}", {"status": "paid"}))["status"]
    assert all(value in message for value in InvoiceStatus.values)
    body = {"invoice_ids": [str(invoice.id)], "activity_categories": ["scope4"]}
    [message] = errors_of(acme_api.post("/v1/invoices/recalculate", body))["activity_categories.0"]
    assert all(value in message for value in ActivityCategory.values)


# --- CUPS ------------------------------------------------------------------------------------

WRONG_LETTERS = "ES0021000000000001XX"  # the digits of ES0021000000000001RK with other letters


def test_a_cups_with_wrong_check_letters_says_so_in_the_query(acme_api):
    [message] = errors_of(acme_api.get("/v1/invoices", {"cups[]": WRONG_LETTERS}))["cups[]"]
    assert message == f"'{WRONG_LETTERS}': Wrong check letters: XX do not match the digits 0021000000000001 " + (
        "(a typo in either?)."
    )


@pytest.mark.parametrize(
    ("path", "body_of"),
    [
        ("/v1/invoices", lambda tenant, cups: invoice_body(tenant, cups=cups)),
        ("/v1/supply-contracts", lambda tenant, cups: contract_body(tenant, cups=cups)),
        ("/v1/facilities", lambda tenant, cups: {"name": "Sevilla plant", "country": "ES", "cups": [cups]}),
    ],
)
def test_a_cups_with_wrong_check_letters_says_so_in_every_body(acme, acme_api, path, body_of):
    [message] = errors_of(acme_api.post(path, body_of(acme, WRONG_LETTERS)))["cups"]
    assert "Wrong check letters: XX do not match the digits 0021000000000001" in message
    [message] = errors_of(acme_api.post(path, body_of(acme, "ES00210000000000")))["cups"]
    assert "Not a CUPS: expected ES, 16 digits and 2 check letters" in message


def test_a_cups_with_digits_of_another_script_is_refused_not_a_500(acme, acme_api):
    arabic_indic = "ES" + "\u0660" * 15 + "\u0661" + "TR"  # int() reads these digits as 1, the database does not
    assert "cups" in errors_of(acme_api.post("/v1/invoices", invoice_body(acme, cups=arabic_indic)))
    assert "cups[]" in errors_of(acme_api.get("/v1/invoices", {"cups[]": arabic_indic}))


# --- dates and integers ----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "param"), [("/v1/invoices", "end_date"), ("/v1/invoices", "uploaded_to")])
def test_a_date_that_does_not_exist_is_named_in_a_query(acme_api, path, param):
    assert errors_of(acme_api.get(path, {param: "2023-02-29"})) == {param: ["2023-02-29 is not a date that exists."]}


@pytest.mark.parametrize(
    ("path", "body_of"),
    [
        ("/v1/invoices", lambda tenant: invoice_body(tenant, start_date="2023-02-29")),
        ("/v1/supply-contracts", lambda tenant: contract_body(tenant, start_date="2023-02-29")),
    ],
)
def test_a_date_that_does_not_exist_is_named_in_a_body(acme, acme_api, path, body_of):
    assert errors_of(acme_api.post(path, body_of(acme)))["start_date"] == ["2023-02-29 is not a date that exists."]


@pytest.mark.parametrize("value", ["2024-1-5", "2024-01-01T12:00:00", "2024-01-01T23:59:59", " 2024-01-01", 20240101])
def test_a_period_start_is_a_date_or_the_date_as_the_api_writes_it(acme, acme_api, value):
    assert "start_date" in errors_of(acme_api.post("/v1/invoices", invoice_body(acme, start_date=value)))


def test_a_period_in_the_first_years_is_written_with_four_digit_years(acme, acme_api):
    # Stored before the plausibility rules (a legacy row): the API refuses such a period today.
    invoice = make_invoice(acme.facility, start_date=date(1, 1, 1), end_date=date(1, 1, 31))
    body = acme_api.get(f"/v1/invoices/{invoice.id}").json()
    assert (body["start_date"], body["end_date"]) == ("0001-01-01T00:00:00", "0001-01-31T23:59:59")


@pytest.mark.parametrize(
    ("param", "value"),
    [("page", "1_0"), ("size", "1_0"), ("page", "+1"), ("uploaded_by[]", "1_0"), ("uploaded_by[]", "\u0663")],
)
def test_integers_are_digits_only(acme_api, param, value):
    assert list(errors_of(acme_api.get("/v1/invoices", {param: value}))) == [param]


def test_a_page_number_of_thousands_of_digits_is_refused_not_a_500(acme_api):
    assert list(errors_of(acme_api.get("/v1/invoices", {"page": "9" * 5000}))) == ["page"]


# --- empty values, JSON types, unknown parameters --------------------------------------------


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/v1/invoices", "end_date"),
        ("/v1/invoices", "uploaded_to"),
        ("/v1/invoices", "invoice_id"),
        ("/v1/invoices", "sort"),
        ("/v1/invoices", "type[]"),
        ("/v1/invoices", "page"),
        ("/v1/processing-jobs", "created_to"),
    ],
)
def test_an_empty_query_value_is_refused_naming_the_parameter(acme_api, path, param):
    assert errors_of(acme_api.get(f"{path}?{param}=")) == {
        param: ["Empty value: give a value or leave the parameter out."]
    }


@pytest.mark.parametrize("value", [0, 1, "true", "false", "yes", None])
def test_a_boolean_is_a_json_boolean(acme, acme_api, value):
    body = contract_body(acme, covered_by_guarantees_of_origin=value)
    assert list(errors_of(acme_api.post("/v1/supply-contracts", body))) == ["covered_by_guarantees_of_origin"]
    assert SupplyContract.objects.count() == 1  # the tenant's own


@pytest.mark.parametrize("value", [True, False])
def test_json_booleans_are_accepted(acme, acme_api, value):
    response = acme_api.post("/v1/supply-contracts", contract_body(acme, covered_by_guarantees_of_origin=value))
    assert response.status_code == 201, response.content
    assert response.json()["covered_by_guarantees_of_origin"] is value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "12.5"),
        ("quantity", True),
        ("invoice_id", 12345),
        ("facility_id", 5),
        ("unit_id", "urn:uuid:" + str(uuid.uuid4())),
        ("unit_id", uuid.uuid4().hex),
        ("type", ["electricity"]),
    ],
)
def test_a_body_field_of_another_json_type_or_form_is_refused(acme, acme_api, field, value):
    assert field in errors_of(acme_api.post("/v1/invoices", invoice_body(acme, **{field: value})))
    assert Invoice.objects.count() == 0


def test_facility_names_and_recalculated_ids_are_json_strings(acme, acme_api):
    assert "name" in errors_of(acme_api.post("/v1/facilities", {"name": 123, "country": "ES"}))
    assert "name" in errors_of(acme_api.post("/v1/facilities", {"name": "   ", "country": "ES"}))
    body = {"invoice_ids": [123], "activity_categories": ["energy"]}
    assert "invoice_ids.0" in errors_of(acme_api.post("/v1/invoices/recalculate", body))


@pytest.mark.parametrize(("method", "path"), [("post", "/v1/invoices?dry_run=1"), ("delete", "/v1/invoices/{id}?x=1")])
def test_query_parameters_of_writes_are_never_dropped(acme, acme_api, method, path):
    invoice = make_invoice(acme.facility)
    response = acme_api.request(method, path.format(id=invoice.id), invoice_body(acme))
    assert list(errors_of(response)) == [path.rsplit("?", 1)[1].split("=")[0]]
    assert Invoice.objects.filter(pk=invoice.id).exists()


def test_a_format_parameter_is_an_unknown_parameter_not_a_404(acme_api):
    assert errors_of(acme_api.get("/v1/invoices", {"format": "xml"})) == {
        "format": ["Unknown query parameter 'format'."]
    }


def test_a_method_an_endpoint_lacks_is_a_405_whatever_its_parameters(acme_api):
    response = acme_api.request("put", "/v1/invoices?sort=quantity&typo=1", {})
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


# --- countries -------------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["zz", "UK", "XX", "E1"])
def test_a_country_is_an_iso_3166_alpha_2_code(acme_api, country):
    [message] = errors_of(acme_api.post("/v1/facilities", {"name": "Somewhere", "country": country}))["country"]
    assert "is not an ISO 3166-1 alpha-2 country code" in message
    assert not Facility.objects.filter(name="Somewhere").exists()


@pytest.mark.parametrize(("country", "stored"), [("gb", "GB"), ("Fr", "FR"), ("PT", "PT")])
def test_country_codes_are_read_in_any_case(acme_api, country, stored):
    response = acme_api.post("/v1/facilities", {"name": f"Site in {stored}", "country": country})
    assert response.status_code == 201, response.content
    assert response.json()["country"] == stored


# --- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "hint"),
    [
        ("get", "/v1/invoices/", "/v1/invoices"),
        ("post", "/v1/invoices/", "/v1/invoices"),
        ("get", "/v1/units/", "/v1/units"),
        ("get", f"/v1/invoices/{uuid.UUID(int=1)}/", f"/v1/invoices/{uuid.UUID(int=1)}"),
    ],
)
def test_a_path_with_or_without_a_trailing_slash_names_the_one_that_exists(acme, method, path, hint):
    response = ApiClient(acme).request(method, path, {})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "NOT_FOUND", "detail": f"Not found. Did you mean {hint}?"}


def test_the_schema_without_its_slash_redirects_to_it(acme_api):
    response = acme_api.get("/v1/schema")  # Django's APPEND_SLASH, as for any page that ends in a slash
    assert (response.status_code, response["Location"]) == (301, "/v1/schema/")


def test_a_path_that_exists_in_no_form_is_a_plain_404(acme_api):
    assert acme_api.get("/v1/nothing/").json() == {"code": "NOT_FOUND", "detail": "Not found."}
