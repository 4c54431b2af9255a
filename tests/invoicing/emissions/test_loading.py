"""Loading factor datasets: the shipped files, the same CSV format, the DESNZ flat file; idempotent, all or nothing."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from invoicing.emissions.desnz import FLAT_FILE_IDS, GAS_PARTS
from invoicing.emissions.loader import CSV_COLUMNS, DATA_DIR, shipped_files
from invoicing.models import EmissionFactor, EmissionFactorDataset
from tests.factories import make_invoice

from .helpers import calculated, kg, published

ACME_ROW = {
    "publisher": "Acme Labs",
    "dataset": "Test factors",
    "version": "1",
    "year": "2024",
    "country": "FR",
    "region": "",
    "category": "fuel_combustion",
    "fuel_or_supplier": "Natural gas",
    "unit": "kWh",
    "kg_co2e_per_unit": "0.227",
    "kg_co2_per_unit": "",
    "kg_ch4_co2e_per_unit": "",
    "kg_n2o_co2e_per_unit": "",
    "biogenic_co2_per_unit": "",
    "calorific_basis": "gross",
    "scope_basis": "Scope 1",
    "source_document": "t.pdf",
    "source_location": "Table 3 row 1",
    "source_url": "https://example.org/factors",
}


def write_csv(tmp_path: Path, rows: list[dict[str, str]], name: str = "factors.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def load(path: Path, *options: str) -> str:
    out = StringIO()
    call_command("load_emission_factors", str(path), *options, stdout=out)
    return out.getvalue()


def stored() -> list[tuple]:
    datasets = EmissionFactorDataset.objects.order_by("id").values_list("id", "content_hash", "loaded_at")
    factors = EmissionFactor.objects.order_by("id").values_list(
        "id", "dataset_id", "category", "item", "year", "kg_co2e", "co2_kg", "biogenic_co2_kg", "source_location"
    )
    return [*datasets, *factors]


def test_every_database_has_every_row_of_every_shipped_file(db):
    rows_in_files = 0
    for path in shipped_files():
        with path.open(encoding="utf-8", newline="") as handle:
            rows_in_files += sum(1 for _ in csv.DictReader(handle))
    assert EmissionFactor.objects.count() == rows_in_files
    suppliers = EmissionFactor.objects.filter(dataset__publisher="MITECO", kind="supplier")
    assert suppliers.filter(year=2024).count() == 233
    assert suppliers.filter(year=2023).count() == 209  # 210 lines: AUDAX RENOVABLES is listed twice, both 0
    assert EmissionFactor.objects.filter(basis="co2_only", dataset__publisher="SEAI").count() == 7
    assert all(d.source_url for d in EmissionFactorDataset.objects.all())


def test_loading_every_shipped_file_twice_changes_nothing(db):
    before = stored()
    for _ in range(2):
        for path in shipped_files():
            output = load(path)
            assert "Loaded" not in output
            assert output.startswith("Unchanged: ")
    assert stored() == before


def test_a_file_in_the_shipped_format_loads_and_loading_it_again_changes_nothing(db, tmp_path):
    path = write_csv(tmp_path, [ACME_ROW, {**ACME_ROW, "unit": "m3", "calorific_basis": "", "kg_co2e_per_unit": "2.1"}])
    assert "Loaded Acme Labs / Test factors / 1: 2 factors" in load(path)
    before = stored()
    assert "Unchanged: Acme Labs / Test factors / 1 is already loaded with the same 2 figures." in load(path)
    assert stored() == before


def test_a_file_holds_one_dataset_per_publisher_name_and_version(db, tmp_path):
    path = write_csv(tmp_path, [ACME_ROW, {**ACME_ROW, "version": "2", "year": "2025"}])
    output = load(path)
    assert "Loaded Acme Labs / Test factors / 1: 1 factors" in output
    assert "Loaded Acme Labs / Test factors / 2: 1 factors" in output


def test_other_figures_under_a_loaded_version_are_refused_and_version_loads_them_beside(db, tmp_path):
    load(write_csv(tmp_path, [ACME_ROW]))
    changed = write_csv(tmp_path, [{**ACME_ROW, "kg_co2e_per_unit": "0.230"}], name="changed.csv")
    with pytest.raises(CommandError, match="DATASET_VERSION_CONFLICT"):
        load(changed)
    assert "Loaded Acme Labs / Test factors / 1, corrected: 1 factors" in load(changed, "--version", "1, corrected")
    values = EmissionFactor.objects.filter(dataset__publisher="Acme Labs")
    assert sorted(values.values_list("dataset__version", "kg_co2e")) == [
        ("1", Decimal("0.227")),
        ("1, corrected", Decimal("0.230")),
    ]


def test_a_malformed_file_loads_nothing_and_reports_each_bad_row(db, tmp_path):
    path = write_csv(
        tmp_path,
        [
            ACME_ROW,
            {**ACME_ROW, "country": "FRA", "kg_co2e_per_unit": "abc"},
            {**ACME_ROW, "category": "heating", "unit": "barrel", "year": "1800", "calorific_basis": "warm"},
            {**ACME_ROW, "kg_co2e_per_unit": "", "source_location": ""},
            ACME_ROW,
        ],
    )
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_emission_factors", str(path), stderr=err)
    assert "4 bad rows; nothing was loaded. [INVALID_FACTOR_FILE]" in str(caught.value)
    report = dict(line.strip().split(": ", 1) for line in err.getvalue().splitlines())
    assert set(report) == {"row 3", "row 4", "row 5", "row 6"}
    assert "country 'FRA' is not an ISO 3166 two-letter code" in report["row 3"]
    assert "kg_co2e_per_unit: 'abc' is not a number" in report["row 3"]
    for problem in ("unknown category 'heating'", "unknown unit 'barrel'", "year '1800'", "calorific_basis 'warm'"):
        assert problem in report["row 4"]
    assert report["row 5"] == "source_location is empty"
    assert report["row 6"].startswith("duplicate of row 2")
    assert not EmissionFactorDataset.objects.filter(publisher="Acme Labs").exists()


def test_a_file_without_the_columns_or_that_does_not_exist_is_one_clear_error(db, tmp_path):
    bare = tmp_path / "bare.csv"
    bare.write_text("category,kind,country\nstationary,standard,FR\n", encoding="utf-8")
    with pytest.raises(CommandError, match="the header lacks the column"):
        load(bare)
    with pytest.raises(CommandError, match="no such file"):
        load(tmp_path / "missing.csv")


def shipped_desnz_rows(year: int) -> dict[str, dict[str, str]]:
    """The rows of desnz_<year>.csv by flat-file id."""
    with (DATA_DIR / f"desnz_{year}.csv").open(encoding="utf-8", newline="") as handle:
        return {re.search(r"ID (\S+?):", row["source_location"]).group(1): row for row in csv.DictReader(handle)}  # type: ignore[union-attr]


def build_flat_file(path: Path, year: int, rows: dict[str, dict[str, str]], *, front_page: bool = True) -> Path:
    """A DESNZ flat file as DESNZ lays it out: a front page, then per factor its total and per-gas rows."""
    workbook = openpyxl.Workbook()
    if front_page:
        front = workbook.active
        front.title = "Front page"
        front.append(["UK Government GHG Conversion Factors for Company Reporting"])
        front.append(["Version:", 1.1, "Year:", year])
        front.append(["Updated:", datetime(2024, 10, 18)])
        sheet = workbook.create_sheet("Factors by Category")
    else:
        sheet = workbook.active
        sheet.title = "Factors by Category"
    sheet.append(["UK Government GHG Conversion Factors for Company Reporting"])
    sheet.append([])
    sheet.append(
        [
            "ID",
            "Scope",
            "Level 1",
            "Level 2",
            "Level 3",
            "Level 4",
            "Column Text",
            "UOM",
            "GHG/Unit",
            f"GHG Conversion Factor {year}",
        ]
    )
    outside = []
    for factor_id, row in rows.items():
        uom = _uom(factor_id)
        sheet.append(
            [
                factor_id,
                "Scope",
                row["category"],
                "",
                row["fuel_or_supplier"],
                "",
                "",
                uom,
                "kg CO2e",
                _cell(row["kg_co2e_per_unit"]),
            ]
        )
        for gas, column in zip(
            GAS_PARTS, ("kg_co2_per_unit", "kg_ch4_co2e_per_unit", "kg_n2o_co2e_per_unit"), strict=True
        ):
            if row[column]:
                sheet.append(
                    [factor_id[:-1] + gas, "Scope", "", "", "", "", "", uom, GAS_PARTS[gas], _cell(row[column])]
                )
        biogenic_id = FLAT_FILE_IDS[factor_id][4]
        if biogenic_id and row["biogenic_co2_per_unit"]:
            outside.append(
                [
                    biogenic_id,
                    "Outside of Scopes",
                    "",
                    "",
                    "",
                    "",
                    "",
                    _uom(biogenic_id),
                    "kg CO2e of CO2 per unit",
                    _cell(row["biogenic_co2_per_unit"]),
                ]
            )
    for line in outside:
        sheet.append(line)
    workbook.save(path)
    return path


def _uom(factor_id: str) -> str:
    return {"1": "cubic metres", "5": "kWh", "6": "kWh (Gross CV)", "7": "kWh (Net CV)", "8": "litres", "15": "tonnes"}[
        factor_id.split("_")[3]
    ]


def _cell(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def test_the_desnz_flat_file_with_the_published_figures_is_the_shipped_dataset(db, tmp_path):
    rows = shipped_desnz_rows(2024)
    assert set(rows) == set(FLAT_FILE_IDS)
    path = build_flat_file(tmp_path / "ghg-conversion-factors-2024-flat-format.xlsx", 2024, rows)
    assert load(path) == (
        "Unchanged: DESNZ / UK Government GHG Conversion Factors for Company Reporting / 2024 flat file v1.1 "
        "(updated 2024-10-18); GWP100 AR5 is already loaded with the same 86 figures.\n"
    )


def test_a_corrected_flat_file_is_refused_by_default_and_loads_as_a_new_version_beside_the_old(borealis, tmp_path):
    rows = shipped_desnz_rows(2024)
    rows["7_400_4000_5_1"] = {**rows["7_400_4000_5_1"], "kg_co2e_per_unit": "0.21"}  # the publisher's correction
    path = build_flat_file(tmp_path / "corrected.xlsx", 2024, rows)
    with pytest.raises(CommandError, match=r"already loaded with other figures.*\[DATASET_VERSION_CONFLICT\]"):
        load(path)
    output = load(path, "--version", "2024 flat file v1.2 (corrected)")
    corrected = "DESNZ / UK Government GHG Conversion Factors for Company Reporting / 2024 flat file v1.2 (corrected)"
    assert f"Loaded {corrected}: 86 factors" in output
    versions = EmissionFactorDataset.objects.filter(publisher="DESNZ", year=2024).values_list("version", flat=True)
    assert sorted(versions) == [
        "2024 flat file v1.1 (updated 2024-10-18); GWP100 AR5",
        "2024 flat file v1.2 (corrected)",
    ]
    row = calculated(make_invoice(borealis.facility, quantity="1000"), "electricity_location_based")
    assert (row.kg_co2e, row.dataset_version) == (Decimal("210"), "2024 flat file v1.2 (corrected)")
    assert row.source_document == "corrected.xlsx"
    previous_year = make_invoice(
        borealis.facility, quantity="1000", start_date=date(2023, 1, 1), end_date=date(2023, 1, 31)
    )
    grid_2023 = published("desnz_2023.csv", flat_file_id="7_400_4000_5_1")
    assert calculated(previous_year, "electricity_location_based").kg_co2e == kg(Decimal("1000") * grid_2023.value)


def test_a_flat_file_with_a_bad_known_row_loads_nothing(db, tmp_path):
    rows = shipped_desnz_rows(2024)
    rows = {
        "7_400_4000_5_1": {**rows["7_400_4000_5_1"], "kg_co2e_per_unit": "n/a"},
        "13_402_4000_5_1": rows["13_402_4000_5_1"],
    }
    path = build_flat_file(tmp_path / "bad.xlsx", 2027, rows)
    err = StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("load_emission_factors", str(path), stderr=err)
    assert "row 4: id 7_400_4000_5_1: 'n/a' is not a number" in err.getvalue()
    assert not EmissionFactorDataset.objects.filter(publisher="DESNZ", year=2027).exists()


def test_a_flat_file_without_a_front_page_needs_a_version(db, tmp_path):
    rows = shipped_desnz_rows(2024)
    path = build_flat_file(tmp_path / "bare.xlsx", 2027, {"7_400_4000_5_1": rows["7_400_4000_5_1"]}, front_page=False)
    with pytest.raises(CommandError, match="name the version with --version"):
        load(path)
    assert "Loaded DESNZ / UK Government GHG Conversion Factors for Company Reporting / 2027 test: 1 factors" in load(
        path, "--version", "2027 test"
    )


def test_a_file_that_is_not_a_workbook_is_refused(db, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match=r"not a readable \.xlsx workbook"):
        load(path)
