"""The admin import page: upload, dry-run preview, confirm — on the same service as the command."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invoicing.imports.template import COLUMN_NAMES
from invoicing.models import Invoice
from tests.invoicing.commands.conftest import electricity_row

URL = "/admin/invoicing/invoice/import/"
pytestmark = pytest.mark.django_db


def upload(rows, name="bills.csv"):  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMN_NAMES), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def test_the_upload_page_documents_the_template(client, staff_user):
    client.force_login(staff_user)

    response = client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="invoice-import-form"' in content
    assert "<code>invoice_number</code>" in content


def test_the_template_downloads_as_csv_and_matches_the_documented_file(client, staff_user, settings):
    from pathlib import Path

    client.force_login(staff_user)

    response = client.get(URL, {"template": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    documented = (Path(settings.BASE_DIR) / "docs" / "import_template.csv").read_text()
    assert response.content.decode() == documented


def test_the_preview_shows_what_would_be_created_and_writes_nothing(client, staff_user, acme):
    client.force_login(staff_user)

    response = client.post(
        URL,
        {
            "organization": acme.organization.id,
            "file": upload([electricity_row(), electricity_row(invoice_number="B")]),
        },
    )

    assert response.status_code == 200
    assert response.context["report"].dry_run
    assert len(response.context["report"].new) == 2
    assert 'id="invoice-import-confirm"' in response.content.decode()
    assert not Invoice.objects.exists()


def test_the_preview_lists_every_problem_and_offers_no_confirm(client, staff_user, acme):
    client.force_login(staff_user)

    response = client.post(
        URL,
        {"organization": acme.organization.id, "file": upload([electricity_row(), electricity_row(quantity="-2")])},
    )

    content = response.content.decode()
    assert "<td>3</td><td><code>quantity</code></td><td>Must be 0 or more, not -2.</td>" in content
    assert 'id="invoice-import-confirm"' not in content
    assert not Invoice.objects.exists()


def test_confirming_imports_the_rows_as_the_staff_user(client, staff_user, acme):
    client.force_login(staff_user)
    preview = client.post(URL, {"organization": acme.organization.id, "file": upload([electricity_row()])})

    response = client.post(URL, {"token": preview.context["token"], "skip_invalid": "0"}, follow=True)

    invoice = Invoice.objects.get()
    assert (invoice.source, invoice.uploaded_by, invoice.organization) == ("bulk_file", staff_user, acme.organization)
    assert response.redirect_chain[-1][0] == "/admin/invoicing/invoice/"
    assert "1 invoices imported." in [str(message).split(" Their")[0] for message in response.context["messages"]]


def test_confirming_twice_imports_once(client, staff_user, acme):
    client.force_login(staff_user)
    preview = client.post(URL, {"organization": acme.organization.id, "file": upload([electricity_row()])})
    client.post(URL, {"token": preview.context["token"]})

    again = client.post(URL, {"token": preview.context["token"]}, follow=True)

    assert Invoice.objects.count() == 1
    assert "This upload has expired or is not yours; upload the file again." in [
        str(message) for message in again.context["messages"]
    ]


def test_staff_cannot_import_into_an_organization_they_are_not_a_member_of(client, staff_user, acme, borealis):
    client.force_login(staff_user)

    response = client.post(
        URL, {"organization": borealis.organization.id, "file": upload([electricity_row(facility="London office")])}
    )

    assert "Select a valid choice" in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_file_with_missing_columns_is_shown_as_a_form_error(client, staff_user, acme):
    client.force_login(staff_user)
    bad = SimpleUploadedFile("bad.csv", b"type,invoice_number\nelectricity,1\n", content_type="text/csv")

    response = client.post(URL, {"organization": acme.organization.id, "file": bad})

    assert (
        "Missing columns: facility, start_date, end_date, quantity, unit. [IMPORT_FILE_INVALID]"
        in response.content.decode()
    )
