"""The same bill stores the same calculation inputs and the same rows, whichever path entered it.

Paths: the API without and with the contract, `import_invoices` with a CSV and with an XLSX file, and
the admin's import page. Bills: on a contract covered by guarantees of origin (UK), on a supplier with
its own factor (Spain, MITECO's list) and at a site without any contract (Spain, "Mix sin GdO").
Everything runs for real: HTTP, the command, the admin page, and `rqworker` processes for the jobs.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms.models import model_to_dict

from invoicing.imports.template import COLUMN_NAMES
from invoicing.models import Invoice, InvoiceEmission, InvoiceImport, Organization
from invoicing.services.organizations import api_key_create, membership_grant
from tests.factories import make_contract, make_facility, unit

from .api.conftest import ApiClient

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]

IMPORT_URL = "/admin/invoicing/invoice/import/"
# What may differ between two stored results of the same bill.
NOT_COMPARED = {"id", "invoice", "calculated_at", "job"}


def bill(facility_name: str, number: str) -> dict[str, str]:
    return {
        "type": "electricity",
        "invoice_number": number,
        "facility": facility_name,
        "start_date": "2024-02-01",
        "end_date": "2024-02-29",
        "quantity": "1500",
        "unit": "kwh",
    }


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMN_NAMES), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMN_NAMES))
    for row in rows:
        sheet.append([float(row[name]) if name == "quantity" else row.get(name, "") for name in COLUMN_NAMES])
    workbook.save(path)
    return path


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """One organization with three sites: a GoO contract (UK), Iberdrola (Spain) and no contract (Spain)."""
    organization = Organization.objects.create(name="Paths S.L.", country="ES")
    london = make_facility(organization, name="London office", country="GB")
    make_contract(london, "octopus-energy-uk", covered_by_guarantees_of_origin=True)
    madrid = make_facility(organization, name="Madrid office", country="ES", cups=["ES0021000000000001RK"])
    make_contract(madrid, "iberdrola-clientes", cups="ES0021000000000001RK")
    make_facility(organization, name="Sevilla store", country="ES")
    return organization


def test_the_same_bill_stores_the_same_rows_by_every_path(
    world, client, django_user_model, queue, drain_queue, tmp_path
):
    organization = world
    facilities = {facility.name: facility for facility in organization.facilities.all()}
    api = ApiClient(None, {"HTTP_X_API_KEY": api_key_create(organization=organization).plaintext,
                           "HTTP_X_ORGANIZATION_ID": str(organization.id)})  # fmt: skip
    sites = ["London office", "Madrid office", "Sevilla store"]

    for site in sites:
        facility = facilities[site]
        body: dict[str, Any] = {
            "type": "electricity",
            "quantity": 1500,
            "unit_id": str(unit("kwh").id),
            "start_date": "2024-02-01",
            "end_date": "2024-02-29",
            "facility_id": str(facility.id),
        }
        assert api.post("/v1/invoices", {**body, "invoice_id": f"{site}/api"}).status_code == 201
        contract = facility.supply_contracts.first()
        if contract is not None:
            explicit = {**body, "invoice_id": f"{site}/api-contract", "supply_contract_id": str(contract.id)}
            assert api.post("/v1/invoices", explicit).status_code == 201

    out = StringIO()
    call_command("import_invoices", str(write_csv(tmp_path / "bills.csv", [bill(s, f"{s}/csv") for s in sites])),
                 "--organization", str(organization.id), stdout=out)  # fmt: skip
    call_command("import_invoices", str(write_xlsx(tmp_path / "bills.xlsx", [bill(s, f"{s}/xlsx") for s in sites])),
                 "--organization", str(organization.id), stdout=out)  # fmt: skip

    staff = django_user_model.objects.create_user("importer", password="importer-pass-1", is_staff=True)
    membership_grant(user=staff, organization=organization)
    client.force_login(staff)
    content = write_csv(tmp_path / "admin.csv", [bill(s, f"{s}/admin") for s in sites]).read_bytes()
    client.post(IMPORT_URL, {"organization": organization.id, "file": SimpleUploadedFile("admin.csv", content)})
    drain_queue()  # the check
    run = InvoiceImport.objects.get()
    client.post(IMPORT_URL, {"run": run.pk, "action": "confirm"})
    drain_queue()  # the import, then the emission jobs of every path

    invoices = Invoice.objects.filter(organization=organization).select_related("facility")
    assert invoices.count() == 3 * 4 + 2  # four paths per site, and the explicit contract where there is one
    for site in sites:
        same_bill = [invoice for invoice in invoices if invoice.facility.name == site]
        inputs = {(i.supply_contract_id, i.supplier_id, i.cups, i.co2e, i.total_energy_kwh) for i in same_bill}
        assert len(inputs) == 1, (site, inputs)
        rows_by_path = {
            invoice.invoice_number: {
                row.category: json.dumps(
                    {k: v for k, v in model_to_dict(row).items() if k not in NOT_COMPARED}, default=str, sort_keys=True
                )
                for row in InvoiceEmission.objects.filter(invoice=invoice)
            }
            for invoice in same_bill
        }
        first, *others = rows_by_path.values()
        assert set(first) >= {"electricity", "electricity_location_based", "energy"}, (site, set(first))
        for path_rows in others:
            assert path_rows == first, site

    market = {
        row.invoice.facility.name: row
        for row in InvoiceEmission.objects.filter(
            invoice__organization=organization, category="electricity"
        ).select_related("invoice__facility")
    }
    assert market["London office"].factor_rung == "guarantee_of_origin"
    assert market["London office"].kg_co2e == Decimal(0)
    assert market["Madrid office"].factor_rung == "supplier"
    assert market["Sevilla store"].factor_rung == "residual_mix"
    assert market["Sevilla store"].kg_co2e == Decimal("424.500000")  # 1,500 kWh x MITECO 2024 "Mix sin GdO" 0.283
