"""Helpers for the operator command tests: run a command and capture its output, write import files."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from rq import SimpleWorker

from invoicing.imports.template import COLUMN_NAMES
from tests.conftest import Tenant
from tests.factories import make_facility_fuel


@dataclass
class Output:
    stdout: str
    stderr: str


@pytest.fixture
def run_command() -> Callable[..., Output]:
    def run(name: str, *args: str) -> Output:
        stdout, stderr = StringIO(), StringIO()
        call_command(name, *args, "--no-color", stdout=stdout, stderr=stderr)
        return Output(stdout.getvalue(), stderr.getvalue())

    return run


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (dicts by column name) under a header of `columns` (default: the whole template)."""

    def write(rows: Sequence[dict[str, str]], *, columns: Sequence[str] = COLUMN_NAMES, name: str = "in.csv") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


@pytest.fixture
def acme_gas(acme: Tenant) -> Tenant:
    """Acme's Madrid office also burns natural gas."""
    make_facility_fuel(acme.facility, "natural_gas")
    return acme


def electricity_row(**overrides: str) -> dict[str, str]:
    row = {
        "type": "electricity",
        "invoice_number": "E-2024-01",
        "facility": "Madrid office",
        "start_date": "2024-01-01",
        "end_date": "2024-01-31",
        "quantity": "1500.5",
        "unit": "kwh",
        "cups": "es0021 0000 0000 0001rk",
        "status": "active",
    }
    return row | overrides


def heat_row(**overrides: str) -> dict[str, str]:
    row = {
        "type": "heat",
        "invoice_number": "G-2024-01",
        "facility": "Madrid office",
        "start_date": "2024-01-01",
        "end_date": "2024-01-31",
        "quantity": "9000",
        "unit": "kwh",
        "fuel": "natural_gas",
        "supplier": "naturgy-iberia",
    }
    return row | overrides


def water_row(**overrides: str) -> dict[str, str]:
    row = {
        "type": "water",
        "invoice_number": "W-2024-01",
        "facility": "Madrid office",
        "start_date": "2024-01-01",
        "end_date": "2024-03-31",
        "quantity": "120",
        "unit": "m3",
    }
    return row | overrides


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    """A workbook with openpyxl: one sheet per name, each a list of rows (the first sheet named first)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def patch_xlsx(path: Path, replacements: dict[str, str], *, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """Rewrite a part of a workbook, replacing text in its XML (what openpyxl cannot write: Excel's stored
    doubles, cached formula results, DTDs)."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        contents = {info.filename: source.read(info.filename) for info in source.infolist()}
    xml = contents[part].decode()
    for old, new in replacements.items():
        assert old in xml, (old, xml[-2000:])
        xml = xml.replace(old, new)
    contents[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in contents.items():
            target.writestr(name, data)
    return path


TEMPLATE_HEADER = ["type", "invoice_number", "facility", "start_date", "end_date", "quantity", "unit"]


IMPORT_URL = "/admin/invoicing/invoice/import/"


@pytest.fixture
def post_and_work(client, queue, django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """POST to the import page, let a real RQ worker (in this process, so it sees the test's transaction)
    run what it dispatched, and return the page the POST redirected to, as the browser would show it next."""

    def post(data: dict[str, Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(IMPORT_URL, data)
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        if response.status_code != 302:
            return response
        return client.get(response["Location"])

    return post


def write_excel_like_xlsx(path: Path, rows: Sequence[Sequence[object]], *, extra_xml: str = "") -> Path:
    """A workbook written as Excel writes it, which openpyxl does not: text in the shared-strings table,
    dates as serial numbers in a date format, numbers as stored doubles (`repr`). `extra_xml` goes
    before the sheet's root element (a DTD, for hostile files)."""
    import datetime
    import zipfile
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}
    xml_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(row):
            reference = f"{chr(65 + column)}{number}"
            if isinstance(value, datetime.date):
                serial = (value - datetime.date(1899, 12, 30)).days
                cells.append(f'<c r="{reference}" s="1"><v>{serial}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{reference}"><v>{value!r}</v></c>')
            else:
                index = strings.setdefault(str(value), len(strings))
                cells.append(f'<c r="{reference}" t="s"><v>{index}</v></c>')
        xml_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>'
            '<sheet name="Facturas" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{relationships}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{relationships}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}"><cellXfs count="2">'
            '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(strings)}">'
            + "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
            + "</sst>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>{extra_xml}<worksheet xmlns="{main}"><sheetData>'
            + "".join(xml_rows)
            + "</sheetData></worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path
