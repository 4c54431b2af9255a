"""Reading the official DESNZ "flat file" of UK GHG conversion factors (xlsx, openpyxl).

The flat file has a few title rows, then a header row: ID, Scope, Level 1, Level 2, Level 3,
Level 4, Column Text, UOM, GHG/Unit, "GHG Conversion Factor <year>". We take the rows whose ID is
in DESNZ_IDS (the factors this product uses, domain.md §5.1); every other row is ignored. The ID's
fourth part is the unit (1 m³, 5 kWh, 6 kWh gross CV, 7 kWh net CV, 8 litres, 15 tonnes) and its
last part the gas (1 = total kg CO2e), which is checked against the UOM and GHG/Unit columns.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .loader import DatasetMeta, FactorRow, ParsedDataset, _check_duplicates, _RowErrors, decimal_or_error

PUBLISHER = "DESNZ"
NAME = "UK Government GHG Conversion Factors for Company Reporting"
LICENCE = "Open Government Licence v3.0 (Crown copyright)."
SOURCE_URL = "https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-{year}"

# flat-file id → (category, kind, fuel code)
DESNZ_IDS: dict[str, tuple[str, str, str]] = {
    "1_100_1004_6_1": ("stationary", "standard", "natural_gas"),
    "1_100_1004_7_1": ("stationary", "standard", "natural_gas"),
    "1_100_1004_1_1": ("stationary", "standard", "natural_gas"),
    "7_400_4000_5_1": ("electricity_location_based", "grid_average", ""),
    "13_402_4000_5_1": ("electricity_transmission_and_distribution", "standard", ""),
    "11_100_1004_6_1": ("stationary_generation", "standard", "natural_gas"),
    "11_100_1004_1_1": ("stationary_generation", "standard", "natural_gas"),
    "15_917_4000_5_1": ("electricity_generation", "standard", ""),
    "15_918_4000_5_1": ("electricity_transmission_and_distribution", "wtt_td", ""),
    "1_101_1011_8_1": ("stationary", "standard", "diesel"),
    "11_101_1011_8_1": ("stationary_generation", "standard", "diesel"),
    "1_101_1010_8_1": ("stationary", "standard", "burning_oil"),
    "1_101_1014_8_1": ("stationary", "standard", "gas_oil"),
    "1_101_1013_8_1": ("stationary", "standard", "fuel_oil"),
    "1_100_1003_8_1": ("stationary", "standard", "lpg"),
    "1_100_1007_8_1": ("stationary", "standard", "propane"),
    "2_104_1045_5_1": ("stationary", "standard", "wood_pellets"),
    "2_104_1045_15_1": ("stationary", "standard", "wood_pellets"),
    "12_901_1045_5_1": ("stationary_generation", "standard", "wood_pellets"),
    "10_401_4002_5_1": ("stationary", "standard", "district_heat"),
}
# unit part of the id → (our unit code, calorific basis, UOM text in the file)
UNIT_PARTS: dict[str, tuple[str, str, str]] = {
    "1": ("m3", "", "cubic metres"),
    "5": ("kwh", "", "kwh"),
    "6": ("kwh", "gross", "kwh (gross cv)"),
    "7": ("kwh", "net", "kwh (net cv)"),
    "8": ("litre", "", "litres"),
    "15": ("tonne", "", "tonnes"),
}
HEADER_FACTOR = re.compile(r"^GHG Conversion Factor (\d{4})$", re.IGNORECASE)


def _find_header(workbook: Any) -> tuple[Any, int, dict[str, int], int] | None:
    for sheet in workbook.worksheets:
        for number, row in enumerate(sheet.iter_rows(max_row=60, values_only=True), start=1):
            cells = [str(cell).strip() if cell is not None else "" for cell in row]
            if cells and cells[0].upper() == "ID":
                columns = {name.lower(): index for index, name in enumerate(cells) if name}
                for name, index in columns.items():
                    match = HEADER_FACTOR.match(name)
                    if match:
                        return sheet, number, {**columns, "factor": index}, int(match.group(1))
    return None


def parse_desnz_flat_file(path: Path) -> ParsedDataset:
    import openpyxl

    errors = _RowErrors()
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        errors.add("file", f"not a readable .xlsx workbook ({exc.__class__.__name__})")
        errors.raise_if_any(path.name)
        raise AssertionError("unreachable") from exc
    found = _find_header(workbook)
    if found is None:
        errors.add("file", "no header row 'ID … GHG Conversion Factor <year>' (is this the DESNZ flat file?)")
        errors.raise_if_any(path.name)
        raise AssertionError("unreachable")
    sheet, header_row, columns, year = found
    needed = ("uom", "ghg/unit")
    if any(name not in columns for name in needed):
        errors.add(header_row, "header lacks the UOM or GHG/Unit column")
        errors.raise_if_any(path.name)
    numbered: list[tuple[int, FactorRow]] = []
    for number, row in enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
        factor_id = str(row[0]).strip() if row and row[0] is not None else ""
        if factor_id not in DESNZ_IDS:
            continue
        category, kind, fuel = DESNZ_IDS[factor_id]
        unit, basis, uom = UNIT_PARTS[factor_id.split("_")[3]]
        problems = []
        file_uom = str(row[columns["uom"]] or "").strip()
        if file_uom.lower() != uom:
            problems.append(f"id {factor_id} has UOM {file_uom!r}, expected {uom!r}")
        if str(row[columns["ghg/unit"]] or "").strip().lower() != "kg co2e":
            problems.append(f"id {factor_id} is not a total kg CO2e row")
        try:
            value = decimal_or_error(str(row[columns["factor"]] or "").strip(), required=True)
        except ValueError as exc:
            problems.append(f"factor: {exc}")
        if problems:
            errors.add(number, "; ".join(problems))
            continue
        numbered.append(
            (
                number,
                FactorRow(
                    category=category,
                    kind=kind,
                    country="GB",
                    region="",
                    fuel=fuel,
                    supplier="",
                    unit=unit,
                    calorific_basis=basis,
                    kg_co2e=value,  # type: ignore[arg-type]
                    co2_kg=None,
                    ch4_g=None,
                    n2o_g=None,
                    biogenic_co2_kg=None,
                    year=year,
                    source_reference=factor_id,
                ),
            )
        )
    workbook.close()
    if not numbered and not errors.by_row:
        errors.add("file", f"none of the {len(DESNZ_IDS)} factor ids this product uses were found")
    _check_duplicates(numbered, errors)
    errors.raise_if_any(path.name)
    meta = DatasetMeta(PUBLISHER, NAME, str(year), year, SOURCE_URL.format(year=year), LICENCE, rank=10)
    return ParsedDataset(meta=meta, rows=[row for _, row in numbered])
