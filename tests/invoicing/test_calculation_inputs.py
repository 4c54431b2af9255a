"""The contract a bill is calculated with is decided once, the same way for the API and the import."""

from __future__ import annotations

import csv
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from invoicing.imports.template import COLUMN_NAMES
from invoicing.models import Invoice
from tests.factories import invoice_body, make_contract
from tests.invoicing.api.conftest import ApiClient
from tests.invoicing.commands.conftest import electricity_row

pytestmark = pytest.mark.django_db


def write_rows(directory, rows):  # type: ignore[no-untyped-def]
    path = directory / "bills.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMN_NAMES), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def body(tenant, **overrides):  # type: ignore[no-untyped-def]
    return invoice_body(tenant.facility, **overrides)


def test_the_contract_in_force_for_the_period_is_found_without_being_sent(acme):
    acme_api = ApiClient(acme)
    make_contract(acme.facility, "endesa-energia", start_date=date(2010, 1, 1), end_date=date(2019, 12, 31))

    created = acme_api.post("/v1/invoices", body(acme)).json()

    assert created["supply_contract_id"] == str(acme.contract.id)
    assert created["supplier_id"] == str(acme.contract.supplier_id)
    assert created["cups"] == acme.contract.cups


def test_two_contracts_in_force_are_refused_not_guessed_on_every_path(acme, tmp_path):
    acme_api = ApiClient(acme)
    other = make_contract(acme.facility, "endesa-energia", cups="ES0021000000000001RK", start_date=date(2024, 1, 15))

    response = acme_api.post("/v1/invoices", body(acme))
    stderr = StringIO()
    path = write_rows(tmp_path, [electricity_row()])
    with pytest.raises(CommandError):
        call_command(
            "import_invoices", str(path), "--organization", str(acme.organization.id), stdout=StringIO(), stderr=stderr
        )

    assert response.status_code == 400
    [message] = response.json()["errors"]["supply_contract_id"]
    assert message.startswith("2 supply contracts of the facility are in force from 2024-01-01 to 2024-01-31 (")
    assert str(other.id) in message
    assert stderr.getvalue().startswith(f"row 2, contract: {message}")
    assert not Invoice.objects.exists()

    chosen = acme_api.post("/v1/invoices", body(acme, supply_contract_id=str(other.id)))
    assert chosen.json()["supplier_id"] == str(other.supplier_id)


def test_a_corrected_period_finds_the_contract_in_force_again(acme):
    acme_api = ApiClient(acme)
    later = make_contract(acme.facility, "endesa-energia", cups="ES0021000000000001RK", start_date=date(2025, 1, 1))
    acme.contract.end_date = date(2024, 12, 31)
    acme.contract.save()
    created = acme_api.post("/v1/invoices", body(acme)).json()

    corrected = acme_api.patch(
        f"/v1/invoices/{created['id']}", {"start_date": "2025-03-01", "end_date": "2025-03-31"}
    ).json()

    assert created["supply_contract_id"] == str(acme.contract.id)
    assert corrected["supply_contract_id"] == str(later.id)
    assert corrected["supplier_id"] == str(later.supplier_id)
