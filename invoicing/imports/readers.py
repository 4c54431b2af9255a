"""Read an import file (CSV or XLSX) as a stream of numbered rows of raw cells keyed by column name.

Nothing holds the whole file: rows are read one at a time, so memory stays flat whatever the size.
Limits (settings, documented in docs/imports.md "Limits"): the file's size, the number of rows, the
length of a CSV line and, for workbooks, how far the zip may expand (xlsx.py).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import ngettext

from invoicing.errors import ImportFileError

from .numbers import NumberConvention
from .template import COLUMN_NAMES, REQUIRED_COLUMNS, normalize_header

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
MAX_CSV_LINE_CHARS = 1024 * 1024
_READ_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class ExcelNumber:
    """A number cell of a workbook, as the file stores it (`124599.99999999999`); see numbers.excel_number."""

    stored: str

    def __str__(self) -> str:
        return self.stored


@dataclass(frozen=True)
class BadCell:
    """A cell that holds no usable value (a formula without a cached result, an error value, a NUL byte).

    `text` is what the cell holds, `reason` the whole message (naming the value and what is expected).
    """

    text: str
    reason: str

    def __str__(self) -> str:
        return self.text


Cell = str | date | ExcelNumber | BadCell
Row = tuple[int, dict[str, Cell]]


@dataclass
class ImportTable:
    """An open file: its columns, how its numbers are written, and its rows, read lazily.

    `row_number` is the line as a spreadsheet shows it (the header's own number is `header_row`).
    `fraction_read()` tells how far through the file reading is (0..1), for progress reports.
    """

    columns: list[str]
    convention: NumberConvention
    rows: Iterator[Row]
    fraction_read: Callable[[], float]
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    header_row: int = 1
    _resources: ExitStack = field(default_factory=ExitStack, repr=False)

    def close(self) -> None:
        self._resources.close()

    def __enter__(self) -> ImportTable:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_import_file(path: str | Path, *, filename: str | None = None, sheet: str | None = None) -> ImportTable:
    """Open `path` (named `filename` when it is an upload) for reading; raises ImportFileError when the file
    as a whole cannot be imported. Use as a context manager."""
    name = filename or str(path)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFileError(f"Unsupported file type {suffix or '(none)'!r}: use .csv or .xlsx.")
    try:
        size = Path(path).stat().st_size
    except OSError as error:
        raise ImportFileError(f"Cannot read {name}: {error.strerror}.") from None
    if size > settings.IMPORT_MAX_FILE_BYTES:
        raise ImportFileError(
            f"{Path(name).name} is {size:,} bytes; the largest file accepted is "
            f"{settings.IMPORT_MAX_FILE_BYTES:,} bytes (IMPORT_MAX_FILE_BYTES). Split it into smaller files."
        )
    if suffix == ".csv":
        if sheet:
            raise ImportFileError("A CSV file has no sheets; --sheet applies to .xlsx workbooks only.")
        return _open_csv(Path(path), size)
    from .xlsx import open_xlsx

    return open_xlsx(Path(path), sheet=sheet)


def header_columns(values: Sequence[object], *, where: str = "") -> list[str]:
    """The column names of a header row, checked: every required column, no unknown or repeated one.

    A missing and an unknown column are reported together, the unknown one with the template's
    closest column name (`invoice_nr`: did you mean `invoice_number`?).
    """
    columns = [normalize_header(value) for value in values]
    while columns and not columns[-1]:
        columns.pop()
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    unknown = [name or "(blank)" for name in columns if name not in COLUMN_NAMES]
    problems = []
    if missing:
        problems.append(f"Missing {_columns(missing)}: {', '.join(missing)}")
    if unknown:
        named = ", ".join(f"{name}{_closest(name)}" for name in unknown)
        problems.append(f"{'u' if missing else 'U'}nknown {_columns(unknown)}: {named}")
    if problems:
        expected = "" if missing and not unknown else f" Expected: {', '.join(COLUMN_NAMES)}."
        raise ImportFileError(
            f"{'; '.join(problems)}{where}.{expected}", missing_columns=missing, unknown_columns=unknown
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise ImportFileError(f"Repeated {_columns(repeated)}{where}: {', '.join(repeated)}.")
    return columns


def _columns(names: Sequence[str]) -> str:
    return ngettext("column", "columns", len(names))


def _closest(name: str) -> str:
    match = difflib.get_close_matches(name, COLUMN_NAMES, n=1, cutoff=0.6)
    return f" (did you mean {match[0]}?)" if match else ""


def is_template_header(values: Sequence[object]) -> bool:
    names = {normalize_header(value) for value in values}
    return all(name in names for name in REQUIRED_COLUMNS)


EXTRA_CELLS = "(beyond the header)"


def keyed_cells(columns: list[str], cells: list[Cell], beyond: Sequence[Cell]) -> dict[str, Cell]:
    """A row's cells by column name. Values beyond the header's last column (a comma that split a number,
    a shifted row) are kept under EXTRA_CELLS so that the row is refused rather than silently misread."""
    row = dict(zip(columns, cells, strict=True))
    extra = [str(value) for value in beyond if str(value).strip()]
    if extra:
        shown = ", ".join(repr(value) for value in extra[:3])
        row[EXTRA_CELLS] = BadCell(
            ", ".join(extra[:3]),
            f"{shown} {'is' if len(extra) == 1 else 'are'} beyond the header's last column; expected no values "
            "there (is a number with a comma not in quotes, or a row shifted?).",
        )
    return row


def counted_rows(rows: Iterator[Row]) -> Iterator[Row]:
    """Stop a file with more than IMPORT_MAX_ROWS rows (a file error, raised before anything is written)."""
    limit = settings.IMPORT_MAX_ROWS
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise ImportFileError(
                f"The file has more than {limit:,} rows (IMPORT_MAX_ROWS); split it into smaller files."
            )
        yield row


# CSV


def _open_csv(path: Path, size: int) -> ImportTable:
    encoding = _csv_encoding(path)
    resources = ExitStack()
    raw = resources.enter_context(path.open("rb"))
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    resources.callback(text.detach)
    lines = _bounded_lines(text)
    try:
        first_line = next(lines, "")
    except Exception:
        resources.close()
        raise
    # Spanish Excel writes `;`-separated CSV with `,` as the decimal mark; the header line tells which.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    convention = NumberConvention.DECIMAL_COMMA if delimiter == ";" else NumberConvention.DECIMAL_POINT
    records = csv.reader(_chain_first(first_line, lines), delimiter=delimiter)
    try:
        header_number, header = _first_nonblank(records)
        columns = header_columns(list(header))
    except Exception:
        resources.close()
        raise
    return ImportTable(
        columns=columns,
        convention=convention,
        rows=counted_rows(_csv_rows(records, columns, header_number)),
        fraction_read=lambda: raw.tell() / size if size and not raw.closed else 1.0,
        header_row=header_number,
        _resources=resources,
    )


def _first_nonblank(records: Iterator[list[str]]) -> tuple[int, list[str]]:
    try:
        for number, values in enumerate(records, start=1):
            if any(value.strip() for value in values):
                return number, values
    except csv.Error as error:
        raise ImportFileError(f"The file is not valid CSV: {error}.") from None
    raise ImportFileError("The file is empty: the first row must name the columns.")


def _csv_rows(records: Iterator[list[str]], columns: list[str], header_number: int) -> Iterator[Row]:
    width = len(columns)
    number = header_number
    try:
        for values in records:
            number += 1
            if not any(value.strip() for value in values):
                continue  # blank lines are ignored (row numbers still count them)
            cells: list[Cell] = [_csv_cell(value) for value in values[:width]]
            cells += [""] * (width - len(cells))
            yield number, keyed_cells(columns, cells, values[width:])
    except csv.Error as error:
        raise ImportFileError(f"Row {number + 1} is not valid CSV: {error}.") from None


def _csv_cell(value: str) -> Cell:
    if "\x00" in value:
        shown = value.replace("\x00", "\\x00")
        return BadCell(shown, f"'{shown}' contains a NUL character (0x00); expected text without control characters.")
    return value


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _bounded_lines(text: IO[str]) -> Iterator[str]:
    """Physical lines, refusing one longer than MAX_CSV_LINE_CHARS (a line of a million commas would make
    a million fields before any check could run)."""
    number = 0
    while True:
        try:
            line = text.readline(MAX_CSV_LINE_CHARS + 1)
        except UnicodeDecodeError:  # checked beforehand; a file changed while it was read
            raise ImportFileError("The file changed while it was read; import it again.") from None
        if not line:
            return
        number += 1
        if len(line) > MAX_CSV_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise ImportFileError(
                f"Line {number} is longer than {MAX_CSV_LINE_CHARS:,} characters; expected one invoice per line."
            )
        yield line


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (Excel's "CSV" on Windows, a superset of Latin-1 text).

    Read in blocks without keeping them. A file that is neither is refused, naming the line of the first
    byte that cannot be read; so is a UTF-8 file damaged after some UTF-8 text (reading it as Windows-1252
    would silently turn its accents into other letters).
    """
    with path.open("rb") as handle:
        start = handle.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ImportFileError('The file is UTF-16 text; save it from Excel as "CSV UTF-8" (or CSV).')
        handle.seek(0)
        failure = _first_undecodable(handle, "utf-8")
        if failure is None:
            return "utf-8-sig"
        line, byte, non_ascii_before = failure
        if non_ascii_before:
            raise ImportFileError(
                f"The file is not valid UTF-8: byte 0x{byte:02x} on line {line} cannot be read, although the text "
                'before it is UTF-8. Save it again as "CSV UTF-8".'
            )
        handle.seek(0)
        failure = _first_undecodable(handle, "cp1252")
        if failure is None:
            return "cp1252"
        line, byte, _ = failure
        raise ImportFileError(
            f"The file is neither UTF-8 nor Windows-1252 (Latin-1) text: byte 0x{byte:02x} on line {line} cannot "
            'be read. Save it from Excel as "CSV UTF-8".'
        )


def _first_undecodable(handle: IO[bytes], encoding: str) -> tuple[int, int, bool] | None:
    """(line, byte, whether non-ASCII text came before) of the first byte `encoding` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line, non_ascii = 1, False
    pending = b""
    while True:
        block = handle.read(_READ_BLOCK)
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as error:
            data = pending + block
            bad = max(0, min(error.start, len(data) - 1))
            before = data[:bad]
            line += before.count(b"\n")
            return line, data[bad] if data else 0, non_ascii or not before.isascii()
        if not block:
            return None
        state, _flags = decoder.getstate()
        pending = state  # bytes of a character split across blocks
        line += block.count(b"\n")
        non_ascii = non_ascii or not block.isascii()
