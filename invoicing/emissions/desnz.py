"""Reading the official DESNZ "flat file" of UK GHG conversion factors (xlsx, 2023 edition on).

The sheet "Factors by Category" has a header row `ID, Scope, Level 1 … UOM, GHG/Unit, GHG
Conversion Factor <year>`, then one row per factor and gas: an id's last part is the gas (1 = total
kg CO2e, 2 = CO2, 3 = CH4, 4 = N2O, each in kg CO2e) and its fourth part the unit (UNIT_PARTS).
Biogenic CO2 is in the "Outside of scopes" rows (ids 99_…). We read the 86 totals this product
ships (FLAT_FILE_IDS, the rows of the shipped desnz_*.csv) with their per-gas and biogenic rows,
each value as the workbook displays it (rounded to its cell's number format), so that the official
file gives the figures of the shipped CSV. The front page gives the version and update date.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from .loader import DatasetMeta, FactorRow, ParsedDataset, RowErrors, fuel_and_kind, group_datasets

PUBLISHER = "DESNZ"
NAME = "UK Government GHG Conversion Factors for Company Reporting"
SOURCE_URL = "https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-{year}"
# The GWP set of each edition, as its full set's Introduction sheet states (the flat file does not).
GWP = {2023: "AR5", 2024: "AR5", 2025: "AR5", 2026: "AR5"}

# unit part of the id → (our unit code, UOM text in the file)
UNIT_PARTS: dict[str, tuple[str, str]] = {
    "1": ("m3", "cubic metres"),
    "5": ("kwh", "kwh"),
    "6": ("kwh", "kwh (gross cv)"),
    "7": ("kwh", "kwh (net cv)"),
    "8": ("litre", "litres"),
    "15": ("tonne", "tonnes"),
}
GAS_PARTS = {"2": "kg co2e of co2 per unit", "3": "kg co2e of ch4 per unit", "4": "kg co2e of n2o per unit"}
HEADER_FACTOR = re.compile(r"^GHG Conversion Factor (\d{4})$", re.IGNORECASE)

SCOPES = (
    "Scope 1 (CH4+N2O only; biogenic CO2 outside of scopes)",
    "Scope 1 (stationary combustion)",
    "Scope 2 (purchased heat and steam)",
    "Scope 2 location-based (direct emissions of generation)",
    "Scope 3 cat. 3 (T&D losses)",
    "Scope 3 cat. 3 (distribution losses of district heat)",
    "Scope 3 cat. 3 (upstream of T&D losses)",
    "Scope 3 cat. 3 (upstream of district heat distribution losses)",
    "Scope 3 cat. 3 (upstream of generation)",
    "Scope 3 cat. 3 (upstream of purchased heat)",
    "Scope 3 cat. 3 (well-to-tank of fuel)",
)
# id of the total (kg CO2e) → (category, published name, calorific basis, scope, id of its biogenic CO2)
FLAT_FILE_IDS: dict[str, tuple[str, str, str, str, str | None]] = {
    "1_100_1004_15_1": ("fuel_combustion", "Natural gas", "", SCOPES[1], None),
    "1_100_1004_1_1": ("fuel_combustion", "Natural gas", "", SCOPES[1], None),
    "1_100_1004_7_1": ("fuel_combustion", "Natural gas", "net", SCOPES[1], None),
    "1_100_1004_6_1": ("fuel_combustion", "Natural gas", "gross", SCOPES[1], None),
    "11_100_1004_15_1": ("fuel_wtt", "Natural gas", "", SCOPES[10], None),
    "11_100_1004_1_1": ("fuel_wtt", "Natural gas", "", SCOPES[10], None),
    "11_100_1004_7_1": ("fuel_wtt", "Natural gas", "net", SCOPES[10], None),
    "11_100_1004_6_1": ("fuel_wtt", "Natural gas", "gross", SCOPES[10], None),
    "1_100_1003_15_1": ("fuel_combustion", "LPG", "", SCOPES[1], None),
    "1_100_1003_8_1": ("fuel_combustion", "LPG", "", SCOPES[1], None),
    "1_100_1003_7_1": ("fuel_combustion", "LPG", "net", SCOPES[1], None),
    "1_100_1003_6_1": ("fuel_combustion", "LPG", "gross", SCOPES[1], None),
    "11_100_1003_15_1": ("fuel_wtt", "LPG", "", SCOPES[10], None),
    "11_100_1003_8_1": ("fuel_wtt", "LPG", "", SCOPES[10], None),
    "11_100_1003_7_1": ("fuel_wtt", "LPG", "net", SCOPES[10], None),
    "11_100_1003_6_1": ("fuel_wtt", "LPG", "gross", SCOPES[10], None),
    "1_100_1007_15_1": ("fuel_combustion", "Propane", "", SCOPES[1], None),
    "1_100_1007_8_1": ("fuel_combustion", "Propane", "", SCOPES[1], None),
    "1_100_1007_7_1": ("fuel_combustion", "Propane", "net", SCOPES[1], None),
    "1_100_1007_6_1": ("fuel_combustion", "Propane", "gross", SCOPES[1], None),
    "11_100_1007_15_1": ("fuel_wtt", "Propane", "", SCOPES[10], None),
    "11_100_1007_8_1": ("fuel_wtt", "Propane", "", SCOPES[10], None),
    "11_100_1007_7_1": ("fuel_wtt", "Propane", "net", SCOPES[10], None),
    "11_100_1007_6_1": ("fuel_wtt", "Propane", "gross", SCOPES[10], None),
    "1_100_1000_15_1": ("fuel_combustion", "Butane", "", SCOPES[1], None),
    "1_100_1000_8_1": ("fuel_combustion", "Butane", "", SCOPES[1], None),
    "1_100_1000_7_1": ("fuel_combustion", "Butane", "net", SCOPES[1], None),
    "1_100_1000_6_1": ("fuel_combustion", "Butane", "gross", SCOPES[1], None),
    "11_100_1000_15_1": ("fuel_wtt", "Butane", "", SCOPES[10], None),
    "11_100_1000_8_1": ("fuel_wtt", "Butane", "", SCOPES[10], None),
    "11_100_1000_7_1": ("fuel_wtt", "Butane", "net", SCOPES[10], None),
    "11_100_1000_6_1": ("fuel_wtt", "Butane", "gross", SCOPES[10], None),
    "1_101_1014_15_1": ("fuel_combustion", "Gas oil", "", SCOPES[1], None),
    "1_101_1014_8_1": ("fuel_combustion", "Gas oil", "", SCOPES[1], None),
    "1_101_1014_7_1": ("fuel_combustion", "Gas oil", "net", SCOPES[1], None),
    "1_101_1014_6_1": ("fuel_combustion", "Gas oil", "gross", SCOPES[1], None),
    "11_101_1014_15_1": ("fuel_wtt", "Gas oil", "", SCOPES[10], None),
    "11_101_1014_8_1": ("fuel_wtt", "Gas oil", "", SCOPES[10], None),
    "11_101_1014_7_1": ("fuel_wtt", "Gas oil", "net", SCOPES[10], None),
    "11_101_1014_6_1": ("fuel_wtt", "Gas oil", "gross", SCOPES[10], None),
    "1_101_1011_15_1": ("fuel_combustion", "Diesel (average biofuel blend)", "", SCOPES[1], "99_604_1011_15_2"),
    "1_101_1011_8_1": ("fuel_combustion", "Diesel (average biofuel blend)", "", SCOPES[1], "99_604_1011_8_2"),
    "1_101_1011_7_1": ("fuel_combustion", "Diesel (average biofuel blend)", "net", SCOPES[1], "99_604_1011_5_2"),
    "1_101_1011_6_1": ("fuel_combustion", "Diesel (average biofuel blend)", "gross", SCOPES[1], None),
    "11_101_1011_15_1": ("fuel_wtt", "Diesel (average biofuel blend)", "", SCOPES[10], None),
    "11_101_1011_8_1": ("fuel_wtt", "Diesel (average biofuel blend)", "", SCOPES[10], None),
    "11_101_1011_7_1": ("fuel_wtt", "Diesel (average biofuel blend)", "net", SCOPES[10], None),
    "11_101_1011_6_1": ("fuel_wtt", "Diesel (average biofuel blend)", "gross", SCOPES[10], None),
    "1_101_1010_15_1": ("fuel_combustion", "Burning oil", "", SCOPES[1], None),
    "1_101_1010_8_1": ("fuel_combustion", "Burning oil", "", SCOPES[1], None),
    "1_101_1010_7_1": ("fuel_combustion", "Burning oil", "net", SCOPES[1], None),
    "1_101_1010_6_1": ("fuel_combustion", "Burning oil", "gross", SCOPES[1], None),
    "11_101_1010_15_1": ("fuel_wtt", "Burning oil", "", SCOPES[10], None),
    "11_101_1010_8_1": ("fuel_wtt", "Burning oil", "", SCOPES[10], None),
    "11_101_1010_7_1": ("fuel_wtt", "Burning oil", "net", SCOPES[10], None),
    "11_101_1010_6_1": ("fuel_wtt", "Burning oil", "gross", SCOPES[10], None),
    "1_101_1013_15_1": ("fuel_combustion", "Fuel oil", "", SCOPES[1], None),
    "1_101_1013_8_1": ("fuel_combustion", "Fuel oil", "", SCOPES[1], None),
    "1_101_1013_7_1": ("fuel_combustion", "Fuel oil", "net", SCOPES[1], None),
    "1_101_1013_6_1": ("fuel_combustion", "Fuel oil", "gross", SCOPES[1], None),
    "11_101_1013_15_1": ("fuel_wtt", "Fuel oil", "", SCOPES[10], None),
    "11_101_1013_8_1": ("fuel_wtt", "Fuel oil", "", SCOPES[10], None),
    "11_101_1013_7_1": ("fuel_wtt", "Fuel oil", "net", SCOPES[10], None),
    "11_101_1013_6_1": ("fuel_wtt", "Fuel oil", "gross", SCOPES[10], None),
    "2_104_1043_15_1": ("fuel_combustion", "Wood logs", "", SCOPES[0], "99_104_1043_15_2"),
    "2_104_1043_5_1": ("fuel_combustion", "Wood logs", "net", SCOPES[0], "99_104_1043_5_2"),
    "12_901_1043_15_1": ("fuel_wtt", "Wood logs", "", SCOPES[10], None),
    "12_901_1043_5_1": ("fuel_wtt", "Wood logs", "net", SCOPES[10], None),
    "2_104_1044_15_1": ("fuel_combustion", "Wood chips", "", SCOPES[0], "99_104_1044_15_2"),
    "2_104_1044_5_1": ("fuel_combustion", "Wood chips", "net", SCOPES[0], "99_104_1044_5_2"),
    "12_901_1044_15_1": ("fuel_wtt", "Wood chips", "", SCOPES[10], None),
    "12_901_1044_5_1": ("fuel_wtt", "Wood chips", "net", SCOPES[10], None),
    "2_104_1045_15_1": ("fuel_combustion", "Wood pellets", "", SCOPES[0], "99_104_1045_15_2"),
    "2_104_1045_5_1": ("fuel_combustion", "Wood pellets", "net", SCOPES[0], "99_104_1045_5_2"),
    "12_901_1045_15_1": ("fuel_wtt", "Wood pellets", "", SCOPES[10], None),
    "12_901_1045_5_1": ("fuel_wtt", "Wood pellets", "net", SCOPES[10], None),
    "7_400_4000_5_1": (
        "electricity_generation_direct",
        "UK grid electricity (generated)",
        "",
        SCOPES[3],
        "99_400_4001_5_2",
    ),
    "13_402_4000_5_1": ("electricity_td_losses", "UK grid electricity T&D losses", "", SCOPES[4], None),
    "15_917_4000_5_1": ("electricity_wtt_generation", "UK grid electricity (generated) WTT", "", SCOPES[8], None),
    "15_918_4000_5_1": ("electricity_wtt_td", "UK grid electricity T&D losses WTT", "", SCOPES[6], None),
    "10_401_4003_5_1": ("heat_and_steam", "District heat and steam", "", SCOPES[2], None),
    "16_919_4003_5_1": ("heat_and_steam_wtt", "District heat and steam WTT", "", SCOPES[9], None),
    "10_401_4002_5_1": ("heat_and_steam", "Onsite heat and steam", "", SCOPES[2], None),
    "16_919_4002_5_1": ("heat_and_steam_wtt", "Onsite heat and steam WTT", "", SCOPES[9], None),
    "13_403_4004_5_1": (
        "heat_and_steam_td",
        "District heat and steam distribution losses (5% loss)",
        "",
        SCOPES[5],
        None,
    ),
    "16_920_4004_5_1": (
        "heat_and_steam_wtt",
        "District heat and steam distribution losses (5% loss) WTT",
        "",
        SCOPES[7],
        None,
    ),
}


def displayed(value: Any, number_format: str) -> Decimal:
    """A numeric cell as the workbook shows it: rounded to the decimals of its number format."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    decimals = re.search(r"\.([0#]+)", (number_format or "").split(";")[0])
    if decimals:
        number = number.quantize(Decimal(1).scaleb(-len(decimals.group(1))), ROUND_HALF_UP)
    if not number.is_finite() or number < 0:
        raise ValueError(f"{value!r} must be a finite number ≥ 0")
    return number


def _front_page(workbook: Any) -> tuple[str, datetime | None]:
    """The version ('1.1') and update date printed on the front page, if any."""
    version, updated = "", None
    if "Front page" not in workbook.sheetnames:
        return version, updated
    for row in workbook["Front page"].iter_rows(max_row=40, values_only=True):
        cells = list(row)
        for index, cell in enumerate(cells[:-1]):
            label = str(cell or "").strip().lower()
            value = cells[index + 1]
            if label == "version:" and not version and isinstance(value, int | float):
                version = f"{value:.1f}" if isinstance(value, int) else str(value)
            elif label == "updated:" and updated is None and isinstance(value, datetime):
                updated = value
    return version, updated


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


def _path(cells: list[Any], columns: dict[str, int]) -> str:
    """`Scope 1 > Fuels > Gaseous fuels > Natural gas > kWh (Gross CV)`, as the CSV's source_location."""
    names = ("scope", "level 1", "level 2", "level 3", "level 4", "column text")
    parts = [str(cells[columns[name]] or "").strip() for name in names if name in columns]
    uom = str(cells[columns["uom"]] or "").strip()
    parts = [part for part in parts if part]
    return " > ".join(parts if parts and parts[-1] == uom else [*parts, uom])


def parse_desnz_flat_file(path: Path, *, version: str | None = None) -> list[ParsedDataset]:
    """The DESNZ flat file as one dataset: DESNZ / NAME / `version` or '<year> flat file v<x> (updated …)'."""
    import openpyxl

    errors = RowErrors()
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        errors.add("file", f"not a readable .xlsx workbook ({exc.__class__.__name__})")
        errors.raise_if_any(path.name)
        raise AssertionError("unreachable") from exc
    try:
        return _parse(workbook, path, errors, version)
    finally:
        workbook.close()


def _parse(workbook: Any, path: Path, errors: RowErrors, version: str | None) -> list[ParsedDataset]:
    found = _find_header(workbook)
    if found is None:
        errors.add(
            "file", "no header row 'ID … GHG Conversion Factor <year>' (is this the DESNZ flat file of 2023 or later?)"
        )
        errors.raise_if_any(path.name)
        raise AssertionError("unreachable")
    sheet, header_row, columns, year = found
    if any(name not in columns for name in ("uom", "ghg/unit")):
        errors.add(header_row, "the header lacks the UOM or GHG/Unit column")
        errors.raise_if_any(path.name)
    wanted = set(FLAT_FILE_IDS) | {bio for *_, bio in FLAT_FILE_IDS.values() if bio}
    wanted |= {factor_id[:-1] + gas for factor_id in FLAT_FILE_IDS for gas in GAS_PARTS}
    cells_of: dict[str, tuple[int, list[Any], str]] = {}
    for number, row in enumerate(sheet.iter_rows(min_row=header_row + 1), start=header_row + 1):
        factor_id = str(row[0].value).strip() if row and row[0].value is not None else ""
        if factor_id in wanted:
            factor_cell = row[columns["factor"]]
            cells_of[factor_id] = (number, [cell.value for cell in row], factor_cell.number_format)
    if version is None:
        edition, updated = _front_page(workbook)
        if not edition or updated is None:
            errors.add("file", "the front page gives no version and update date; name the version with --version")
            errors.raise_if_any(path.name)
            raise AssertionError("unreachable")
        version = f"{year} flat file v{edition} (updated {updated:%Y-%m-%d})"
        version += f"; GWP100 {GWP[year]}" if year in GWP else ""
    meta = DatasetMeta(PUBLISHER, NAME, version, SOURCE_URL.format(year=year))
    numbered = []
    for factor_id, (category, item, basis, scope_basis, biogenic_id) in FLAT_FILE_IDS.items():
        if factor_id in cells_of:
            row = _factor_row(
                factor_id,
                category,
                item,
                basis,
                scope_basis,
                biogenic_id,
                cells_of,
                columns,
                year,
                sheet.title,
                path.name,
                errors,
            )
            if row is not None:
                numbered.append((cells_of[factor_id][0], meta, row))
    if not numbered and not errors.by_row:
        errors.add("file", f"none of the {len(FLAT_FILE_IDS)} factor ids this product uses were found")
    datasets = group_datasets(numbered, errors, version=None)
    errors.raise_if_any(path.name)
    return datasets


def _value(
    factor_id: str,
    ghg: str,
    cells_of: dict[str, tuple[int, list[Any], str]],
    columns: dict[str, int],
    problems: list[str],
) -> Decimal | None:
    """The displayed value of one id's row, after checking its UOM and GHG/Unit; None if the row is absent."""
    if factor_id not in cells_of:
        return None
    _, cells, number_format = cells_of[factor_id]
    unit_uom = UNIT_PARTS[factor_id.split("_")[3]][1]
    file_uom = str(cells[columns["uom"]] or "").strip()
    if file_uom.lower() != unit_uom:
        problems.append(f"id {factor_id} has UOM {file_uom!r}, expected {unit_uom!r}")
    file_ghg = str(cells[columns["ghg/unit"]] or "").strip()
    if file_ghg.lower() != ghg:
        problems.append(f"id {factor_id} has GHG/Unit {file_ghg!r}, expected {ghg!r}")
    try:
        return displayed(cells[columns["factor"]], number_format)
    except ValueError as exc:
        problems.append(f"id {factor_id}: {exc}")
        return None


def _factor_row(
    factor_id: str,
    category: str,
    item: str,
    basis: str,
    scope_basis: str,
    biogenic_id: str | None,
    cells_of: dict[str, tuple[int, list[Any], str]],
    columns: dict[str, int],
    year: int,
    sheet: str,
    document: str,
    errors: RowErrors,
) -> FactorRow | None:
    number, cells, _ = cells_of[factor_id]
    problems: list[str] = []
    total = _value(factor_id, "kg co2e", cells_of, columns, problems)
    gases = {gas: _value(factor_id[:-1] + gas, ghg, cells_of, columns, problems) for gas, ghg in GAS_PARTS.items()}
    biogenic = _value(biogenic_id, GAS_PARTS["2"], cells_of, columns, problems) if biogenic_id else None
    if total is None and not problems:
        problems.append(f"id {factor_id}: the factor cell is empty")
    if problems or total is None:
        errors.add(number, "; ".join(problems))
        return None
    location = f"sheet '{sheet}', row {number}, ID {factor_id}: {_path(cells, columns)}"
    gas_rows = [str(cells_of[factor_id[:-1] + gas][0]) for gas in GAS_PARTS if factor_id[:-1] + gas in cells_of]
    if gas_rows:
        location += f"; per-gas rows {', '.join(gas_rows)}"
    if biogenic_id and biogenic_id in cells_of:
        uom = str(cells_of[biogenic_id][1][columns["uom"]] or "").strip()
        location += f"; biogenic CO2 from 'Outside of scopes' row {cells_of[biogenic_id][0]} ID {biogenic_id} ({uom})"
    fuel, kind = fuel_and_kind(category, item)
    return FactorRow(
        category=category,
        kind=kind,
        country="GB",
        region="",
        item=item,
        fuel=fuel,
        unit=UNIT_PARTS[factor_id.split("_")[3]][0],
        calorific_basis=basis,
        kg_co2e=total,
        co2_kg=gases["2"],
        ch4_kg_co2e=gases["3"],
        n2o_kg_co2e=gases["4"],
        biogenic_co2_kg=biogenic,
        basis="co2e",
        year=year,
        scope_basis=scope_basis,
        source_document=document,
        source_location=location,
    )
