"""Rules the database itself enforces, whatever code writes the rows."""

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from invoicing.models import InvoiceEmission, Unit
from invoicing.reference_data import UNITS
from tests.factories import make_facility, make_invoice

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_negative_quantity_is_rejected(acme):
    with pytest.raises(IntegrityError, match="quantity_gte_0"), transaction.atomic():
        make_invoice(acme.facility, quantity="-1")


@pytest.mark.django_db
@pytest.mark.parametrize("cups", ["ES0021000000000001XX", "ES002100000000000RK", "FR0021000000000001RK"])
def test_an_invalid_cups_is_rejected(acme, cups):
    with pytest.raises(IntegrityError, match="cups_valid"), transaction.atomic():
        make_invoice(acme.facility, cups=cups)


@pytest.mark.django_db
@pytest.mark.parametrize("cups", ["ES0022000006089269MY1P", "ES1234123456789012JY", "ES0021000000000001RK"])
def test_valid_cups_are_accepted(acme, cups):
    assert make_invoice(acme.facility, cups=cups).cups == cups


@pytest.mark.django_db
def test_an_invalid_cups_on_a_facility_is_rejected(acme):
    with pytest.raises(IntegrityError, match="facility_cups_valid"), transaction.atomic():
        make_facility(acme.organization, cups=["ES0021000000000001RK", "ES0021000000000001XX"])


@pytest.mark.django_db
def test_an_end_before_the_start_is_rejected(acme):
    with pytest.raises(IntegrityError, match="end_after_start"), transaction.atomic():
        make_invoice(acme.facility, start_date=date(2024, 2, 1), end_date=date(2024, 1, 31))


@pytest.mark.django_db
def test_an_invoice_on_another_organizations_facility_is_rejected(acme, borealis):
    with pytest.raises(IntegrityError, match="facility_same_org"), transaction.atomic():
        make_invoice(borealis.facility, organization=acme.organization)


@pytest.mark.django_db
def test_an_unknown_status_is_rejected(acme):
    with pytest.raises(IntegrityError, match="status_valid"), transaction.atomic():
        make_invoice(acme.facility, status="archived")


@pytest.mark.django_db
def test_only_one_emission_row_per_invoice_and_category(acme):
    invoice = make_invoice(acme.facility)
    row = {"kg_co2e": Decimal(1), "quantity": Decimal(1), "quantity_unit": "kWh", "category": "electricity"}
    InvoiceEmission.objects.create(invoice=invoice, **row)
    with pytest.raises(IntegrityError, match="one_per_category"), transaction.atomic():
        InvoiceEmission.objects.create(invoice=invoice, **row)


@pytest.mark.django_db
def test_unit_ids_are_the_documented_uuid5_of_their_code():
    from invoicing.models import catalog_uuid

    assert {unit.code: unit.id for unit in Unit.objects.all()} == {
        code: catalog_uuid("unit", code) for code, *_ in UNITS
    }


def test_unit_ids_are_identical_in_two_fresh_databases(tmp_path):
    """Two brand-new embedded PostgreSQL clusters, migrated from zero, give the same unit ids."""
    script = (
        "import os, sys, django; os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "django.setup(); from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from invoicing.models import Unit;"
        "print(sorted((u.code, str(u.id)) for u in Unit.objects.all()))"
    )
    outputs = []
    for name in ("first", "second"):
        env = {"EMBEDDED_DATA_DIR": str(tmp_path / name), "PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:1/0"}
        result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
        outputs.append(result.stdout.strip().splitlines()[-1])
        subprocess.run([sys.executable, "-m", "config.embedded", "stop"], cwd=ROOT, env=env, check=False)
    assert outputs[0] == outputs[1]
    assert "('kwh'," in outputs[0]
