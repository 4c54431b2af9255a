from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from invoicing.models import Invoice
from tests.factories import make_facility_fuel, supplier
from tests.invoicing.commands.conftest import electricity_row, heat_row, water_row

pytestmark = pytest.mark.django_db


def import_args(path, tenant, *extra):  # type: ignore[no-untyped-def]
    return ("import_invoices", str(path), "--organization", str(tenant.organization.id), *extra)


def test_it_imports_every_row_of_a_valid_file_as_bulk_file_invoices(acme_gas, run_command, write_csv):
    user = get_user_model().objects.create_user("alice")
    path = write_csv([electricity_row(), heat_row(), water_row()])

    output = run_command(*import_args(path, acme_gas, "--user", "alice"))

    assert output.stdout.splitlines()[0] == "3 rows read; 3 invoices created."
    assert output.stderr == ""
    invoices = {invoice.type: invoice for invoice in Invoice.objects.filter(organization=acme_gas.organization)}
    assert set(invoices) == {"electricity", "heat", "water"}
    assert {invoice.source for invoice in invoices.values()} == {"bulk_file"}
    assert {invoice.uploaded_by for invoice in invoices.values()} == {user}
    electricity = invoices["electricity"]
    assert electricity.cups == "ES0021000000000001RK"
    assert electricity.quantity == Decimal("1500.5")
    assert electricity.original_quantity == Decimal("1500.5")
    assert electricity.supply_contract == acme_gas.contract  # found from facility, CUPS and date
    assert electricity.supplier == supplier("iberdrola-clientes")
    assert invoices["heat"].facility_fuel == make_facility_fuel(acme_gas.facility, "natural_gas")
    assert invoices["heat"].supplier == supplier("naturgy-iberia")
    assert invoices["water"].status == "active"  # the documented default


def test_importing_the_same_file_twice_leaves_one_copy_of_each_invoice(acme_gas, run_command, write_csv):
    path = write_csv([electricity_row(), heat_row(), water_row()])
    run_command(*import_args(path, acme_gas))

    output = run_command(*import_args(path, acme_gas))

    assert output.stdout.splitlines()[:2] == [
        "3 rows read; 0 invoices created.",
        "3 already imported, skipped (rows 2, 3, 4).",
    ]
    assert Invoice.objects.filter(organization=acme_gas.organization).count() == 3


def test_a_dry_run_lists_each_row_with_its_quantity_as_written_and_as_read_and_writes_nothing(
    acme_gas, run_command, write_csv
):
    path = write_csv([electricity_row(), heat_row()])

    output = run_command(*import_args(path, acme_gas, "--dry-run"))

    assert output.stdout.splitlines() == [
        "row 2, E-2024-01: quantity '1500.5' read as 1500.5 kwh; would be created.",
        "row 3, G-2024-01: quantity '9000' read as 9000 kwh; would be created.",
        "2 rows read; 2 invoices would be created (dry run: nothing was written).",
    ]
    assert not Invoice.objects.exists()


def test_it_imports_an_xlsx_workbook_with_date_cells(acme, run_command, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Type", "Invoice Number", "Facility", "Start Date", "End Date", "Quantity", "Unit"])
    sheet.append(
        ["electricity", "X-1", "Madrid office", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), 2.5, "MWh"]
    )
    sheet.append(["electricity", "X-2", str(acme.facility.id), "2024-03-01", "2024-03-31", 1800, "kwh"])
    path = tmp_path / "invoices.xlsx"
    workbook.save(path)

    output = run_command(*import_args(path, acme))

    assert output.stdout.startswith("2 rows read; 2 invoices created.")
    first, second = Invoice.objects.order_by("invoice_number")
    assert (first.start_date, first.end_date, first.quantity, first.unit.code) == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 2, 29),
        Decimal("2.5"),
        "mwh",
    )
    assert (second.facility, second.quantity) == (acme.facility, Decimal(1800))


def test_an_unknown_organization_is_refused(run_command, write_csv, db):
    path = write_csv([electricity_row()])

    with pytest.raises(CommandError) as error:
        run_command("import_invoices", str(path), "--organization", "00000000-0000-0000-0000-000000000000")

    assert str(error.value) == "No organization with id 00000000-0000-0000-0000-000000000000. [NOT_FOUND]"


def test_an_organization_id_that_is_not_a_uuid_is_refused(run_command, write_csv, db):
    path = write_csv([electricity_row()])

    with pytest.raises(CommandError) as error:
        run_command("import_invoices", str(path), "--organization", "acme")

    assert str(error.value) == "--organization must be a UUID, not 'acme'. [VALIDATION_ERROR]"


def test_a_file_with_missing_columns_is_refused_as_a_whole(acme, run_command, write_csv):
    path = write_csv([electricity_row()], columns=["type", "invoice_number", "facility", "start_date", "unit"])

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme))

    assert str(error.value) == "Missing columns: end_date, quantity. [IMPORT_FILE_INVALID]"


def test_an_unknown_column_is_refused_so_typos_do_not_lose_data(acme, run_command, tmp_path):
    path = tmp_path / "typo.csv"
    path.write_text("type,invoice_number,facility,start_date,end_date,quantity,unit,suplier\n")

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme))

    assert str(error.value).startswith(
        "Unknown column: suplier (did you mean supplier?). Expected: type, invoice_number, facility,"
    )


def test_a_misnamed_column_is_named_beside_the_missing_one_with_the_closest_name(acme, run_command, tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_text("type,invoice_nr,facility,start_date,end_date,quantity,unit\n")

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme))

    assert str(error.value).startswith(
        "Missing column: invoice_number; unknown column: invoice_nr (did you mean invoice_number?). Expected: type,"
    )


def test_a_file_of_another_format_is_refused(acme, run_command, tmp_path):
    path = tmp_path / "invoices.pdf"
    path.write_bytes(b"%PDF-1.7")

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme))

    assert str(error.value) == "Unsupported file type '.pdf': use .csv or .xlsx. [IMPORT_FILE_INVALID]"


def test_a_missing_file_is_one_clear_error(acme, run_command, tmp_path):
    with pytest.raises(CommandError) as error:
        run_command(*import_args(tmp_path / "nope.csv", acme))

    assert str(error.value) == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory. [IMPORT_FILE_INVALID]"


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_imported(
    acme_gas, borealis, run_command, write_csv
):
    path = write_csv(
        [
            electricity_row(invoice_number="OK-1"),
            electricity_row(invoice_number="D-1", start_date="2024-02-30"),
            electricity_row(invoice_number="D-2", start_date="2024-03-01", end_date="2024-02-01"),
            electricity_row(invoice_number="F-1", facility="Paris office"),
            electricity_row(invoice_number="F-2", facility="London office"),  # Borealis's, not Acme's
            electricity_row(invoice_number="C-1", cups="ES0021000000000001XX"),
            electricity_row(invoice_number="Q-1", quantity="-5"),
            electricity_row(invoice_number="Q-2", quantity="1,500"),
            electricity_row(invoice_number="U-1", unit="m3"),
            heat_row(invoice_number="H-1", fuel="diesel"),
            electricity_row(invoice_number="OK-1"),
            electricity_row(invoice_number="T-1", type="gas"),
        ]
    )

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme_gas))

    assert str(error.value) == (
        "11 of 12 rows are invalid; nothing was imported (fix them, or use --skip-invalid to import the others). "
        "[IMPORT_ROWS_INVALID]"
    )
    assert not Invoice.objects.exists()


def test_the_problems_are_listed_on_stderr_one_per_line(acme_gas, write_csv, capsys):
    path = write_csv(
        [
            electricity_row(invoice_number="OK-1"),
            electricity_row(invoice_number="D-1", start_date="2024-02-30"),
            electricity_row(invoice_number="D-2", start_date="2024-03-01", end_date="2024-02-01"),
            electricity_row(invoice_number="F-1", facility="Paris office"),
            electricity_row(invoice_number="F-2", facility="London office"),
            electricity_row(invoice_number="C-1", cups="ES0021000000000001XX"),
            electricity_row(invoice_number="Q-1", quantity="-5"),
            electricity_row(invoice_number="Q-2", quantity="1,500"),
            electricity_row(invoice_number="U-1", unit="m3"),
            heat_row(invoice_number="H-1", fuel="diesel"),
            electricity_row(invoice_number="OK-1"),
            electricity_row(invoice_number="T-1", type="gas", unit="", cups=""),
        ]
    )
    stderr = StringIO()

    with pytest.raises(CommandError):
        call_command(*import_args(path, acme_gas), stdout=StringIO(), stderr=stderr)

    assert stderr.getvalue().splitlines() == [
        "row 3, start_date: 2024-02-30 is not a date that exists.",
        "row 4, end_date: 2024-02-01 is before the start date 2024-03-01; expected the last day of the period, "
        "on or after its first.",
        "row 5, facility: Unknown facility 'Paris office'; expected the name or id of a facility of this organization.",
        "row 6, facility: Unknown facility 'London office'; expected the name or id of a facility of this "
        "organization.",
        "row 7, cups: Invalid CUPS 'ES0021000000000001XX': expected ES, 16 digits and 2 matching check letters.",
        "row 8, quantity: -5 is negative; expected 0 or more.",
        "row 9, quantity: '1,500' has a comma, but in a ,-separated file '.' is the decimal mark and no thousands "
        "mark is accepted (12345.67): it could be 1500 with ',' grouping thousands or 1.5 with ',' as the decimal "
        "mark; write it as in 1234.5.",
        "row 10, unit: 'm3' is a unit of volume; electricity invoices need a unit of energy.",
        "row 11, fuel: Facility 'Madrid office' has no fuel 'diesel'; expected one of its fuels.",
        "row 12, invoice_number: 'OK-1' repeats row 2 (the same facility, invoice number and period; numbers are "
        "compared without regard to case or surrounding spaces); expected each bill once.",
        "row 13, type: Unknown invoice type 'gas'; expected one of heat, electricity, water, recharge.",
        "row 13, unit: Empty; expected unit code (kwh, mwh, gj, m3, litre, kg, tonne), symbol or id.",
    ]


def test_skip_invalid_imports_the_valid_rows_and_reports_the_skipped_ones(acme, run_command, write_csv):
    path = write_csv(
        [
            electricity_row(invoice_number="A"),
            electricity_row(invoice_number="B", quantity="-1"),
            electricity_row(invoice_number="C", start_date="2024-02-01", end_date="2024-02-29"),
            electricity_row(invoice_number="A"),
        ]
    )

    output = run_command(*import_args(path, acme, "--skip-invalid"))

    assert output.stdout.splitlines()[:2] == [
        "4 rows read; 2 invoices created.",
        "2 invalid rows skipped (rows 3, 5).",
    ]
    assert output.stderr.splitlines() == [
        "row 3, quantity: -1 is negative; expected 0 or more.",
        "row 5, invoice_number: 'A' repeats row 2 (the same facility, invoice number and period; numbers are "
        "compared without regard to case or surrounding spaces); expected each bill once.",
    ]
    assert sorted(Invoice.objects.values_list("invoice_number", flat=True)) == ["A", "C"]


def test_a_heat_invoice_needs_a_fuel_and_others_may_not_have_one(acme_gas, run_command, write_csv):
    path = write_csv([heat_row(fuel=""), water_row(fuel="natural_gas")])

    with pytest.raises(CommandError):
        run_command(*import_args(path, acme_gas))


def test_an_unknown_user_is_refused(acme, run_command, write_csv):
    path = write_csv([electricity_row()])

    with pytest.raises(CommandError) as error:
        run_command(*import_args(path, acme, "--user", "nobody"))

    assert str(error.value) == "No user named 'nobody'. [NOT_FOUND]"


def test_a_semicolon_separated_csv_from_spanish_excel_is_read(acme, run_command, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufefftype;invoice_number;facility;start_date;end_date;quantity;unit\n"
        "electricity;F/2024/001;madrid office;2024-01-01;2024-01-31;1200;kWh\n".encode()
    )

    output = run_command(*import_args(path, acme))

    assert output.stdout.startswith("1 row read; 1 invoice created.")
    assert Invoice.objects.get().invoice_number == "F/2024/001"


def test_the_documented_template_imports_as_it_is(acme_gas, run_command, settings):
    from pathlib import Path

    path = Path(settings.BASE_DIR) / "docs" / "import_template.csv"

    output = run_command(*import_args(path, acme_gas, "--dry-run"))

    assert output.stdout.splitlines()[-1] == "3 rows read; 3 invoices would be created (dry run: nothing was written)."


def test_the_new_invoices_emissions_are_started_per_type_with_every_applicable_category(
    acme_gas, run_command, write_csv
):
    from jobs.models import ProcessingJob

    path = write_csv([electricity_row(), heat_row(), water_row()])

    output = run_command(*import_args(path, acme_gas))

    jobs = ProcessingJob.objects.all()
    assert sorted((job.activity_category, job.items_total, job.trigger) for job in jobs) == [
        ("electricity", 1, "command"),
        ("electricity_generation", 1, "command"),
        ("electricity_location_based", 1, "command"),
        ("electricity_transmission_and_distribution", 1, "command"),
        ("energy", 1, "command"),
        ("energy", 1, "command"),
        ("stationary", 1, "command"),
        ("stationary_generation", 1, "command"),
    ]
    assert "Emissions are being calculated by 8 background jobs:" in output.stdout.splitlines()


def test_spanish_gas_billed_in_m3_carries_the_bills_conversion_factor(acme, run_command, write_csv):
    make_facility_fuel(acme.facility, "natural_gas")
    path = write_csv([heat_row(unit="m3", quantity="250", kwh_per_m3="11.70")])

    run_command(*import_args(path, acme))

    assert Invoice.objects.get().kwh_per_m3 == Decimal("11.70")


def test_a_conversion_factor_on_an_electricity_row_is_refused(acme, write_csv):
    path = write_csv([electricity_row(kwh_per_m3="11.70")])
    stderr = StringIO()

    with pytest.raises(CommandError):
        call_command(*import_args(path, acme), stdout=StringIO(), stderr=stderr)

    assert stderr.getvalue().splitlines() == [
        "row 2, kwh_per_m3: Only heat invoices (gas billed in m³) have a kWh per m³ factor."
    ]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("bills", [1, 20])
def test_checking_a_file_costs_the_same_queries_whatever_its_length(
    acme_gas, write_csv, django_assert_num_queries, bills
):
    from invoicing.imports.service import invoice_import

    rows = [
        row
        for number in range(bills)
        for row in (
            electricity_row(invoice_number=f"E-{number}"),
            heat_row(invoice_number=f"G-{number}"),
            water_row(invoice_number=f"W-{number}"),
        )
    ]
    path = write_csv(rows)

    # 13: the row validator's five lookup tables (facilities, units, suppliers, fuels, facility fuels; the
    # calculation-inputs resolver is handed the suppliers and facility fuels instead of reading them again)
    # and the resolver's contracts; the temporary rows table (drop, create, index) and, for the one chunk,
    # COPY, ANALYZE and the classification; the table's drop at the end.
    with django_assert_num_queries(13):
        report = invoice_import(organization=acme_gas.organization, source=path, dry_run=True)

    assert report.new_count == 3 * bills
