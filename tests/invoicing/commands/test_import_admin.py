"""The admin import page: upload, a check by a worker, confirm, import — on the same service as the command."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invoicing.imports.template import COLUMN_NAMES
from invoicing.models import Invoice, InvoiceImport, InvoiceImportFilePart
from tests.invoicing.commands.conftest import IMPORT_URL as URL
from tests.invoicing.commands.conftest import electricity_row

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


def test_an_upload_answers_at_once_and_shows_a_page_that_waits_for_the_worker(
    client, staff_user, acme, queue, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"organization": acme.organization.id, "file": upload([electricity_row()])})
    page = client.get(response["Location"])

    run = InvoiceImport.objects.get()
    assert response.status_code == 302
    assert (run.status, run.dry_run, run.rq_job_id) == ("pending", True, f"invoice-import-{run.id}-a1")
    assert queue.fetch_job(run.rq_job_id) is not None
    assert "waiting for a worker to check the file" in page.content.decode()
    assert '<meta http-equiv="refresh"' in page.content.decode()


def test_the_check_shows_what_would_be_created_with_each_quantity_as_written_and_as_read(
    post_and_work, client, staff_user, acme
):
    client.force_login(staff_user)

    page = post_and_work(
        {
            "organization": acme.organization.id,
            "file": upload([electricity_row(), electricity_row(invoice_number="B", quantity="2000.25")]),
        }
    )

    content = page.content.decode()
    assert page.context["run"].status == "ready"
    assert page.context["report"]["new_count"] == 2
    assert "<td><code>2000.25</code></td><td>2000.25 kWh</td>" in content
    assert 'id="invoice-import-confirm"' in content
    assert not Invoice.objects.exists()


def test_the_check_lists_every_problem_with_its_value_and_offers_no_confirm(post_and_work, client, staff_user, acme):
    client.force_login(staff_user)

    page = post_and_work(
        {"organization": acme.organization.id, "file": upload([electricity_row(), electricity_row(quantity="-2")])}
    )

    content = page.content.decode()
    assert (
        "<td>3</td><td><code>quantity</code></td><td><code>-2</code></td><td>-2 is negative; expected 0 or more.</td>"
        in content
    )
    assert 'id="invoice-import-confirm"' not in content
    assert not Invoice.objects.exists()
    assert not InvoiceImportFilePart.objects.exists()  # no confirm follows: the upload is gone


def test_confirming_imports_the_rows_as_the_staff_user_and_removes_the_upload(post_and_work, client, staff_user, acme):
    client.force_login(staff_user)
    checked = post_and_work({"organization": acme.organization.id, "file": upload([electricity_row()])})

    page = post_and_work({"run": checked.context["run"].pk, "action": "confirm"})

    invoice = Invoice.objects.get()
    assert (invoice.source, invoice.uploaded_by, invoice.organization) == ("bulk_file", staff_user, acme.organization)
    assert page.context["run"].status == "finished"
    assert "1</strong> invoice imported." in page.content.decode()
    assert not InvoiceImportFilePart.objects.exists()


def test_confirming_twice_imports_once(post_and_work, client, staff_user, acme):
    client.force_login(staff_user)
    checked = post_and_work({"organization": acme.organization.id, "file": upload([electricity_row()])})
    post_and_work({"run": checked.context["run"].pk, "action": "confirm"})

    again = post_and_work({"run": checked.context["run"].pk, "action": "confirm"})

    assert Invoice.objects.count() == 1
    assert "It is not ready to import." in " ".join(str(m) for m in again.context["messages"])


def test_staff_cannot_import_into_an_organization_they_are_not_a_member_of(client, staff_user, acme, borealis):
    client.force_login(staff_user)

    response = client.post(
        URL, {"organization": borealis.organization.id, "file": upload([electricity_row(facility="London office")])}
    )

    assert "Select a valid choice" in response.content.decode()
    assert not InvoiceImport.objects.exists()


def test_staff_cannot_see_an_import_of_another_organization(client, staff_user, borealis):
    other = InvoiceImport.objects.create(organization=borealis.organization, filename="x.csv", size=1)
    client.force_login(staff_user)

    response = client.get(URL, {"run": other.pk}, follow=True)

    assert "This import does not exist or is not yours" in " ".join(str(m) for m in response.context["messages"])


def test_a_file_with_missing_columns_is_shown_as_the_reason_the_file_was_refused(
    post_and_work, client, staff_user, acme
):
    client.force_login(staff_user)
    bad = SimpleUploadedFile("bad.csv", b"type,invoice_number\nelectricity,1\n", content_type="text/csv")

    page = post_and_work({"organization": acme.organization.id, "file": bad})

    assert page.context["run"].status == "failed"
    assert (
        "Missing columns: facility, start_date, end_date, quantity, unit. [IMPORT_FILE_INVALID]"
        in page.content.decode()
    )
    assert not InvoiceImportFilePart.objects.exists()


# Issue 17's faults through the admin page


def test_the_check_reads_a_spanish_excel_csv_with_its_thousands_dot(post_and_work, client, staff_user, acme):
    client.force_login(staff_user)
    data = (
        b"type;invoice_number;facility;start_date;end_date;quantity;unit\n"
        b"electricity;BCN-1;Madrid office;2024-03-01;2024-03-31;1.500;kwh\n"
    )

    page = post_and_work({"organization": acme.organization.id, "file": SimpleUploadedFile("bcn.csv", data)})
    post_and_work({"run": page.context["run"].pk, "action": "confirm"})

    assert "<td><code>1.500</code></td><td>1500 kWh</td>" in page.content.decode()
    assert Invoice.objects.get().quantity == 1500


def test_the_check_names_the_invoice_that_already_holds_the_bill(post_and_work, client, staff_user, acme):
    from tests.factories import make_invoice

    existing = make_invoice(acme.facility, invoice_number="FR-P-JAN-CSV")
    client.force_login(staff_user)

    page = post_and_work(
        {
            "organization": acme.organization.id,
            "file": upload([electricity_row(invoice_number="fr-p-jan-csv", quantity="1500")]),
        }
    )

    assert page.context["report"]["already_imported_count"] == 1
    assert f"invoice FR-P-JAN-CSV ({existing.id})" in page.content.decode()
    assert "There is nothing new to import." in page.content.decode()


def test_the_check_refuses_impossible_periods_with_the_reason(post_and_work, client, staff_user, acme):
    client.force_login(staff_user)

    page = post_and_work(
        {"organization": acme.organization.id, "file": upload([electricity_row(end_date="2204-01-31")])}
    )

    error = page.context["report"]["errors"][0]
    assert (error["row"], error["column"], error["value"]) == (2, "end_date", "2204-01-31")
    assert error["reason"].startswith("2204-01-31 is not a plausible billing date; expected a year from 2000 to")
    assert page.context["report"]["blocked"]


def test_a_sheet_that_the_workbook_lacks_is_refused_with_a_choice_of_its_sheets(
    post_and_work, client, staff_user, acme, tmp_path
):
    from tests.invoicing.commands.conftest import TEMPLATE_HEADER, write_xlsx

    bill = ["electricity", "S-1", "Madrid office", "2024-01-01", "2024-01-31", 9, "kwh"]
    path = write_xlsx(tmp_path / "book.xlsx", {"Summary": [["total", 3]], "Facturas": [[], TEMPLATE_HEADER, bill]})
    client.force_login(staff_user)
    refused = post_and_work(
        {
            "organization": acme.organization.id,
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
            "sheet": "Bills",
        }
    )

    page = post_and_work({"run": refused.context["run"].pk, "action": "sheet", "sheet": "Facturas"})

    assert refused.context["run"].error == (
        "The workbook has no sheet 'Bills'; its sheets are 'Summary', 'Facturas'. [IMPORT_FILE_INVALID]"
    )
    assert '<option value="Facturas">Facturas</option>' in refused.content.decode()
    assert page.context["run"].status == "ready"
    assert page.context["report"]["sheet"] == "Facturas"
    assert page.context["report"]["new_count"] == 1


def test_without_a_sheet_the_first_sheet_with_the_header_is_read(post_and_work, client, staff_user, acme, tmp_path):
    from tests.invoicing.commands.conftest import TEMPLATE_HEADER, write_xlsx

    bill = ["electricity", "S-1", "Madrid office", "2024-01-01", "2024-01-31", 9, "kwh"]
    path = write_xlsx(tmp_path / "book.xlsx", {"Summary": [["total", 3]], "Facturas": [[], TEMPLATE_HEADER, bill]})
    client.force_login(staff_user)

    page = post_and_work(
        {"organization": acme.organization.id, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    )

    assert (page.context["report"]["sheet"], page.context["report"]["new_count"]) == ("Facturas", 1)


def test_an_import_id_that_is_not_a_uuid_is_not_found(client, staff_user):
    client.force_login(staff_user)

    response = client.get(URL, {"run": "not-a-uuid"}, follow=True)

    assert "This import does not exist or is not yours" in " ".join(str(m) for m in response.context["messages"])


def test_the_check_shows_an_excel_double_beside_the_number_excel_shows(
    post_and_work, client, staff_user, acme, tmp_path
):
    import datetime

    from tests.invoicing.commands.conftest import TEMPLATE_HEADER, write_excel_like_xlsx

    january = (datetime.date(2024, 1, 1), datetime.date(2024, 1, 31))
    path = write_excel_like_xlsx(
        tmp_path / "book.xlsx",
        [TEMPLATE_HEADER, ["electricity", "X-1", "Madrid office", *january, 124599.99999999999, "kwh"]],
    )
    client.force_login(staff_user)

    page = post_and_work(
        {"organization": acme.organization.id, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    )

    assert "<td><code>124599.99999999999</code></td><td>124600 kWh</td>" in page.content.decode()
