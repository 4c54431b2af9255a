"""Check one import row against the organization's data and turn it into the fields of an invoice.

Every lookup table is loaded once per file, so validating 10,000 rows costs a handful of queries. Every
problem names the row, the column, the value and what is expected.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from config.api.formats import parse_iso_date
from invoicing.choices import InvoiceStatus, InvoiceType
from invoicing.cups import is_valid_cups, normalize_cups
from invoicing.invoice_rules import billing_period_problems, quantity_problems
from invoicing.models import Facility, FacilityFuel, Organization, StationaryFuel, Supplier, Unit
from invoicing.services.calculation_inputs import CalculationInputsResolver

from .numbers import NumberConvention, NumberProblem, excel_number, plain_number, read_decimal_text
from .readers import EXTRA_CELLS, BadCell, Cell, ExcelNumber
from .template import COLUMNS, DEFAULT_STATUS, UNIT_DIMENSIONS_BY_TYPE

INVOICE_TYPES = tuple(InvoiceType.values)  # enum .values is rebuilt on every access
INVOICE_STATUSES = tuple(InvoiceStatus.values)
_EXPECTED = {column.name: column.description for column in COLUMNS}
# The column of each calculation input (invoicing.services.calculation_inputs names them as the API does).
INPUT_COLUMNS = {
    "supply_contract_id": "contract",
    "supplier_id": "supplier",
    "cups": "cups",
    "facility_fuel_id": "fuel",
}
_TYPED_COLUMNS = frozenset({"start_date", "end_date", "quantity", "kwh_per_m3"})  # parsed from the cell, not its text


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


@dataclass
class ValidRow:
    """The fields of the invoice a row describes (ids, not objects, so that bulk inserts stay cheap).

    `quantity_text` is the quantity as the file holds it, shown beside the number it was read as.
    """

    row: int
    type: str
    invoice_number: str
    facility: Facility
    start_date: date
    end_date: date
    quantity: Decimal
    quantity_text: str
    unit: Unit
    status: str
    supplier_id: uuid.UUID | None
    cups: str | None
    facility_fuel_id: uuid.UUID | None
    supply_contract_id: uuid.UUID | None
    kwh_per_m3: Decimal | None = None


class _RowProblem(Exception):
    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        self.reason = reason


def _required(column: str) -> _RowProblem:
    return _RowProblem(column, f"Empty; expected {_EXPECTED[column]}.")


def _text(column: str, value: Cell) -> str:
    """A cell as text: a number cell as Excel shows it, a date as YYYY-MM-DD."""
    if isinstance(value, BadCell):
        raise _RowProblem(column, value.reason)
    if isinstance(value, ExcelNumber):
        try:
            return plain_number(excel_number(value.stored))
        except NumberProblem as problem:
            raise _RowProblem(column, str(problem)) from None
    if isinstance(value, date):
        return value.isoformat()
    return value.strip()


class RowValidator:
    """Validates rows for one organization; build it once per file."""

    def __init__(self, organization: Organization, convention: NumberConvention) -> None:
        self.organization = organization
        self.convention = convention
        facilities = list(Facility.objects.filter(organization=organization).only("id", "name", "country", "cups"))
        self.facilities = {str(f.id): f for f in facilities} | {f.name.casefold(): f for f in facilities}
        units = list(Unit.objects.all())
        self.units = {k: u for u in units for k in (str(u.id), u.code, u.symbol.casefold(), u.name.casefold())}
        suppliers = list(Supplier.objects.all())
        self.suppliers = {
            k: s for s in suppliers for k in (str(s.id), s.code, s.name.casefold(), s.legal_name.casefold())
        }
        fuels = list(StationaryFuel.objects.all())
        self.fuels = {k: f for f in fuels for k in (str(f.id), f.code, f.name.casefold())}
        self.facility_fuels: dict[tuple[uuid.UUID, uuid.UUID], FacilityFuel] = {}
        self.facility_fuels_by_id: dict[str, FacilityFuel] = {}
        for facility_fuel in FacilityFuel.objects.filter(facility__organization=organization):
            self.facility_fuels[(facility_fuel.facility_id, facility_fuel.fuel_id)] = facility_fuel
            self.facility_fuels_by_id[str(facility_fuel.id)] = facility_fuel
        self.inputs = CalculationInputsResolver(
            organization,
            supplier_ids={s.id for s in suppliers},
            facility_fuels={f.id: f.facility_id for f in self.facility_fuels_by_id.values()},
        )

    def validate(self, row: int, cells: dict[str, Cell]) -> ValidRow | list[RowError]:
        """The row as invoice fields, or every problem found in it (one per column)."""
        errors: list[RowError] = []

        def check(column, parse, *args):  # type: ignore[no-untyped-def]
            """parse(*args, the cell) for the date and quantity columns, parse(*args, its text) for the others."""
            try:
                cell = cells.get(column, "")
                value = cell if column in _TYPED_COLUMNS and not isinstance(cell, BadCell) else _text(column, cell)
                return parse(*args, value)
            except _RowProblem as problem:
                errors.append(RowError(row, problem.column, str(cells.get(problem.column, "")), problem.reason))
                return None

        kind = check("type", self._type)
        number = check("invoice_number", self._invoice_number)
        facility = check("facility", self._facility)
        start = check("start_date", self._date, "start_date")
        end = check("end_date", self._date, "end_date")
        if start and end:
            for column, reason in billing_period_problems(start, end):
                errors.append(RowError(row, column, str(cells.get(column, "")), reason))
        quantity = check("quantity", self._quantity)
        kwh_per_m3 = check("kwh_per_m3", self._kwh_per_m3, kind)
        unit = check("unit", self._unit, kind)
        status = check("status", self._status)
        supplier = check("supplier", self._supplier)
        cups = check("cups", self._cups, kind)
        facility_fuel = check("fuel", self._fuel, kind, facility)
        contract_id = check("contract", self._contract_id)
        inputs = None
        if kind and facility and start and end and "contract" not in {error.column for error in errors}:
            inputs, problems = self.inputs.resolve(
                invoice_type=kind,
                facility_id=facility.id,
                start_date=start,
                end_date=end,
                cups=cups,
                supply_contract_id=contract_id,
                supplier_id=supplier.id if supplier else None,
                facility_fuel_id=facility_fuel.id if facility_fuel else None,
            )
            for field, reason in problems:
                column = INPUT_COLUMNS[field]
                if column not in {error.column for error in errors}:
                    errors.append(RowError(row, column, str(cells.get(column, "")), reason))
        extra = cells.get(EXTRA_CELLS)
        if isinstance(extra, BadCell):
            errors.append(RowError(row, EXTRA_CELLS, extra.text, extra.reason))
        if errors:
            return errors
        assert facility is not None
        assert start is not None
        assert end is not None
        assert unit is not None
        assert inputs is not None
        return ValidRow(
            row=row,
            type=kind,
            invoice_number=number,
            facility=facility,
            start_date=start,
            end_date=end,
            quantity=quantity,
            quantity_text=str(cells.get("quantity", "")),
            unit=unit,
            status=status,
            supplier_id=inputs.supplier_id,
            cups=inputs.cups,
            facility_fuel_id=inputs.facility_fuel_id,
            supply_contract_id=inputs.supply_contract_id,
            kwh_per_m3=kwh_per_m3,
        )

    # One parser per column; each raises _RowProblem with the message the importer sees.

    @staticmethod
    def _type(value: str) -> str:
        value = value.lower()
        if not value:
            raise _required("type")
        if value not in INVOICE_TYPES:
            expected = ", ".join(INVOICE_TYPES)
            raise _RowProblem("type", f"Unknown invoice type {value!r}; expected one of {expected}.")
        return value

    @staticmethod
    def _invoice_number(value: str) -> str:
        if not value:
            raise _required("invoice_number")
        if len(value) > 100:
            raise _RowProblem("invoice_number", f"{value[:20]!r}… has {len(value)} characters; expected at most 100.")
        return value

    def _facility(self, value: str) -> Facility:
        if not value:
            raise _required("facility")
        facility = self.facilities.get(value.casefold())
        if facility is None:
            raise _RowProblem(
                "facility", f"Unknown facility {value!r}; expected the name or id of a facility of this organization."
            )
        return facility

    @staticmethod
    def _date(column: str, value: Cell) -> date:
        if isinstance(value, BadCell):
            raise _RowProblem(column, value.reason)
        if isinstance(value, date):
            return value
        if isinstance(value, ExcelNumber):
            raise _RowProblem(column, f"{value.stored!r} is a number, not a date; expected a date cell or YYYY-MM-DD.")
        value = value.strip()
        if not value:
            raise _required(column)
        try:
            return parse_iso_date(value)
        except ValueError as problem:
            raise _RowProblem(column, str(problem)) from None

    def _number(self, column: str, value: Cell) -> Decimal | None:
        """A number cell read with the file's conventions; None for an empty one."""
        if isinstance(value, BadCell):
            raise _RowProblem(column, value.reason)
        if isinstance(value, date):
            raise _RowProblem(column, f"{value.isoformat()!r} is a date; expected a number.")
        try:
            if isinstance(value, ExcelNumber):
                return excel_number(value.stored)
            if not value.strip():
                return None
            return read_decimal_text(value, self.convention)
        except NumberProblem as problem:
            raise _RowProblem(column, str(problem)) from None

    def _quantity(self, value: Cell) -> Decimal:
        quantity = self._number("quantity", value)
        if quantity is None:
            raise _required("quantity")
        problems = quantity_problems(quantity)
        if problems:
            raise _RowProblem("quantity", problems[0][1])
        return quantity

    def _kwh_per_m3(self, kind: str | None, value: Cell) -> Decimal | None:
        factor = self._number("kwh_per_m3", value)
        if factor is None:
            return None
        if kind != InvoiceType.HEAT:
            raise _RowProblem("kwh_per_m3", "Only heat invoices (gas billed in m³) have a kWh per m³ factor.")
        if factor <= 0 or factor >= 1000:
            raise _RowProblem(
                "kwh_per_m3", f"{plain_number(factor)} is not a kWh per m³ factor; expected about 10 to 12."
            )
        return factor

    def _unit(self, kind: str | None, value: str) -> Unit:
        if not value:
            raise _required("unit")
        unit = self.units.get(value.casefold()) or self.units.get(value)
        if unit is None:
            raise _RowProblem("unit", f"Unknown unit {value!r}; expected a code such as kwh, m3, litre or kg.")
        allowed = UNIT_DIMENSIONS_BY_TYPE.get(kind or "")
        if allowed and unit.dimension not in allowed:
            raise _RowProblem(
                "unit",
                f"{value!r} is a unit of {unit.dimension}; {kind} invoices need a unit of {' or '.join(allowed)}.",
            )
        return unit

    @staticmethod
    def _status(value: str) -> str:
        value = value.lower() or DEFAULT_STATUS
        if value not in INVOICE_STATUSES:
            expected = ", ".join(INVOICE_STATUSES)
            raise _RowProblem("status", f"Unknown status {value!r}; expected one of {expected}.")
        return value

    def _supplier(self, value: str) -> Supplier | None:
        if not value:
            return None
        supplier = self.suppliers.get(value.casefold()) or self.suppliers.get(value)
        if supplier is None:
            raise _RowProblem(
                "supplier", f"Unknown supplier {value!r}; expected a catalogue supplier's code, name or id."
            )
        return supplier

    @staticmethod
    def _cups(kind: str | None, value: str) -> str | None:
        value = normalize_cups(value)
        if not value:
            return None
        if kind in (InvoiceType.WATER, InvoiceType.RECHARGE):
            raise _RowProblem("cups", f"{value!r} given, but only electricity and heat invoices have a CUPS.")
        if not is_valid_cups(value):
            raise _RowProblem("cups", f"Invalid CUPS {value!r}: expected ES, 16 digits and 2 matching check letters.")
        return value

    def _fuel(self, kind: str | None, facility: Facility | None, value: str) -> FacilityFuel | None:
        if kind != InvoiceType.HEAT:
            if value and kind:
                raise _RowProblem(
                    "fuel", f"{value!r} given, but only heat invoices have a fuel; expected an empty cell."
                )
            return None
        if not value:
            raise _required("fuel")
        if facility is None:
            return None
        facility_fuel = self.facility_fuels_by_id.get(value.lower())
        if facility_fuel is not None and facility_fuel.facility_id == facility.id:
            return facility_fuel
        fuel = self.fuels.get(value.casefold()) or self.fuels.get(value)
        if fuel is None and facility_fuel is None:
            raise _RowProblem("fuel", f"Unknown fuel {value!r}; expected a code such as natural_gas, or a name or id.")
        facility_fuel = self.facility_fuels.get((facility.id, fuel.id)) if fuel else None
        if facility_fuel is None:
            raise _RowProblem("fuel", f"Facility {facility.name!r} has no fuel {value!r}; expected one of its fuels.")
        return facility_fuel

    @staticmethod
    def _contract_id(value: str) -> uuid.UUID | None:
        """The `contract` column: a supply contract id, or empty (the contract in force is found)."""
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            raise _RowProblem(
                "contract", f"{value!r} is not a supply contract id; expected a UUID or an empty cell."
            ) from None
