"""`import_invoices` speed and memory, as an operator runs it: one `manage.py import_invoices` process per run.

For 10,000 and 100,000 rows (`--quick`: 1,000 and 10,000), from CSV and from XLSX: the dry run and the
import (emission jobs included), in seconds and the process's peak RSS (VmHWM, sampled every 0.1 s). The
import holds one chunk of rows at a time, so peak RSS must stay flat from the small to the large file.
Without `--quick`, also the dry run of a 50 MB CSV and of a 1,000,000-row XLSX (goal: under 300 MB).

Runs in a dedicated organization whose invoices and jobs are deleted before and after each import (the
jobs' RQ messages then find no row and do nothing). Files are generated once into `.local/bench-import/`
and reused; the XLSX is written as Excel writes it (shared strings, date cells), not by openpyxl, which
takes minutes for a million rows.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench.common import Result

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".local" / "bench-import"
ORGANIZATION = "Bench Import S.L."
RSS_TARGET_MB = 300
HEADER = ("type", "invoice_number", "facility", "start_date", "end_date", "quantity", "unit", "supplier", "cups",
          "fuel", "contract", "status")  # fmt: skip


def run(options: Any) -> list[Result]:
    small, large = (1_000, 10_000) if options.quick else (10_000, 100_000)
    organization = _world()
    DATA.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    try:
        for rows in (small, large):
            for kind in ("csv", "xlsx"):
                path = _data_file(kind, rows)
                _clear(organization)
                results += _measure(f"{kind.upper()} dry run", path, organization, rows, "--dry-run")
                results += _measure(f"{kind.upper()} import", path, organization, rows)
        if not options.quick:
            _clear(organization)
            big_csv = _data_file("csv", 500_000)  # about 50 MB
            results += _measure(
                f"CSV dry run, {big_csv.stat().st_size / 1e6:.0f} MB", big_csv, organization, 500_000, "--dry-run"
            )
            results += _measure("XLSX dry run", _data_file("xlsx", 1_000_000), organization, 1_000_000, "--dry-run")
    finally:
        _clear(organization)
    return results


def _measure(name: str, path: Path, organization: Any, rows: int, *options: str) -> list[Result]:
    command = [sys.executable, "manage.py", "import_invoices", str(path), "--organization", str(organization.id)]
    start = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--no-progress", *options], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak_kb = 0
    while process.poll() is None:
        peak_kb = max(peak_kb, _high_water_kb(process.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    assert process.returncode == 0, errors[-2000:]
    peak_mb = peak_kb / 1024
    label = f"{name} ({rows:,} rows)"
    return [
        Result(name=label, value=seconds, unit="s", extra={"rows_per_second": round(rows / seconds)}),
        Result(
            name=f"{label}: peak RSS",
            value=peak_mb,
            unit="MB",
            target=f"< {RSS_TARGET_MB} MB",
            ok=peak_mb < RSS_TARGET_MB,
            extra={"file_bytes": path.stat().st_size},
        ),
    ]


def _high_water_kb(pid: int) -> int:
    """The process's own peak RSS (VmHWM). Not ru_maxrss from wait4: Linux carries the forking parent's
    RSS into the child's ru_maxrss across exec, so a large benchmark process would inflate every figure."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _world():  # type: ignore[no-untyped-def]
    from invoicing.models import Facility, FacilityFuel, Organization, StationaryFuel, Supplier, SupplyContract

    organization, _ = Organization.objects.get_or_create(name=ORGANIZATION, defaults={"country": "ES"})
    facility, _ = Facility.objects.get_or_create(
        organization=organization, name="Bench plant", defaults={"country": "ES", "cups": ["ES0021000000000001RK"]}
    )
    SupplyContract.objects.get_or_create(
        facility=facility,
        supplier=Supplier.objects.get(code="iberdrola-clientes"),
        defaults={"cups": "ES0021000000000001RK", "start_date": date(2000, 1, 1)},
    )
    FacilityFuel.objects.get_or_create(facility=facility, fuel=StationaryFuel.objects.get(code="natural_gas"))
    return organization


def _clear(organization) -> None:  # type: ignore[no-untyped-def]
    from invoicing.models import Invoice
    from jobs.models import ProcessingJob

    ProcessingJob.objects.filter(organization=organization).delete()
    Invoice.objects.filter(organization=organization).delete()


def _rows(count: int) -> Iterator[tuple[Any, ...]]:
    """Valid rows: two electricity bills for one gas bill, periods within 2020..2024, numbers unique."""
    first = date(2020, 1, 1)
    for index in range(count):
        start = first + timedelta(days=index % 1500)
        end = start + timedelta(days=29)
        if index % 3:
            yield ("electricity", f"E-{index:07d}", "Bench plant", start, end, 1000 + index % 900 + 0.25, "kwh",
                   "", "ES0021000000000001RK", "", "", "active")  # fmt: skip
        else:
            yield ("heat", f"G-{index:07d}", "Bench plant", start, end, 5000 + index % 4000, "kwh",
                   "naturgy-iberia", "", "natural_gas", "", "active")  # fmt: skip


def _data_file(kind: str, rows: int) -> Path:
    path = DATA / f"bills-{rows}.{kind}"
    if not path.exists():
        partial = path.with_suffix(".partial")
        (_write_csv if kind == "csv" else _write_xlsx)(partial, rows)
        partial.rename(path)
    return path


def _write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(_rows(rows))


def _write_xlsx(path: Path, rows: int) -> None:
    """Shared strings for text, serial numbers styled as dates, doubles as Excel stores them; streamed."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    strings: dict[str, int] = {}
    epoch = date(1899, 12, 30)
    columns = "ABCDEFGHIJKL"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'.encode())
            for number, row in enumerate(_with_header(rows), start=1):
                cells = []
                for column, value in zip(columns, row, strict=True):
                    if value == "":
                        continue
                    reference = f"{column}{number}"
                    if isinstance(value, date):
                        cells.append(f'<c r="{reference}" s="1"><v>{(value - epoch).days}</v></c>')
                    elif isinstance(value, int | float):
                        cells.append(f'<c r="{reference}"><v>{value!r}</v></c>')
                    else:
                        index = strings.setdefault(value, len(strings))
                        cells.append(f'<c r="{reference}" t="s"><v>{index}</v></c>')
                sheet.write(f'<row r="{number}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}">'.encode())
            for text in strings:
                shared.write(f"<si><t>{escape(text)}</t></si>".encode())
            shared.write(b"</sst>")
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>'
            '<sheet name="Bills" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{relationships}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{relationships}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}"><cellXfs count="2">'
            '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        )


def _with_header(rows: int) -> Iterator[tuple[Any, ...]]:
    yield HEADER
    yield from _rows(rows)
