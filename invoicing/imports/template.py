"""The import template: one row per invoice, one column per field (docs/imports.md documents it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    example: str


COLUMNS = (
    Column("type", True, "heat, electricity, water or recharge", "electricity"),
    Column("invoice_number", True, "the utility's invoice number; part of the natural key", "INV-2024-001"),
    Column("facility", True, "a facility of the organization, by name or id", "Madrid office"),
    Column("start_date", True, "first day of the billing period, YYYY-MM-DD", "2024-01-01"),
    Column(
        "end_date",
        True,
        "last day of the billing period, YYYY-MM-DD, not before start_date, at most 400 days",
        "2024-01-31",
    ),
    Column(
        "quantity",
        True,
        "0 or more; in a ;-separated file 1.234,5 (dot for thousands, comma for decimals), else 1234.5",
        "1500.5",
    ),
    Column("unit", True, "unit code (kwh, mwh, gj, m3, litre, kg, tonne), symbol or id", "kwh"),
    Column(
        "supplier", False, "catalogue supplier by code, name or id; defaults to the contract's", "iberdrola-clientes"
    ),
    Column("cups", False, "Spanish supply point code; spaces and case are normalised", "ES0021000000000001RK"),
    Column("fuel", False, "heat only, required there: a fuel of the facility, by code, name or id", "natural_gas"),
    Column("contract", False, "electricity only: supply contract id; found from facility, CUPS and date if empty", ""),
    Column("status", False, "uploaded, loading, active, inactive, review or error; default active", "active"),
    Column(
        "kwh_per_m3",
        False,
        "heat billed in m³ of gas only: the bill's conversion factor, kWh (gross) per m³, written like the quantity",
        "",
    ),
)

COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED_COLUMNS = tuple(column.name for column in COLUMNS if column.required)
DEFAULT_STATUS = "active"

# Which unit dimensions fit each invoice type.
UNIT_DIMENSIONS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "electricity": ("energy",),
    "heat": ("energy", "volume", "mass"),
    "water": ("volume",),
    "recharge": ("mass",),
}


def normalize_header(value: object) -> str:
    """`Invoice Number` and ` invoice-number ` both name the `invoice_number` column."""
    return str(value if value is not None else "").strip().lower().replace(" ", "_").replace("-", "_")


# Valid rows for the Acme-like example organization of docs/imports.md (a Madrid office burning natural gas).
EXAMPLE_ROWS = (
    ("electricity", "INV-2024-001", "Madrid office", "2024-01-01", "2024-01-31", "1500.5", "kwh",
     "iberdrola-clientes", "ES0021000000000001RK", "", "", "active", ""),
    ("heat", "GAS-2024-001", "Madrid office", "2024-01-01", "2024-01-31", "9000", "kwh",
     "naturgy-iberia", "", "natural_gas", "", "active", ""),
    ("water", "AG-2024-Q1", "Madrid office", "2024-01-01", "2024-03-31", "120", "m3", "", "", "", "", "active", ""),
)  # fmt: skip


def template_csv() -> str:
    """The downloadable template: the header and example rows (docs/import_template.csv is this text)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerows(EXAMPLE_ROWS)
    return buffer.getvalue()
