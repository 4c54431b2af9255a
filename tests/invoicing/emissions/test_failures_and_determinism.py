"""Per-invoice errors never stop the others; results are identical whatever the chunking."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from invoicing.emissions import calculate_invoices, categories_for_invoice_type
from invoicing.models import Invoice, InvoiceEmission
from tests.factories import make_contract, make_facility_fuel, make_invoice

from .helpers import calculated, failure


def test_a_missing_factor_fails_that_invoice_while_the_others_succeed(acme, borealis):
    spanish = make_invoice(acme.facility)
    british = make_invoice(borealis.facility)
    result = calculate_invoices(
        invoice_ids=[spanish.id, british.id], category="electricity_transmission_and_distribution"
    )
    assert result.succeeded_ids == [british.id]
    [only] = result.failures
    assert (only.invoice_id, only.code) == (spanish.id, "NO_FACTOR")
    assert "ES" in only.message
    assert not InvoiceEmission.objects.filter(invoice=spanish).exists()


def test_spain_has_no_well_to_tank_factors_rather_than_zero(acme):
    heat = make_invoice(acme.facility, type="heat", facility_fuel=make_facility_fuel(acme.facility), unit_code="kwh")
    assert failure(heat, "stationary_generation")[0] == "NO_FACTOR"
    assert failure(make_invoice(acme.facility), "electricity_generation")[0] == "NO_FACTOR"


def test_a_heat_invoice_without_a_fuel_is_a_per_invoice_error(acme):
    code, message = failure(make_invoice(acme.facility, type="heat"), "stationary")
    assert code == "NO_FUEL"
    assert "fuel" in message


def test_unknown_ids_and_categories_of_another_type_are_reported(acme):
    water = make_invoice(acme.facility, type="water", unit_code="m3")
    missing = uuid.uuid4()
    result = calculate_invoices(invoice_ids=[water.id, missing], category="electricity")
    assert {(f.invoice_id, f.code) for f in result.failures} == {
        (water.id, "ACTIVITY_CATEGORY_MISMATCH"),
        (missing, "NOT_FOUND"),
    }


def test_a_failure_removes_the_stale_row_and_refreshes_co2e(acme):
    invoice = make_invoice(acme.facility, supply_contract=acme.contract)
    row = calculated(invoice, "electricity")
    invoice.refresh_from_db()
    assert invoice.co2e == row.kg_co2e > 0
    Invoice.objects.filter(pk=invoice.pk).update(start_date=date(2010, 1, 1))  # before any ES electricity factor
    assert failure(invoice, "electricity")[0] == "NO_FACTOR"
    invoice.refresh_from_db()
    assert invoice.co2e is None
    assert not invoice.emissions.exists()


def test_the_invoice_status_never_changes(acme):
    invoice = make_invoice(acme.facility, status="review")
    calculate_invoices(invoice_ids=[invoice.id], category="electricity")
    calculate_invoices(invoice_ids=[invoice.id], category="electricity_generation")
    invoice.refresh_from_db()
    assert invoice.status == "review"


def snapshot() -> list[tuple]:
    emissions = InvoiceEmission.objects.order_by("invoice_id", "category").values_list(
        "invoice_id", "category", "scope", "kg_co2e", "kwh", "biogenic_co2_kg", "quantity", "conversion",
        "factor_value", "factor_id", "factor_rung", "fallbacks", "year_parts", "source_location",
    )  # fmt: skip
    invoices = Invoice.objects.order_by("id").values_list("id", "co2e", "total_energy_kwh")
    return [*emissions, *invoices]


def varied_invoices(acme, borealis) -> list[Invoice]:
    goo = make_contract(acme.facility, "som-energia", covered_by_guarantees_of_origin=True)
    invoices = []
    for index in range(12):
        quantity = Decimal("1234.567891") * (index + 1)
        start = date(2019 + index % 7, 1 + index % 12, 1)
        end = date(start.year + index % 2, start.month, 28)  # every other period spans two years
        invoices.append(make_invoice(acme.facility, quantity=quantity, start_date=start, end_date=end,
                                     supply_contract=goo if index % 4 == 0 else acme.contract))  # fmt: skip
        invoices.append(make_invoice(borealis.facility, quantity=quantity, unit_code="mwh" if index % 3 else "gj",
                                     start_date=start, end_date=end))  # fmt: skip
    return invoices


def calculate_all(ids: list, chunk: int) -> None:
    for category in categories_for_invoice_type("electricity"):
        for offset in range(0, len(ids), chunk):
            with transaction.atomic():
                calculate_invoices(invoice_ids=ids[offset : offset + chunk], category=category)


def test_recalculating_twice_or_in_other_chunk_sizes_stores_identical_numbers(acme, borealis):
    ids = [invoice.id for invoice in varied_invoices(acme, borealis)]
    calculate_all(ids, chunk=len(ids))
    first = snapshot()
    calculate_all(ids, chunk=len(ids))
    assert snapshot() == first
    calculate_all(list(reversed(ids)), chunk=5)
    assert snapshot() == first
    calculate_all(ids, chunk=1)
    assert snapshot() == first
    assert InvoiceEmission.objects.count() > 40


def test_categories_for_invoice_type():
    assert categories_for_invoice_type("heat") == ["stationary", "stationary_generation", "energy"]
    assert "electricity_location_based" in categories_for_invoice_type("electricity")
    assert categories_for_invoice_type("water") == []


def test_the_number_of_queries_does_not_grow_with_the_number_of_invoices(acme, django_assert_num_queries):
    few = [make_invoice(acme.facility, supply_contract=acme.contract).id for _ in range(2)]
    many = [make_invoice(acme.facility, supply_contract=acme.contract).id for _ in range(30)]
    with CaptureQueriesContext(connection) as small:
        calculate_invoices(invoice_ids=few, category="electricity")
    with django_assert_num_queries(len(small.captured_queries)):
        calculate_invoices(invoice_ids=many, category="electricity")
