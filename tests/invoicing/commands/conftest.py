"""Helpers for the operator command tests: run a command and capture its output, write import files."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

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
