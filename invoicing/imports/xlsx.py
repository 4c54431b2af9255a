"""Stream the cells of an .xlsx workbook, refusing workbooks built to exhaust the server.

Why not openpyxl's reader: read with `data_only=True` it gives a formula without a cached result as an
empty cell (an optional column would silently take its default), and read without it gives the formula
instead of the result; it also keeps every shared string as a Python object (681 MB for a 294 KB
"shared-strings bomb"). This module reads the few parts an import needs with the standard library's
zipfile and defusedxml's parser, and uses openpyxl's public helpers for date formats and serials.

Defences, before anything is parsed:
- every part of the zip may expand at most IMPORT_XLSX_MAX_RATIO times (100, Apache POI's
  ZipSecureFile default) and all parts together to IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES; zipfile stops
  at each part's declared size and checks its CRC, so a part cannot expand beyond what was checked;
- shared strings at most IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES, kept as UTF-8 bytes with offsets;
- a part with a DTD (XML entity declarations: "billion laughs") is refused by defusedxml.
"""

from __future__ import annotations

import posixpath
import zipfile
from array import array
from collections.abc import Generator, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse
from django.conf import settings
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from invoicing.errors import ImportFileError

from .numbers import NumberConvention
from .readers import (
    BadCell,
    Cell,
    ExcelNumber,
    ImportTable,
    Row,
    counted_rows,
    header_columns,
    is_template_header,
    keyed_cells,
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
SMALL_PART_MAX_BYTES = 16 * 1024 * 1024  # workbook, relationships and styles are parsed whole
RATIO_GRACE_BYTES = 1024 * 1024  # parts smaller than this may compress well (a blank sheet, a theme)

_V, _F, _IS, _T, _R = f"{MAIN}v", f"{MAIN}f", f"{MAIN}is", f"{MAIN}t", f"{MAIN}r"
_ROW, _C, _SI, _SHEET_DATA = f"{MAIN}row", f"{MAIN}c", f"{MAIN}si", f"{MAIN}sheetData"
_NO_CACHE = "is a formula without a stored result; expected a value (open and save the file in Excel, which stores it)."


def open_xlsx(path: Path, *, sheet: str | None) -> ImportTable:
    """The rows of the sheet named `sheet`, or else of the first sheet whose first non-empty row is the
    template's header. Raises ImportFileError for an unreadable or hostile workbook, an unknown sheet, or
    when no sheet has the header (the message lists the sheet names)."""
    resources = ExitStack()
    try:
        return _open(path, sheet, resources)
    except BaseException:
        resources.close()
        raise


def _open(path: Path, wanted: str | None, resources: ExitStack) -> ImportTable:
    try:
        archive = resources.enter_context(zipfile.ZipFile(path))
    except (zipfile.BadZipFile, OSError):
        raise ImportFileError("This is not a readable .xlsx workbook.") from None
    _check_expansion(archive)
    book = _Workbook(archive)
    names = [name for name, _part in book.sheets]
    listed = ", ".join(repr(name) for name in names) or "none"
    if wanted is not None:
        parts = [part for name, part in book.sheets if name == wanted]
        if not parts:
            raise ImportFileError(f"The workbook has no sheet {wanted!r}; its sheets are {listed}.", sheets=names)
        candidates = [(wanted, parts[0])]
    else:
        candidates = book.sheets
    for name, part in candidates:
        rows = book.rows(part)
        first = next(rows, None)
        if first is None or (wanted is None and not is_template_header(first[1])):
            rows.close()
            continue
        header_number, header = first
        columns = header_columns(header, where=f" in sheet {name!r}")
        size = archive.getinfo(part).file_size or 1
        book.bytes_read = 0
        return ImportTable(
            columns=columns,
            convention=NumberConvention.UNKNOWN,
            rows=counted_rows(_keyed(rows, columns)),
            fraction_read=partial(book.fraction_read, size),
            sheet=name,
            sheet_names=names,
            header_row=header_number,
            _resources=resources,
        )
    if wanted is not None:
        raise ImportFileError(f"Sheet {wanted!r} is empty: its first row must name the columns.", sheets=names)
    raise ImportFileError(
        f"No sheet starts with the template's columns ({', '.join(_required())}); the workbook's sheets are "
        f"{listed}. Choose one with --sheet (the admin: Sheet).",
        sheets=names,
    )


def _required() -> list[str]:
    from .template import REQUIRED_COLUMNS

    return list(REQUIRED_COLUMNS)


def _keyed(rows: Iterator[tuple[int, list[Cell]]], columns: list[str]) -> Iterator[Row]:
    width = len(columns)
    for number, cells in rows:
        values = cells[:width]
        if not any(value != "" for value in cells):
            continue
        values += [""] * (width - len(values))
        yield number, keyed_cells(columns, values, cells[width:])


def _check_expansion(archive: zipfile.ZipFile) -> None:
    total = 0
    ratio = settings.IMPORT_XLSX_MAX_RATIO
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise ImportFileError(
                f"The workbook's part {info.filename} expands from {info.compress_size:,} to {info.file_size:,} "
                f"bytes, more than {ratio} times (IMPORT_XLSX_MAX_RATIO); such a file is refused as a zip bomb."
            )
    limit = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
    if total > limit:
        raise ImportFileError(
            f"The workbook expands to {total:,} bytes, more than {limit:,} (IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES); "
            "split it into smaller files."
        )


class _Workbook:
    """The parts of a workbook an import reads: its sheets in order, date styles, shared strings."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.bytes_read = 0
        root_rels = _relationships(archive, "_rels/.rels", "")
        workbook_part = next(
            (target for kind, target in root_rels if kind.endswith("/officeDocument")), "xl/workbook.xml"
        )
        base = posixpath.dirname(workbook_part)
        rels = dict(_relationship_ids(archive, workbook_part, base))
        workbook = _small_part(archive, workbook_part)
        properties = workbook.find(f"{MAIN}workbookPr")
        date1904 = properties is not None and properties.get("date1904", "").lower() in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.sheets: list[tuple[str, str]] = []
        for element in workbook.iter(f"{MAIN}sheet"):
            part = rels.get(element.get(f"{OFFICE_RELATIONSHIPS}id", ""), ("", ""))[1]
            if part in archive.NameToInfo:
                self.sheets.append((element.get("name", ""), part))
        by_kind = {kind.rsplit("/", 1)[-1]: target for kind, target in rels.values()}
        self.date_styles = _date_styles(archive, by_kind.get("styles"))
        self.shared_strings = _SharedStrings.read(archive, by_kind.get("sharedStrings"))

    def fraction_read(self, size: int) -> float:
        return min(1.0, self.bytes_read / size)

    def rows(self, part: str) -> Generator[tuple[int, list[Cell]]]:
        """(row number, cells by position) of a sheet, read as a stream."""
        with self.archive.open(part) as stream:
            counting = _CountingReader(stream, self)
            number = 0
            container: Element | None = None
            for event, element in _parse(counting, part, ("start", "end")):
                if event == "start":
                    if element.tag == _SHEET_DATA:
                        container = element
                    continue
                if element.tag != _ROW:
                    continue
                try:
                    number = int(element.get("r") or number + 1)
                    cells = self._cells(element)
                except ValueError:  # a cell or row reference that is not one (openpyxl raises ValueError)
                    raise ImportFileError(
                        f"The workbook's part {part} is damaged: a cell of row {number + 1} has no valid reference."
                    ) from None
                if container is not None:
                    container.clear()  # keep no parsed row
                if cells:
                    yield number, cells

    def _cells(self, row: Element) -> list[Cell]:
        cells: list[Cell] = []
        for element in row.iter(_C):
            reference = element.get("r")
            column = column_index_from_string(reference.rstrip("0123456789")) if reference else len(cells) + 1
            if column > len(cells):
                cells += [""] * (column - len(cells))
            cells[column - 1] = self._value(element)
        while cells and cells[-1] == "":
            cells.pop()
        return cells

    def _value(self, cell: Element) -> Cell:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(_IS)
            return _text_of(inline).strip() if inline is not None else ""
        stored = cell.findtext(_V)
        if stored is None or (not stored and kind != "str"):  # writers other than Excel leave <v/> empty
            if cell.find(_F) is None:
                return ""
            formula = "=" + (cell.findtext(_F) or "")
            return BadCell(formula, f"{formula!r} {_NO_CACHE}")
        if kind == "s":
            try:
                return self.shared_strings[int(stored)].strip()
            except (ValueError, IndexError):
                return BadCell(
                    stored, f"The cell points to shared string {stored}, which the workbook lacks; expected text."
                )
        if kind == "str":
            return stored.strip()
        if kind == "b":
            return "TRUE" if stored == "1" else "FALSE"
        if kind == "e":
            return BadCell(stored, f"Excel shows the error {stored!r} in this cell; expected a value.")
        if kind == "d":
            try:
                return date.fromisoformat(stored[:10])
            except ValueError:
                return BadCell(stored, f"{stored!r} is not a date; expected a date cell or YYYY-MM-DD.")
        if cell.get("s", "0").isdigit() and int(cell.get("s", "0")) in self.date_styles:
            try:
                moment = from_excel(float(stored), self.epoch)
            except (ValueError, OverflowError, TypeError):
                return BadCell(stored, f"{stored!r} is a date cell whose serial is not a date; expected a date.")
            return moment.date() if isinstance(moment, datetime) else moment
        return ExcelNumber(stored)


class _CountingReader:
    """Counts the uncompressed bytes of a sheet read so far (the import's progress)."""

    def __init__(self, stream: IO[bytes], book: _Workbook) -> None:
        self.stream = stream
        self.book = book

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.book.bytes_read += len(data)
        return data


def _parse(source: Any, part: str, events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Element]]:
    with _refusing_bad_xml(part):
        yield from iterparse(source, events=events, forbid_dtd=True)


@contextmanager
def _refusing_bad_xml(part: str) -> Iterator[None]:
    """Turn what reading a part can raise into the file error the user sees."""
    try:
        yield
    except DefusedXmlException:
        raise ImportFileError(
            f"The workbook's part {part} declares XML entities (a DTD); such workbooks are refused because "
            "expanding them can exhaust the server."
        ) from None
    except ParseError as error:
        raise ImportFileError(f"The workbook's part {part} is not valid XML ({error}).") from None
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ImportFileError(f"The workbook's part {part} is damaged ({error}).") from None


def _small_part(archive: zipfile.ZipFile, part: str) -> Element:
    try:
        info = archive.getinfo(part)
    except KeyError:
        raise ImportFileError(f"This is not a readable .xlsx workbook: it has no {part}.") from None
    if info.file_size > SMALL_PART_MAX_BYTES:
        raise ImportFileError(f"The workbook's part {part} is {info.file_size:,} bytes; expected a few kilobytes.")
    with _refusing_bad_xml(part):
        return fromstring(archive.read(part), forbid_dtd=True)


def _relationships(archive: zipfile.ZipFile, rels_part: str, base: str) -> list[tuple[str, str]]:
    return [(kind, target) for _id, (kind, target) in _relationship_entries(archive, rels_part, base)]


def _relationship_ids(archive: zipfile.ZipFile, part: str, base: str) -> list[tuple[str, tuple[str, str]]]:
    rels_part = posixpath.join(base, "_rels", posixpath.basename(part) + ".rels")
    return _relationship_entries(archive, rels_part, base)


def _relationship_entries(archive: zipfile.ZipFile, rels_part: str, base: str) -> list[tuple[str, tuple[str, str]]]:
    if rels_part not in archive.NameToInfo:
        return []
    entries = []
    for element in _small_part(archive, rels_part).iter(f"{RELATIONSHIPS}Relationship"):
        target = element.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        entries.append((element.get("Id", ""), (element.get("Type", ""), path)))
    return entries


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> frozenset[int]:
    """Indices of the cell formats that show a number as a date."""
    if not part or part not in archive.NameToInfo:
        return frozenset()
    styles = _small_part(archive, part)
    codes: dict[int, str] = dict(BUILTIN_FORMATS)
    for element in styles.iter(f"{MAIN}numFmt"):
        try:
            codes[int(element.get("numFmtId", ""))] = element.get("formatCode", "")
        except ValueError:
            continue
    cell_formats = styles.find(f"{MAIN}cellXfs")
    if cell_formats is None:
        return frozenset()
    dates = set()
    for index, element in enumerate(cell_formats.iter(f"{MAIN}xf")):
        try:
            code = codes.get(int(element.get("numFmtId", "0")), "")
        except ValueError:
            continue
        if code and is_date_format(code):
            dates.add(index)
    return frozenset(dates)


def _text_of(element: Element) -> str:
    """The text of a shared or inline string: its `t`, or its rich-text runs' `t` (phonetic runs left out)."""
    plain = element.find(_T)
    if plain is not None:
        return plain.text or ""
    return "".join(run.findtext(_T) or "" for run in element.iter(_R))


class _SharedStrings:
    """The workbook's shared strings as one UTF-8 buffer and end offsets: a few bytes per string, where a
    list of Python strings costs about 60 bytes each."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("Q")

    @classmethod
    def read(cls, archive: zipfile.ZipFile, part: str | None) -> _SharedStrings:
        strings = cls()
        if not part or part not in archive.NameToInfo:
            return strings
        limit = settings.IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES
        if archive.getinfo(part).file_size > limit:
            raise ImportFileError(
                f"The workbook's shared strings take {archive.getinfo(part).file_size:,} bytes, more than "
                f"{limit:,} (IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES); split it into smaller files."
            )
        with archive.open(part) as stream:
            root: Element | None = None
            for event, element in _parse(stream, part, ("start", "end")):
                if root is None:
                    root = element
                if event == "end" and element.tag == _SI:
                    strings.data += _text_of(element).encode()
                    strings.ends.append(len(strings.data))
                    root.clear()
        return strings

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        start = self.ends[index - 1] if index else 0
        return self.data[start : self.ends[index]].decode()
