"""Issue 19 item 6, "Hostile files": each one refused as a file or row error, through the command (one line,
exit 1, no traceback) and through the admin page (the reason on the import's page, never a 500)."""

from __future__ import annotations

import datetime
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError

from invoicing.models import Invoice, InvoiceImportFilePart
from tests.invoicing.commands.conftest import TEMPLATE_HEADER, write_excel_like_xlsx
from tests.workers import ROOT, worker_env

pytestmark = pytest.mark.django_db

ROW = ["electricity", "H-1", "Madrid office", datetime.date(2024, 1, 1), datetime.date(2024, 1, 31), 1500.5, "kwh"]
CSV_ROW = "electricity,H-1,Madrid office,2024-01-01,2024-01-31,1500.5,kwh\n"
BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9))
    + "]>"
)


def billion_laughs(directory: Path) -> Path:
    return write_excel_like_xlsx(directory / "laughs.xlsx", [TEMPLATE_HEADER, ROW], extra_xml=BILLION_LAUGHS)


def zip_bomb(directory: Path) -> Path:
    """A valid workbook whose sheet also holds 20 MB of one repeated comment: it deflates about 1000 to 1."""
    path = write_excel_like_xlsx(directory / "bomb.xlsx", [TEMPLATE_HEADER, ROW])
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</worksheet>", b"<!--" + b"0" * 20_000_000 + b"--></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def nul_byte(directory: Path) -> Path:
    path = directory / "nul.csv"
    path.write_bytes(
        (",".join(TEMPLATE_HEADER) + "\n").encode() + b"electricity,H-\x001,Madrid office,2024-01-01,2024-01-31,1,kwh\n"
    )
    return path


def undecodable(directory: Path) -> Path:
    path = directory / "undecodable.csv"
    path.write_bytes((",".join(TEMPLATE_HEADER) + "\n" + CSV_ROW).encode() + b"electricity,H-\x81\x8d,Madrid office\n")
    return path


def damaged_utf8(directory: Path) -> Path:
    path = directory / "damaged.csv"
    text = ",".join(TEMPLATE_HEADER) + "\n" + CSV_ROW.replace("H-1", "Año-1")
    path.write_bytes(text.encode() + b"electricity,A\xf1o-2,Madrid office,2024-02-01,2024-02-29,1,kwh\n")
    return path


REFUSALS = {
    "entity expansion": (
        billion_laughs,
        "The workbook's part xl/worksheets/sheet1.xml declares XML entities (a DTD); such workbooks are refused "
        "because expanding them can exhaust the server. [IMPORT_FILE_INVALID]",
    ),
    "zip bomb": (
        zip_bomb,
        "more than 100 times (IMPORT_XLSX_MAX_RATIO); such a file is refused as a zip bomb. [IMPORT_FILE_INVALID]",
    ),
    "undecodable": (
        undecodable,
        "The file is neither UTF-8 nor Windows-1252 (Latin-1) text: byte 0x81 on line 3 cannot be read. Save it "
        'from Excel as "CSV UTF-8". [IMPORT_FILE_INVALID]',
    ),
    "damaged UTF-8": (
        damaged_utf8,
        "The file is not valid UTF-8: byte 0xf1 on line 3 cannot be read, although the text before it is UTF-8. "
        'Save it again as "CSV UTF-8". [IMPORT_FILE_INVALID]',
    ),
}


def import_args(path, tenant, *extra):  # type: ignore[no-untyped-def]
    return ("import_invoices", str(path), "--organization", str(tenant.organization.id), *extra, "--no-progress")


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_hostile_file_is_refused_as_a_whole_by_the_command(name, acme, run_command, tmp_path):
    build, message = REFUSALS[name]

    with pytest.raises(CommandError) as error:
        run_command(*import_args(build(tmp_path), acme))

    assert str(error.value).endswith(message)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_hostile_file_is_refused_on_the_admin_import_page(name, acme, client, staff_user, post_and_work, tmp_path):
    build, message = REFUSALS[name]
    path = build(tmp_path)
    client.force_login(staff_user)

    page = post_and_work(
        {"organization": acme.organization.id, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    )

    assert page.status_code == 200
    assert page.context["run"].status == "failed"
    assert message in page.context["run"].error
    assert not InvoiceImportFilePart.objects.exists()  # the upload is gone
    assert not Invoice.objects.exists()


def test_a_nul_byte_is_a_row_error_naming_row_and_column(acme, run_command, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command(*import_args(nul_byte(tmp_path), acme), stdout=StringIO(), stderr=stderr)

    assert stderr.getvalue().splitlines() == [
        "row 2, invoice_number: 'H-\\x001' contains a NUL character (0x00); expected text without control characters."
    ]


def test_a_nul_byte_is_a_row_error_on_the_admin_import_page(acme, client, staff_user, post_and_work, tmp_path):
    path = nul_byte(tmp_path)
    client.force_login(staff_user)

    page = post_and_work(
        {"organization": acme.organization.id, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    )

    assert page.context["run"].status == "finished"
    assert page.context["report"]["errors"] == [
        {
            "row": 2,
            "column": "invoice_number",
            "value": "H-\\x001",
            "reason": "'H-\\x001' contains a NUL character (0x00); expected text without control characters.",
        }
    ]


def test_a_file_larger_than_the_limit_is_refused_by_the_command(acme, run_command, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_text(",".join(TEMPLATE_HEADER) + "\n" + CSV_ROW * 3)

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme))

    assert str(error.value) == (
        f"big.csv is {path.stat().st_size:,} bytes; the largest file accepted is 100 bytes (IMPORT_MAX_FILE_BYTES). "
        "Split it into smaller files. [IMPORT_FILE_INVALID]"
    )


def test_a_file_larger_than_the_limit_is_a_form_error_on_the_admin_page(acme, client, staff_user, settings):
    settings.IMPORT_MAX_FILE_BYTES = 100
    client.force_login(staff_user)
    data = (",".join(TEMPLATE_HEADER) + "\n" + CSV_ROW * 3).encode()

    response = client.post(
        "/admin/invoicing/invoice/import/",
        {"organization": acme.organization.id, "file": SimpleUploadedFile("big.csv", data)},
    )

    assert response.status_code == 200
    assert f"big.csv is {len(data):,} bytes; the largest file accepted is 100 bytes." in response.content.decode()
    assert not InvoiceImportFilePart.objects.exists()


def test_more_rows_than_the_limit_is_a_file_error_and_nothing_is_written(acme, run_command, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 2
    path = tmp_path / "rows.csv"
    path.write_text(",".join(TEMPLATE_HEADER) + "\n" + "".join(CSV_ROW.replace("H-1", f"H-{n}") for n in range(3)))

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme))

    assert str(error.value) == (
        "The file has more than 2 rows (IMPORT_MAX_ROWS); split it into smaller files. [IMPORT_FILE_INVALID]"
    )
    assert not Invoice.objects.exists()


def test_a_workbook_expanding_beyond_the_total_limit_is_refused(acme, run_command, tmp_path, settings):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 1000
    path = write_excel_like_xlsx(tmp_path / "book.xlsx", [TEMPLATE_HEADER, ROW])

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme))

    assert "more than 1,000 (IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES)" in str(error.value)


def test_shared_strings_beyond_their_limit_are_refused(acme, run_command, tmp_path, settings):
    settings.IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES = 100
    path = write_excel_like_xlsx(tmp_path / "book.xlsx", [TEMPLATE_HEADER, ROW])

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme))

    assert "more than 100 (IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES)" in str(error.value)


def test_a_workbook_as_excel_writes_it_is_read_with_its_shared_strings_and_date_cells(acme, run_command, tmp_path):
    path = write_excel_like_xlsx(tmp_path / "book.xlsx", [TEMPLATE_HEADER, ROW])

    run_command(*import_args(path, acme))

    invoice = Invoice.objects.get()
    assert (invoice.invoice_number, invoice.start_date, invoice.end_date, invoice.quantity) == (
        "H-1",
        datetime.date(2024, 1, 1),
        datetime.date(2024, 1, 31),
        Decimal("1500.5"),
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("name", ["entity expansion", "undecodable"])
def test_the_command_prints_one_line_and_exits_1_without_a_traceback(name, tmp_path):
    from invoicing.models import Organization

    build, message = REFUSALS[name]
    organization = Organization.objects.create(name="Hostile S.L.", country="ES")

    result = subprocess.run(
        [sys.executable, "manage.py", "import_invoices", str(build(tmp_path)), "--organization", str(organization.id)],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stderr == f"CommandError: {message}\n"
