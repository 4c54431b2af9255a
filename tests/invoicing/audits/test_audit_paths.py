"""Every path that writes invoices leaves the same findings as auditing the organization from scratch."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from invoicing.models import InvoiceAuditFinding, Organization
from invoicing.services.audits import invoice_audit_refresh

pytestmark = pytest.mark.django_db


def stored(organization_id: Any) -> list[tuple[Any, ...]]:
    return sorted(
        InvoiceAuditFinding.objects.filter(organization_id=organization_id).values_list(
            "code", "supply_point", "invoice_ids", "start_date", "end_date", "message"
        )
    )


def assert_up_to_date(organization_id: Any) -> None:
    before = stored(organization_id)
    invoice_audit_refresh(organization_id=organization_id, everything=True)
    assert stored(organization_id) == before


def test_generated_invoices_are_audited():
    out = StringIO()
    call_command("generate_invoices", "--organizations", "2", "--invoices", "600", stdout=out)
    organizations = json.loads(out.getvalue())["organizations"]

    for organization_id in organizations:
        assert InvoiceAuditFinding.objects.filter(organization_id=organization_id).exists()
        assert_up_to_date(organization_id)


def test_demo_invoices_are_audited_and_topping_up_keeps_them_current():
    call_command("seed_demo", "--invoices", "40", stdout=StringIO())
    organization = Organization.objects.get(name__icontains="demo")
    assert_up_to_date(organization.id)

    call_command("seed_demo", "--invoices", "80", stdout=StringIO())
    assert_up_to_date(organization.id)
