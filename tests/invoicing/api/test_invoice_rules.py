"""The rules every path shares (invoicing/invoice_rules.py), through the API's create and PATCH: the same
plausibility checks as the import, and one bill one invoice whatever the case of its number."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from invoicing.models import Invoice
from tests.factories import make_invoice
from tests.invoicing.api.test_invoice_write import electricity_body

pytestmark = pytest.mark.django_db
NEXT_YEAR = datetime.date.today().year + 1


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2024-01-01", "2204-01-31", "end_date",
         f"2204-01-31 is not a plausible billing date; expected a year from 2000 to {NEXT_YEAR}."),
        ("0024-01-01", "2024-01-31", "start_date",
         f"0024-01-01 is not a plausible billing date; expected a year from 2000 to {NEXT_YEAR}."),
        ("2023-01-01", "2024-03-01", "end_date",
         "The period 2023-01-01 to 2024-03-01 lasts 426 days; expected at most 400 (INVOICE_MAX_PERIOD_DAYS)."),
    ],
)  # fmt: skip
def test_creating_an_invoice_with_an_impossible_period_is_refused(acme, acme_api, start, end, field, message):
    response = acme_api.post("/v1/invoices", electricity_body(acme, start_date=start, end_date=end))

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert not Invoice.objects.exists()


def test_correcting_an_invoice_to_an_impossible_period_is_refused(acme, acme_api):
    invoice = make_invoice(acme.facility)

    response = acme_api.patch(f"/v1/invoices/{invoice.id}", {"end_date": "2042-01-31"})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "end_date": [f"2042-01-31 is not a plausible billing date; expected a year from 2000 to {NEXT_YEAR}."]
    }
    invoice.refresh_from_db()
    assert invoice.end_date == datetime.date(2024, 1, 31)


def test_the_same_bill_with_its_number_in_another_case_is_a_conflict_naming_the_existing_invoice(acme, acme_api):
    existing = make_invoice(acme.facility, invoice_number="FR-P-JAN-CSV")

    response = acme_api.post("/v1/invoices", electricity_body(acme, invoice_id=" fr-p-jan-csv "))

    assert response.status_code == 409
    assert response.json()["code"] == "DUPLICATE_INVOICE"
    assert response.json()["detail"] == (
        f"Invoice number 'fr-p-jan-csv' for 2024-01-01 to 2024-01-31 is already invoice 'FR-P-JAN-CSV' ({existing.id}) "
        "of this facility; one bill is one invoice (numbers are compared without regard to case or surrounding spaces)."
    )


def test_renumbering_an_invoice_into_another_bill_is_a_conflict(acme, acme_api):
    make_invoice(acme.facility, invoice_number="FR-P-JAN-CSV")
    other = make_invoice(acme.facility, invoice_number="OTHER")

    response = acme_api.patch(f"/v1/invoices/{other.id}", {"invoice_id": "Fr-P-Jan-Csv"})

    assert response.status_code == 409
    assert "is already invoice 'FR-P-JAN-CSV'" in response.json()["detail"]


def test_the_database_itself_refuses_the_same_bill_under_another_case(acme):
    make_invoice(acme.facility, invoice_number="FR-P-JAN-CSV")

    with pytest.raises(IntegrityError, match="invoicing_invoice_natural_key"), transaction.atomic():
        make_invoice(acme.facility, invoice_number="  fr-p-jan-csv")
