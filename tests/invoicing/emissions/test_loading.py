"""Loading factor datasets: shipped defaults, our CSV format, the DESNZ flat file; idempotent, all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from invoicing.emissions.desnz import DESNZ_IDS
from invoicing.emissions.loader import CSV_COLUMNS
from invoicing.models import EmissionFactor, EmissionFactorDataset

HEADER = ",".join(CSV_COLUMNS)
META = """# publisher: Acme Labs
# name: Test factors
# version: {version}
# year: 2024
# source_url: https://example.org/factors
# licence: CC BY 4.0
"""
# §5.1 figures, as the official flat file prints them
DESNZ_2024 = {
    "1_100_1004_6_1": ("kWh (Gross CV)", 0.1829), "1_100_1004_7_1": ("kWh (Net CV)", 0.20264),
    "1_100_1004_1_1": ("cubic metres", 2.04542), "7_400_4000_5_1": ("kWh", 0.20705),
    "13_402_4000_5_1": ("kWh", 0.0183), "11_100_1004_6_1": ("kWh (Gross CV)", 0.03021),
    "11_100_1004_1_1": ("cubic metres", 0.3366), "15_917_4000_5_1": ("kWh", 0.0459),
    "15_918_4000_5_1": ("kWh", 0.00397), "1_101_1011_8_1": ("litres", 2.51279),
    "11_101_1011_8_1": ("litres", 0.61101), "1_101_1010_8_1": ("litres", 2.54015),
    "1_101_1014_8_1": ("litres", 2.75541), "1_101_1013_8_1": ("litres", 3.17493),
    "1_100_1003_8_1": ("litres", 1.55713), "1_100_1007_8_1": ("litres", 1.54357),
    "2_104_1045_5_1": ("kWh", 0.01132), "2_104_1045_15_1": ("tonnes", 54.33654),
    "12_901_1045_5_1": ("kWh", 0.03744), "10_401_4002_5_1": ("kWh", 0.17965),
}  # fmt: skip


def write_csv(tmp_path: Path, rows: list[str], version: str = "1") -> Path:
    path = tmp_path / f"factors-{version}.csv"
    path.write_text(META.format(version=version) + HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> str:
    out = StringIO()
    call_command("load_emission_factors", str(path), stdout=out)
    return out.getvalue()


GOOD = [
    "stationary,standard,FR,,natural_gas,,kwh,gross,0.227,,,,,2024,Table 3 row 1",
    "electricity,supplier,FR,,,EDF SA,kwh,,0.0321,,,,,2024,Table 9 row 4",
]


def test_every_database_has_the_shipped_datasets(db):
    publishers = set(EmissionFactorDataset.objects.values_list("publisher", flat=True))
    assert publishers == {"DESNZ", "MITECO", "Ember", "Electricity Maps"}
    miteco = EmissionFactor.objects.filter(dataset__publisher="MITECO", kind="supplier")
    assert miteco.filter(year=2024).count() == 233
    assert miteco.filter(year=2023).count() == 209
    residual = miteco.model.objects.get(dataset__publisher="MITECO", kind="residual_mix", year=2015)
    assert residual.kg_co2e == Decimal("0.400")
    assert all(d.licence and d.source_url for d in EmissionFactorDataset.objects.all())


def test_a_csv_dataset_loads_and_loading_it_again_changes_nothing(db, tmp_path):
    path = write_csv(tmp_path, GOOD)
    assert "Loaded Acme Labs / Test factors / 1: 2 factors" in load(path)
    ids = sorted(EmissionFactor.objects.filter(dataset__publisher="Acme Labs").values_list("id", flat=True))
    assert "Unchanged" in load(path)
    assert sorted(EmissionFactor.objects.filter(dataset__publisher="Acme Labs").values_list("id", flat=True)) == ids
    assert EmissionFactorDataset.objects.filter(publisher="Acme Labs").count() == 1


def test_other_figures_under_a_loaded_version_are_refused_and_a_new_version_is_a_new_dataset(db, tmp_path):
    load(write_csv(tmp_path, GOOD))
    changed = [GOOD[0].replace("0.227", "0.230")]
    with pytest.raises(CommandError, match="DATASET_VERSION_CONFLICT"):
        load(write_csv(tmp_path, changed))
    load(write_csv(tmp_path, changed, version="2"))
    values = EmissionFactor.objects.filter(dataset__publisher="Acme Labs", fuel__code="natural_gas")
    assert sorted(values.values_list("dataset__version", "kg_co2e")) == [
        ("1", Decimal("0.2270000000")),
        ("2", Decimal("0.2300000000")),
    ]


def test_a_malformed_file_loads_nothing_and_reports_each_bad_row(db, tmp_path):
    path = write_csv(
        tmp_path,
        [
            GOOD[0],
            "stationary,standard,FRA,,natural_gas,,kwh,gross,abc,,,,,2024,x",
            "heating,standard,FR,,coal,,barrel,warm,0.1,,,,,1800,x",
            GOOD[0],
        ],
    )
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_emission_factors", str(path), stderr=err)
    assert "3 bad row(s); nothing was loaded. [INVALID_FACTOR_FILE]" in str(caught.value)
    report = err.getvalue()
    assert "row 9: country 'FRA'" in report
    assert "'abc' is not a number" in report
    assert "row 10: unknown category 'heating'" in report
    assert "unknown fuel 'coal'" in report
    assert "unknown unit 'barrel'" in report
    assert "year '1800'" in report
    assert "row 11: duplicate of row 8" in report
    assert not EmissionFactorDataset.objects.filter(publisher="Acme Labs").exists()


def test_a_file_without_metadata_or_that_does_not_exist_is_one_clear_error(db, tmp_path):
    bare = tmp_path / "bare.csv"
    bare.write_text(HEADER + "\n" + GOOD[0] + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="INVALID_FACTOR_FILE"):
        load(bare)
    with pytest.raises(CommandError, match="no such file"):
        load(tmp_path / "missing.csv")


def build_flat_file(path: Path, year: int, factors: Mapping[str, tuple[str, float | str]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Factors by Category"
    sheet.append(["UK Government GHG Conversion Factors for Company Reporting"])
    sheet.append([])
    sheet.append(["ID", "Scope", "Level 1", "Level 2", "Level 3", "Level 4", "Column Text", "UOM", "GHG/Unit",
                  f"GHG Conversion Factor {year}"])  # fmt: skip
    sheet.append(["1_100_1000_6_1", "Scope 1", "Fuels", "Gaseous fuels", "Butane", "", "", "kWh (Gross CV)",
                  "kg CO2e", 0.22])  # fmt: skip
    for factor_id, (uom, value) in factors.items():
        sheet.append([factor_id, "Scope 1", "Fuels", "", "", "", "", uom, "kg CO2e", value])
        sheet.append([factor_id[:-1] + "2", "Scope 1", "Fuels", "", "", "", "", uom, "kg CO2e of CO2 per unit", 0.1])
    workbook.save(path)
    return path


def test_the_desnz_flat_file_gives_exactly_the_shipped_2024_dataset(db, tmp_path):
    path = build_flat_file(tmp_path / "flat-2024.xlsx", 2024, DESNZ_2024)
    assert set(DESNZ_2024) == set(DESNZ_IDS)
    assert "Unchanged: DESNZ" in load(path)


def test_the_desnz_flat_file_loads_a_new_year_as_a_new_dataset(db, tmp_path):
    path = build_flat_file(tmp_path / "flat-2025.xlsx", 2025, {"7_400_4000_5_1": ("kWh", 0.177)})
    assert "Loaded DESNZ / UK Government GHG Conversion Factors for Company Reporting / 2025: 1 factors" in load(path)
    row = EmissionFactor.objects.get(dataset__publisher="DESNZ", year=2025)
    assert (row.category, row.kind, row.country, row.kg_co2e) == (
        "electricity_location_based",
        "grid_average",
        "GB",
        Decimal("0.177"),
    )
    assert "Unchanged" in load(path)


def test_a_flat_file_with_a_bad_known_row_loads_nothing(db, tmp_path):
    path = build_flat_file(
        tmp_path / "bad.xlsx",
        2025,
        {"7_400_4000_5_1": ("kWh", "n/a"), "13_402_4000_5_1": ("litres", 0.018), "15_917_4000_5_1": ("kWh", 0.04)},
    )
    err = StringIO()
    with pytest.raises(CommandError, match="2 bad row"):
        call_command("load_emission_factors", str(path), stderr=err)
    assert "row 5: factor: 'n/a' is not a number" in err.getvalue()
    assert "row 7: id 13_402_4000_5_1 has UOM 'litres', expected 'kwh'" in err.getvalue()
    assert not EmissionFactorDataset.objects.filter(publisher="DESNZ", version="2025").exists()


def test_a_file_that_is_not_a_workbook_is_refused(db, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match=r"not a readable \.xlsx workbook"):
        load(path)
