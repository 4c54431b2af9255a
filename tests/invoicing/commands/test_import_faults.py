"""Issue 17, "Imports that never misread a bill": each fault reproduced with its file, through the command."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.core.management.base import CommandError

from invoicing.models import Invoice
from tests.factories import make_invoice
from tests.invoicing.commands.conftest import TEMPLATE_HEADER, patch_xlsx, write_xlsx

pytestmark = pytest.mark.django_db

SPANISH_HEADER = "type;invoice_number;facility;start_date;end_date;quantity;unit\n"


def bill(number: str, quantity: object, start: object = "2024-01-01", end: object = "2024-01-31", unit: str = "kwh"):
    """A workbook row of the template for Acme's Madrid office."""
    return ["electricity", number, "Madrid office", start, end, quantity, unit]


def import_args(path, tenant, *extra):  # type: ignore[no-untyped-def]
    return ("import_invoices", str(path), "--organization", str(tenant.organization.id), *extra, "--no-progress")


def errors_of(run_command, *args):  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    stderr = StringIO()
    with pytest.raises(CommandError) as error:
        call_command(*args, stdout=StringIO(), stderr=stderr)
    return stderr.getvalue().splitlines(), str(error.value)


# 1. Numbers read with the file's conventions


def test_a_spanish_excel_csv_reads_a_thousands_dot_as_thousands(acme, run_command, tmp_path):
    path = tmp_path / "barcelona.csv"
    path.write_text(
        SPANISH_HEADER + "electricity;BCN-1;Madrid office;2024-03-01;2024-03-31;1.500;kwh\n"
        "electricity;BCN-2;Madrid office;2024-04-01;2024-04-30;12.345,67;kwh\n"
        "electricity;BCN-3;Madrid office;2024-05-01;2024-05-31;1500,5;kwh\n",
        encoding="utf-8",
    )

    run_command(*import_args(path, acme))

    quantities = dict(Invoice.objects.values_list("invoice_number", "quantity"))
    assert quantities == {"BCN-1": Decimal(1500), "BCN-2": Decimal("12345.67"), "BCN-3": Decimal("1500.5")}


def test_a_decimal_point_in_a_semicolon_file_is_refused_naming_the_other_reading(acme, run_command, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(SPANISH_HEADER + "electricity;BCN-1;Madrid office;2024-03-01;2024-03-31;1500.50;kwh\n")

    lines, _ = errors_of(run_command, *import_args(path, acme))

    assert lines == [
        "row 2, quantity: '1500.50' is not a number as in a ;-separated file '.' groups thousands and ',' is the "
        "decimal mark (12.345,67) (with a decimal point it would be 1500.5); write it as in 1.234,5 or 1234,5."
    ]
    assert not Invoice.objects.exists()


def test_a_comma_in_a_comma_separated_file_is_refused_naming_both_readings(acme, run_command, tmp_path):
    path = tmp_path / "us.csv"
    path.write_text(",".join(TEMPLATE_HEADER) + '\nelectricity,US-1,Madrid office,2024-03-01,2024-03-31,"1,500",kwh\n')

    lines, _ = errors_of(run_command, *import_args(path, acme))

    assert lines == [
        "row 2, quantity: '1,500' has a comma, but in a ,-separated file '.' is the decimal mark and no thousands "
        "mark is accepted (12345.67): it could be 1500 with ',' grouping thousands or 1.5 with ',' as the decimal "
        "mark; write it as in 1234.5."
    ]


def test_a_workbook_text_cell_that_reads_two_ways_is_refused_naming_both(acme, run_command, tmp_path):
    path = write_xlsx(
        tmp_path / "text.xlsx",
        {
            "Bills": [
                TEMPLATE_HEADER,
                ["electricity", "T-1", "Madrid office", "2024-03-01", "2024-03-31", "1.500", "kwh"],
            ]
        },
    )

    lines, _ = errors_of(run_command, *import_args(path, acme))

    assert lines == [
        "row 2, quantity: '1.500' is ambiguous: 1.5 with '.' as the decimal mark, or 1500 with '.' grouping "
        "thousands; expected an unambiguous number (a number cell, or digits without a thousands mark)."
    ]


def test_the_dry_run_shows_each_quantity_as_written_beside_the_number_read(acme, run_command, tmp_path):
    path = tmp_path / "barcelona.csv"
    path.write_text(SPANISH_HEADER + "electricity;BCN-1;Madrid office;2024-03-01;2024-03-31;1.500;kwh\n")

    output = run_command(*import_args(path, acme, "--dry-run"))

    assert output.stdout.splitlines()[0] == "row 2, BCN-1: quantity '1.500' read as 1500 kwh; would be created."


# 2. XLSX numbers as Excel displays them


def test_excel_doubles_are_read_as_excel_shows_them_and_formulas_by_their_cached_result(acme, run_command, tmp_path):
    january = (datetime.date(2024, 1, 1), datetime.date(2024, 1, 31))
    february = (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    path = write_xlsx(
        tmp_path / "excel.xlsx",
        {"Bills": [TEMPLATE_HEADER, bill("X-1", 124600, *january), bill("X-2", "=0.1+0.2", *february, unit="mwh")]},
    )
    # What Excel stores for a cell it shows as 124600, and the cached result of =0.1+0.2.
    patch_xlsx(
        path,
        {
            "<v>124600</v>": "<v>124599.99999999999</v>",
            "<f>0.1+0.2</f><v />": "<f>0.1+0.2</f><v>0.30000000000000004</v>",
        },
    )

    output = run_command(*import_args(path, acme))

    assert output.stdout.startswith("2 rows read; 2 invoices created.")
    assert dict(Invoice.objects.values_list("invoice_number", "quantity")) == {
        "X-1": Decimal(124600),
        "X-2": Decimal("0.3"),
    }


def test_a_formula_without_a_cached_result_is_a_row_error(acme, run_command, tmp_path):
    path = write_xlsx(
        tmp_path / "uncached.xlsx",
        {"Bills": [[*TEMPLATE_HEADER, "status"], [*bill("X-1", 5), '=LOWER("REVIEW")']]},
    )

    lines, message = errors_of(run_command, *import_args(path, acme))

    assert lines == [
        "row 2, status: '=LOWER(\"REVIEW\")' is a formula without a stored result; expected a value (open and save "
        "the file in Excel, which stores it)."
    ]
    assert message.startswith("1 of 1 row is invalid; nothing was imported")


# 3. One bill is one invoice


def test_the_same_bill_with_its_number_in_another_case_is_already_imported(acme, run_command, write_csv):
    first = make_invoice(acme.facility, invoice_number="FR-P-JAN-CSV")
    path = write_csv(
        [
            {"type": "electricity", "invoice_number": " fr-p-jan-csv ", "facility": "Madrid office",
             "start_date": "2024-01-01", "end_date": "2024-01-31", "quantity": "1500", "unit": "kwh"},
        ]
    )  # fmt: skip

    output = run_command(*import_args(path, acme, "--dry-run"))

    assert output.stdout.splitlines()[0] == (
        f"row 2, fr-p-jan-csv: quantity '1500' read as 1500 kwh; already imported as invoice 'FR-P-JAN-CSV' "
        f"({first.id}), skipped."
    )
    run_command(*import_args(path, acme))
    assert Invoice.objects.count() == 1


def test_the_same_bill_twice_in_one_file_is_refused_on_its_second_row(acme, run_command, write_csv):
    row = {"type": "electricity", "facility": "Madrid office", "start_date": "2024-01-01", "end_date": "2024-01-31",
           "quantity": "1500", "unit": "kwh"}  # fmt: skip
    path = write_csv([row | {"invoice_number": "FR-P-JAN-CSV"}, row | {"invoice_number": "fr-p-jan-csv"}])

    lines, _ = errors_of(run_command, *import_args(path, acme))

    assert lines == [
        "row 3, invoice_number: 'fr-p-jan-csv' repeats row 2 (the same facility, invoice number and period; "
        "numbers are compared without regard to case or surrounding spaces); expected each bill once."
    ]


# 4. Impossible periods


def test_impossible_periods_are_refused_with_the_reason_and_nothing_is_written(acme, run_command, write_csv, settings):
    next_year = datetime.date.today().year + 1
    row = {"type": "electricity", "facility": "Madrid office", "quantity": "10", "unit": "kwh"}
    path = write_csv(
        [
            row | {"invoice_number": "OK", "start_date": "2024-01-01", "end_date": "2024-01-31"},
            row | {"invoice_number": "Y2204", "start_date": "2024-01-01", "end_date": "2204-01-31"},
            row | {"invoice_number": "Y0024", "start_date": "0024-01-01", "end_date": "2024-01-31"},
            row | {"invoice_number": "Y2042", "start_date": "2042-01-01", "end_date": "2042-01-31"},
            row | {"invoice_number": "LONG", "start_date": "2023-01-01", "end_date": "2024-03-01"},
        ]
    )

    lines, message = errors_of(run_command, *import_args(path, acme))

    assert lines == [
        f"row 3, end_date: 2204-01-31 is not a plausible billing date; expected a year from 2000 to {next_year}.",
        f"row 4, start_date: 0024-01-01 is not a plausible billing date; expected a year from 2000 to {next_year}.",
        f"row 5, start_date: 2042-01-01 is not a plausible billing date; expected a year from 2000 to {next_year}.",
        f"row 5, end_date: 2042-01-31 is not a plausible billing date; expected a year from 2000 to {next_year}.",
        "row 6, end_date: The period 2023-01-01 to 2024-03-01 lasts 426 days; expected at most 400 "
        "(INVOICE_MAX_PERIOD_DAYS).",
    ]
    assert message.startswith("4 of 5 rows are invalid; nothing was imported")
    assert not Invoice.objects.exists()


def test_skip_invalid_imports_the_plausible_rows_only(acme, run_command, write_csv):
    row = {"type": "electricity", "facility": "Madrid office", "quantity": "10", "unit": "kwh"}
    path = write_csv(
        [
            row | {"invoice_number": "OK", "start_date": "2024-01-01", "end_date": "2024-01-31"},
            row | {"invoice_number": "Y2204", "start_date": "2024-01-01", "end_date": "2204-01-31"},
        ]
    )

    output = run_command(*import_args(path, acme, "--skip-invalid"))

    assert output.stdout.splitlines()[:2] == ["2 rows read; 1 invoice created.", "1 invalid row skipped (row 3)."]
    assert list(Invoice.objects.values_list("invoice_number", flat=True)) == ["OK"]


def test_the_longest_period_is_a_setting(acme, run_command, write_csv, settings):
    settings.INVOICE_MAX_PERIOD_DAYS = 31
    row = {"type": "electricity", "facility": "Madrid office", "quantity": "10", "unit": "kwh"}
    path = write_csv([row | {"invoice_number": "FEB-MAR", "start_date": "2024-02-01", "end_date": "2024-03-31"}])

    lines, _ = errors_of(run_command, *import_args(path, acme))

    assert lines == [
        "row 2, end_date: The period 2024-02-01 to 2024-03-31 lasts 60 days; expected at most 31 "
        "(INVOICE_MAX_PERIOD_DAYS)."
    ]


# 5. Workbooks


def fifteen_sheets_with_data_on(index: int) -> dict[str, list[Sequence[object]]]:
    sheets: dict[str, list[Sequence[object]]] = {
        f"Notes {n}": [["Read me first"], ["nothing to import"]] for n in range(15)
    }
    name = list(sheets)[index]
    sheets[name] = [[], TEMPLATE_HEADER, ["electricity", "W-1", "Madrid office", "2024-01-01", "2024-01-31", 7, "kwh"]]
    return sheets


def test_a_workbook_whose_data_is_not_on_the_first_sheet_is_read_from_the_sheet_with_the_header(
    acme, run_command, tmp_path
):
    path = write_xlsx(tmp_path / "book.xlsx", fifteen_sheets_with_data_on(9))

    output = run_command(*import_args(path, acme))

    assert output.stdout.splitlines()[:2] == ["1 row read; 1 invoice created.", "Read from sheet 'Notes 9'."]
    assert Invoice.objects.get().quantity == 7


def test_sheet_picks_the_sheet_to_read(acme, run_command, tmp_path):
    sheets = fifteen_sheets_with_data_on(2)
    sheets["Notes 4"] = [TEMPLATE_HEADER, bill("W-4", 4)]
    path = write_xlsx(tmp_path / "book.xlsx", sheets)

    run_command(*import_args(path, acme, "--sheet", "Notes 4"))

    assert Invoice.objects.get().invoice_number == "W-4"


def test_a_workbook_without_the_header_on_any_sheet_lists_its_sheets(acme, run_command, tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {"Summary": [["total", 3]], "2024": [["nothing"]]})

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme))

    assert str(error.value) == (
        "No sheet starts with the template's columns (type, invoice_number, facility, start_date, end_date, "
        "quantity, unit); the workbook's sheets are 'Summary', '2024'. Choose one with --sheet (the admin: Sheet). "
        "[IMPORT_FILE_INVALID]"
    )


def test_an_unknown_sheet_lists_the_sheets(acme, run_command, tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {"Summary": [["total", 3]], "Bills": [TEMPLATE_HEADER]})

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme, "--sheet", "bills 2024"))

    assert str(error.value) == (
        "The workbook has no sheet 'bills 2024'; its sheets are 'Summary', 'Bills'. [IMPORT_FILE_INVALID]"
    )


# Encodings that keep working


def test_a_latin_1_file_from_excel_on_windows_is_read(acme, run_command, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (SPANISH_HEADER + "electricity;Factura Nº 7 año;Madrid office;2024-01-01;2024-01-31;1.200;kWh\n").encode(
            "latin-1"
        )
    )

    run_command(*import_args(path, acme))

    assert Invoice.objects.get().invoice_number == "Factura Nº 7 año"


def test_a_utf8_file_with_a_byte_order_mark_is_read(acme, run_command, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        (
            "\ufeff" + SPANISH_HEADER + "electricity;Factura Nº 8 €;Madrid office;2024-01-01;2024-01-31;1.200;kWh\n"
        ).encode()
    )

    run_command(*import_args(path, acme))

    assert Invoice.objects.get().invoice_number == "Factura Nº 8 €"


def test_values_beyond_the_header_refuse_the_row_instead_of_being_dropped(acme, run_command, tmp_path):
    path = tmp_path / "shifted.csv"
    path.write_text(",".join(TEMPLATE_HEADER) + "\nelectricity,US-1,Madrid office,2024-03-01,2024-03-31,1,500,kwh\n")

    lines, _ = errors_of(run_command, *import_args(path, acme))

    assert lines == [
        "row 2, unit: Unknown unit '500'; expected a code such as kwh, m3, litre or kg.",
        "row 2, (beyond the header): 'kwh' is beyond the header's last column; expected no values there (is a "
        "number with a comma not in quotes, or a row shifted?).",
    ]
