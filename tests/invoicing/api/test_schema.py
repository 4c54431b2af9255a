"""The OpenAPI schema is valid, says what the server does, and the API keeps to it.

`test_the_api_never_fails_and_keeps_to_its_schema` and `test_sequences_of_calls_keep_to_the_schema` are a bounded
schemathesis run with every built-in check (as `schemathesis run --checks all`): examples, coverage
and fuzzing phases per operation, then the stateful phase over links schemathesis infers. One
check is adapted: `positive_data_acceptance` also accepts a 400 whose every error is a rule about
stored data (an id that must name a row of the organization, an end before a start, check letters),
which no schema can state; any other refusal of a schema-valid request still fails (see
`refused_only_by_rules_on_stored_data`).
"""

from __future__ import annotations

import functools
import itertools
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from config.api.formats import EXISTING_DATE, UUID_TEXT
from invoicing.models import FacilityFuel, Organization, catalog_uuid
from invoicing.services.organizations import api_key_create, api_key_mark_used
from tests.factories import fuel, make_contract, make_facility, make_invoice

pytestmark = pytest.mark.django_db

# Refusals of a schema-valid request that only stored data explains: field → message patterns.
RULES_ON_STORED_DATA: dict[str, tuple[str, ...]] = {
    "facility_id": (r"^No facility with this id in your organization\.$",),
    "facility_id[]": (r"^Value \d+: No facility with this id in your organization\.$",),
    "unit_id": (r"^Unknown unit\.$", r"^An? \w+ invoice needs a unit of "),
    "supplier_id": (r"^Unknown supplier[.;]", r"^Differs from the supply contract's supplier; "),
    "supply_contract_id": (
        r"^No supply contract with this id in your organization; ",
        r"^Only electricity invoices have a supply contract; ",
        r"^The contract belongs to another facility; ",
        r" supply contracts of the facility are in force from ",
    ),
    "facility_fuel_id": (
        r"^No facility fuel with this id in your organization; ",
        r"^Only heat invoices have a facility fuel; ",
        r"^The fuel belongs to another facility; ",
        r"^A heat invoice needs the facility fuel it was billed for; ",
    ),
    "fuel_id": (r"^Unknown stationary fuel\.$",),
    # Plausible periods (invoicing.invoice_rules) depend on today's date and on both dates together.
    "start_date": (r" is not a plausible billing date; ",),
    "end_date": (
        r"^Must not be before start_date\.$",
        r" is not a plausible billing date; ",
        r" is before the start date ",
        r" lasts \d+ days; expected at most ",
    ),
    "kwh_per_m3": (r"^Only a heat invoice \(gas billed in m³\) has a kWh per m³ conversion factor\.$",),
    # The check letters are a checksum of the digits: a pattern can give the shape only.
    "cups": (r"^('[^']*': )?Wrong check letters: ", r"^The contract's CUPS is "),
    "cups[]": (r"^'[^']*': Wrong check letters: ",),
}
# Rules with codes of their own: the recalculation's on the stored invoices' types (400), the emissions
# summary's window (400: year or start_date and end_date, whole months, a month's last day in February,
# rules between parameters that no schema states), and an Idempotency-Key stored with another body (422).
CODES_OF_RULES_ON_STORED_DATA = {
    400: {"UNSUPPORTED_INVOICE_TYPE", "MIXED_INVOICE_TYPES", "ACTIVITY_CATEGORY_MISMATCH", "INVALID_REPORTING_PERIOD"},
    422: {"IDEMPOTENCY_KEY_MISMATCH"},
}


def _is_rule_on_stored_data(status: int, body: dict[str, Any]) -> bool:
    if body.get("code") in CODES_OF_RULES_ON_STORED_DATA.get(status, ()):
        return True
    errors: dict[str, list[str]] = body.get("errors") or {}
    return (
        status == 400
        and body.get("code") == "VALIDATION_ERROR"
        and bool(errors)
        and all(
            any(re.search(pattern, message) for pattern in RULES_ON_STORED_DATA.get(field, ()))
            for field, messages in errors.items()
            for message in messages
        )
    )


@schemathesis.check
def refused_only_by_rules_on_stored_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """`positive_data_acceptance`, except that a refusal by rules on stored data alone passes."""
    if response.status_code in (400, 422) and _is_rule_on_stored_data(response.status_code, response.json()):
        return None
    return positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20,
        "generation": {"max-examples": 10, "deterministic": True, "database": "none"},
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)


def _load_schema() -> Any:
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/v1/schema/?format=json", application, config=CONFIG)


schema = _load_schema()


def _fixed_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"test_schema:{name}"))


# The fuzz tenant's rows have these ids, known when pytest collects the tests (coverage cases are
# built then), so that generated bodies and paths can name them (`map_case`).
TENANT_IDS = {
    "facility_id": _fixed_id("facility"),
    "supply_contract_id": _fixed_id("contract"),
    "facility_fuel_id": _fixed_id("facility fuel"),
    "unit_id": str(catalog_uuid("unit", "kwh")),
    "supplier_id": str(catalog_uuid("supplier", "iberdrola-clientes")),
    "fuel_id": str(catalog_uuid("fuel", "gas_oil")),
}
INVOICE_IDS = [_fixed_id(f"invoice {n}") for n in range(3)]
_tenant_headers: dict[str, str] = {}


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and UUID_TEXT.fullmatch(value) is not None


@schema.hook
def map_case(context: Any, case: Any) -> Any:
    """Ids drawn at random name the fuzz tenant's rows instead (values that are not UUIDs, the
    mutations of negative cases, are kept): requests then get past "no such facility" to the rules
    behind it, and a body that breaks one rule cannot pass for refused because of another."""
    body = case.body if isinstance(case.body, dict) else {}
    for container in (case.path_parameters, body):
        for name, value in list(container.items()):
            if name in TENANT_IDS and _is_uuid(value):
                container[name] = TENANT_IDS[name]
    if case.path.startswith("/v1/invoices/") and _is_uuid(case.path_parameters.get("id")):
        case.path_parameters["id"] = INVOICE_IDS[0]
    if isinstance(body.get("invoice_ids"), list):
        body["invoice_ids"] = [INVOICE_IDS[n % 3] if _is_uuid(v) else v for n, v in enumerate(body["invoice_ids"])]
    return case


@schema.auth(refresh_interval=None)
class TenantKey:
    """The key and organization of the test's tenant (`fuzz_tenant`) on cases drawn while a test runs.

    Coverage and examples cases are built when pytest collects the test, before any fixture: they
    get the headers with the call instead."""

    def get(self, case: Any, ctx: Any) -> dict[str, str] | None:
        return dict(_tenant_headers) or None

    def set(self, case: Any, data: dict[str, str], ctx: Any) -> None:
        case.headers.update(data)


@pytest.fixture
def fuzz_tenant(db):  # type: ignore[no-untyped-def]
    """An organization with a facility, its electricity contract, a fuel and three invoices (TENANT_IDS)."""
    organization = Organization.objects.create(name="Fuzz S.L.", country="ES")
    facility = make_facility(
        organization, id=TENANT_IDS["facility_id"], name="Fuzz site", cups=["ES0021000000000001RK"]
    )
    contract = make_contract(facility, id=TENANT_IDS["supply_contract_id"], cups="ES0021000000000001RK")
    FacilityFuel.objects.create(id=TENANT_IDS["facility_fuel_id"], facility=facility, fuel=fuel("natural_gas"))
    for invoice_id in INVOICE_IDS:
        make_invoice(facility, id=invoice_id, supply_contract=contract)
    created = api_key_create(organization=organization)
    api_key_mark_used(api_key_id=created.api_key.id)  # else each rolled-back example records it again
    key = created.plaintext
    _tenant_headers.update({"x-api-key": key, "x-organization-id": str(organization.id)})
    yield
    _tenant_headers.clear()


@contextmanager
def _rolled_back() -> Iterator[None]:
    savepoint = transaction.savepoint_create()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.fixture(autouse=True)
def _keep_connection_open():  # type: ignore[no-untyped-def]
    # Like Django's test client: keep the test's connection (and transaction) open across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_keeps_to_its_schema(case, fuzz_tenant):
    with _rolled_back():  # each example starts from the same rows, so that a failure replays
        case.call_and_validate(headers=dict(_tenant_headers))


class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
    """Each scenario starts from the fuzz tenant's rows and leaves them as it found them."""

    def setup(self) -> None:
        self.savepoint = transaction.savepoint_create()

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)


def test_sequences_of_calls_keep_to_the_schema(fuzz_tenant):
    Scenarios.run(
        settings=settings(
            max_examples=30,
            stateful_step_count=8,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


# --- the schema itself ------------------------------------------------------------------------


@functools.cache
def _schema() -> dict[str, Any]:
    return Client().get("/v1/schema/?format=json").json()  # type: ignore[no-any-return]


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in _schema()["paths"].items()
        for method, operation in operations.items()
    ]


def test_the_schema_is_valid_openapi(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_schema_documents_bracket_parameters_headers_and_errors():
    document = _schema()
    operation = document["paths"]["/v1/invoices"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"type[]", "status[]", "cups[]", "source[]", "invoice_id", "sort", "page", "size"} <= names
    assert {"400", "401", "403", "406", "414", "500"} <= set(operation["responses"])
    headers = {s["name"] for s in document["components"]["securitySchemes"].values()}
    assert headers == {"x-api-key", "x-organization-id"}


def test_each_operation_documents_the_errors_it_can_answer_and_no_others():
    documented = {(method, path): set(operation["responses"]) for method, path, operation in _operations()}
    assert {"409"} <= documented["post", "/v1/invoices"]
    assert {"404", "409"} <= documented["patch", "/v1/invoices/{id}"]
    assert {"409"} <= documented["post", "/v1/facilities"]
    assert {"422"} <= documented["post", "/v1/invoices/recalculate"]
    for (method, path), statuses in documented.items():
        assert ("404" in statuses) == ("{" in path), (method, path)
        assert ({"413", "415"} <= statuses) == (method in ("post", "patch")), (method, path)
        assert "429" not in statuses  # no throttling is configured
        assert "405" not in statuses  # a method an operation does not have is not that operation's answer
    assert "422" not in documented["post", "/v1/invoices"]


def test_every_operation_has_a_public_summary_and_description():
    from config.api import viewsets
    from invoicing.api import invoices, recalculation, reference
    from jobs.api import views

    docstrings = {
        obj.__doc__.strip()
        for module in (viewsets, invoices, recalculation, reference, views)
        for obj in vars(module).values()
        if isinstance(obj, type) and obj.__doc__
    }
    for method, path, operation in _operations():
        assert operation.get("summary"), (method, path)
        assert len(operation.get("description", "")) > 20, (method, path)
        assert operation["description"].strip() not in docstrings, (method, path)
    descriptions = [c.get("description", "") for c in _schema()["components"]["schemas"].values()]
    assert not set(descriptions) & docstrings


def test_request_bodies_are_closed_objects():
    schemas = _schema()["components"]["schemas"]
    for method, path, operation in _operations():
        if "requestBody" in operation:
            name = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            assert schemas[name]["additionalProperties"] is False, (method, path)


def test_the_date_pattern_matches_exactly_the_dates_that_exist():
    pattern = re.compile(EXISTING_DATE)

    def exists(text: str) -> bool:
        try:
            date.fromisoformat(text)
        except ValueError:
            return False
        return True

    years = [0, 1, 4, 99, 100, 400, 1900, 2000, 2023, 2024, 2100, 2400, 9999]
    for year, month, day in itertools.product(years, range(14), range(33)):
        text = f"{year:04d}-{month:02d}-{day:02d}"
        assert bool(pattern.fullmatch(text)) == exists(text), text


def test_the_docs_page_is_served_without_internet_assets():
    html = Client().get("/v1/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html
    assert "unpkg.com" not in html
