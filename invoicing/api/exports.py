"""The emissions summary as CSV and XLSX: one row per group, a header row naming each figure's unit.

Both renderers take the summary exactly as the JSON answer has it (`EmissionsSummarySerializer`'s
data), so the three formats cannot disagree: the columns are `key`, `label`, then the figures
(`scope_1_kg_co2e` … `energy_kwh`, invoicing.emissions.figures.FIGURES), decimals as in the JSON
(`1500`, `245.5`). XLSX is written with openpyxl (already used for imports), numbers as numbers.

Labels are names that API clients choose (a facility's name), so neither file may turn one into a
formula that a spreadsheet runs ("CSV injection", OWASP): the CSV is written by defusedcsv, which quotes
a text cell starting with `=`, `+`, `-`, `@`, `|` or `%` behind an apostrophe, and every text cell of
the XLSX is stored as text.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from defusedcsv import csv
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet
from rest_framework.renderers import BaseRenderer

from invoicing.emissions.figures import FIGURES

COLUMNS = ("key", "label", *(column for _, column in FIGURES))
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def summary_rows(data: dict[str, Any]) -> list[list[Any]]:
    """The header row and one row per group of a serialized summary."""
    rows: list[list[Any]] = [list(COLUMNS)]
    for group in data["groups"]:
        rows.append([group["key"], group["label"], *(group[key] for key, _ in FIGURES)])
    return rows


class SummaryCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in summary_rows(data):
            writer.writerow([_text(value) for value in row])
        return out.getvalue().encode()


class SummaryXLSXRenderer(BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Emissions summary")
        for row in summary_rows(data):
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


def _xlsx_cell(sheet: Worksheet, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
    return cell


def _text(value: Any) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)
