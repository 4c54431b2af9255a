"""`import_invoices` speed: 10,000 rows (1,000 with --quick) from CSV and XLSX, through the import service.

Runs against the configured database in a dedicated organization whose invoices are deleted before and
after. Most runs skip the emission jobs (calculate=False); one measures the whole path including the
creation of the jobs (their RQ messages find no row once the benchmark has cleaned up, and do nothing).
"""

from __future__ import annotations

import csv
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import Result

ORGANIZATION = "Bench Import S.L."
TARGET_SECONDS = 5.0


def run(options: Any) -> list[Result]:
    from invoicing.imports import invoice_import
    from invoicing.imports.template import COLUMN_NAMES

    rows = 1_000 if options.quick else 10_000
    organization = _world()
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as directory:
        csv_path = Path(directory) / "bench.csv"
        xlsx_path = Path(directory) / "bench.xlsx"
        data = list(_rows(rows))
        with csv_path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMN_NAMES)
            writer.writerows(data)
        _write_xlsx(xlsx_path, COLUMN_NAMES, data)

        def timed(
            name: str, path: Path, *, dry_run: bool = False, target: bool = False, calculate: bool = False
        ) -> None:
            start = time.perf_counter()
            report = invoice_import(organization=organization, source=path, dry_run=dry_run, calculate=calculate)
            seconds = time.perf_counter() - start
            assert not report.errors, report.errors[:3]
            results.append(
                Result(
                    name=f"{name} ({rows:,} rows)",
                    value=seconds,
                    unit="s",
                    target=f"< {TARGET_SECONDS:g} s for 10,000 rows" if target else "",
                    ok=(seconds < TARGET_SECONDS) if target else None,
                    extra={
                        "rows_per_second": round(rows / seconds),
                        "created": report.created,
                        "jobs": len(report.job_ids),
                    },
                )
            )

        try:
            _clear(organization)
            timed("CSV dry run (validate only)", csv_path, dry_run=True)
            timed("CSV import (validate + bulk insert)", csv_path, target=True)
            timed("CSV re-import (all already imported)", csv_path)
            _clear(organization)
            timed("XLSX import (validate + bulk insert)", xlsx_path, target=True)
            _clear(organization)
            timed("CSV import + starting the emission jobs", csv_path, calculate=True)
        finally:
            _clear(organization)
    return results


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


def _rows(count: int):  # type: ignore[no-untyped-def]
    first = date(2000, 1, 1)
    for index in range(count):
        start = first + timedelta(days=index)
        end = start + timedelta(days=29)
        if index % 3:
            yield ["electricity", f"E-{index:06d}", "Bench plant", start, end, f"{1000 + index % 900}.25", "kwh",
                   "", "ES0021000000000001RK", "", "", "active"]  # fmt: skip
        else:
            yield ["heat", f"G-{index:06d}", "Bench plant", start, end, str(5000 + index % 4000), "kwh",
                   "naturgy-iberia", "", "natural_gas", "", "active"]  # fmt: skip


def _write_xlsx(path: Path, header: tuple[str, ...], rows: list[list[Any]]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
