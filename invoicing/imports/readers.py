"""Read an import file (CSV or XLSX) into numbered rows of raw cell values keyed by column name."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from invoicing.errors import ImportFileError

from .template import COLUMN_NAMES, REQUIRED_COLUMNS, normalize_header

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
Cell = str | date


@dataclass
class ImportFile:
    """The rows of a file; `row_number` is the line as a spreadsheet shows it (the header is row 1)."""

    columns: list[str]
    rows: list[tuple[int, dict[str, Cell]]]


def read_import_file(source: str | Path | IO[bytes], *, filename: str | None = None) -> ImportFile:
    name = filename or (str(source) if isinstance(source, str | Path) else getattr(source, "name", None)) or ""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFileError(f"Unsupported file type {suffix or '(none)'!r}: use .csv or .xlsx.")
    if isinstance(source, str | Path):
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            raise ImportFileError(f"Cannot read {name}: {error.strerror}.") from None
    else:
        data = source.read()
    table = _read_csv(data) if suffix == ".csv" else _read_xlsx(data)
    return _with_header(table)


def _read_csv(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    first_line = text.split("\n", 1)[0]
    # Spanish Excel writes `;`-separated CSV; the header line tells which one is used.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _read_xlsx(data: bytes) -> Iterator[list[Any]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError("This is not a readable .xlsx workbook.") from None
    sheet = workbook.worksheets[0]
    return (list(row) for row in sheet.iter_rows(values_only=True))


def _cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _with_header(table: Iterator[list[Any]]) -> ImportFile:
    try:
        header = next(table)
    except StopIteration:
        raise ImportFileError("The file is empty: the first row must name the columns.") from None
    except csv.Error as error:
        raise ImportFileError(f"The file is not valid CSV: {error}.") from None
    columns = [normalize_header(value) for value in header]
    while columns and not columns[-1]:
        columns.pop()
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(f"Missing columns: {', '.join(missing)}.", missing_columns=missing)
    unknown = [name or "(blank)" for name in columns if name not in COLUMN_NAMES]
    if unknown:
        raise ImportFileError(
            f"Unknown columns: {', '.join(unknown)}. Expected: {', '.join(COLUMN_NAMES)}.", unknown_columns=unknown
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise ImportFileError(f"Repeated columns: {', '.join(repeated)}.")
    rows: list[tuple[int, dict[str, Cell]]] = []
    try:
        for number, values in enumerate(table, start=2):
            cells = [_cell(value) for value in values[: len(columns)]]
            if not any(cells):
                continue  # blank lines are ignored (row numbers still count them)
            cells += [""] * (len(columns) - len(cells))
            rows.append((number, dict(zip(columns, cells, strict=True))))
    except csv.Error as error:
        raise ImportFileError(f"The file is not valid CSV: {error}.") from None
    return ImportFile(columns=columns, rows=rows)
