"""Check one import row against the organization's data and turn it into the fields of an invoice.

Every lookup table is loaded once per file, so validating 10,000 rows costs a handful of queries.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from invoicing.choices import InvoiceStatus, InvoiceType
from invoicing.cups import cups_base, is_valid_cups, normalize_cups
from invoicing.models import Facility, FacilityFuel, Organization, StationaryFuel, Supplier, SupplyContract, Unit

from .readers import Cell
from .template import DEFAULT_STATUS, UNIT_DIMENSIONS_BY_TYPE

INVOICE_TYPES = tuple(InvoiceType.values)  # enum .values is rebuilt on every access
INVOICE_STATUSES = tuple(InvoiceStatus.values)
MAX_INTEGER_DIGITS = 14  # Invoice.quantity is DECIMAL(20, 6)
MAX_DECIMAL_PLACES = 6


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


@dataclass
class ValidRow:
    """The fields of the invoice a row describes (ids, not objects, so that bulk inserts stay cheap)."""

    row: int
    type: str
    invoice_number: str
    facility: Facility
    start_date: date
    end_date: date
    quantity: Decimal
    unit: Unit
    status: str
    supplier_id: uuid.UUID | None
    cups: str | None
    facility_fuel_id: uuid.UUID | None
    supply_contract_id: uuid.UUID | None

    @property
    def natural_key(self) -> tuple[uuid.UUID, str, date, date]:
        return (self.facility.id, self.invoice_number, self.start_date, self.end_date)


class _RowProblem(Exception):
    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        self.reason = reason


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


class RowValidator:
    """Validates rows for one organization; build it once per file."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
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
        self.contracts_by_facility: dict[uuid.UUID, list[SupplyContract]] = defaultdict(list)
        self.contracts: dict[str, SupplyContract] = {}
        for contract in SupplyContract.objects.filter(facility__organization=organization).select_related("supplier"):
            self.contracts_by_facility[contract.facility_id].append(contract)
            self.contracts[str(contract.id)] = contract

    def validate(self, row: int, cells: dict[str, Cell]) -> ValidRow | list[RowError]:
        """The row as invoice fields, or every problem found in it (one per column)."""
        errors: list[RowError] = []

        def check(parse, *args):  # type: ignore[no-untyped-def]
            try:
                return parse(*args)
            except _RowProblem as problem:
                errors.append(RowError(row, problem.column, problem.reason))
                return None

        text = {name: value.strip() if isinstance(value, str) else value for name, value in cells.items()}
        kind = check(self._type, text.get("type", ""))
        number = check(self._invoice_number, text.get("invoice_number", ""))
        facility = check(self._facility, text.get("facility", ""))
        start = check(self._date, "start_date", text.get("start_date", ""))
        end = check(self._date, "end_date", text.get("end_date", ""))
        if start and end and end < start:
            errors.append(RowError(row, "end_date", f"The period ends ({end}) before it starts ({start})."))
        quantity = check(self._quantity, text.get("quantity", ""))
        unit = check(self._unit, kind, text.get("unit", ""))
        status = check(self._status, text.get("status", ""))
        supplier = check(self._supplier, text.get("supplier", ""))
        cups = check(self._cups, kind, text.get("cups", ""))
        facility_fuel = check(self._fuel, kind, facility, text.get("fuel", ""))
        contract = check(self._contract, kind, facility, start, cups, text.get("contract", ""))
        if contract is not None:
            if supplier is not None and supplier.id != contract.supplier_id:
                errors.append(
                    RowError(row, "supplier", f"The contract's supplier is {contract.supplier}, not {supplier}.")
                )
            if cups and contract.cups and cups_base(cups) != cups_base(contract.cups):
                errors.append(RowError(row, "cups", f"The contract's CUPS is {contract.cups}, not {cups}."))
        if errors:
            return errors
        assert facility is not None
        assert start is not None
        assert end is not None
        assert unit is not None
        return ValidRow(
            row=row,
            type=kind,
            invoice_number=number,
            facility=facility,
            start_date=start,
            end_date=end,
            quantity=quantity,
            unit=unit,
            status=status,
            supplier_id=supplier.id if supplier else (contract.supplier_id if contract else None),
            cups=cups or (contract.cups if contract else None),
            facility_fuel_id=facility_fuel.id if facility_fuel else None,
            supply_contract_id=contract.id if contract else None,
        )

    # One parser per column; each raises _RowProblem with the message the importer sees.

    @staticmethod
    def _type(value: Cell) -> str:
        value = str(value).lower()
        if not value:
            raise _RowProblem("type", "This column is required.")
        if value not in INVOICE_TYPES:
            expected = ", ".join(INVOICE_TYPES)
            raise _RowProblem("type", f"Unknown invoice type {value!r}; expected one of {expected}.")
        return value

    @staticmethod
    def _invoice_number(value: Cell) -> str:
        value = str(value)
        if not value:
            raise _RowProblem("invoice_number", "This column is required.")
        if len(value) > 100:
            raise _RowProblem("invoice_number", "At most 100 characters.")
        return value

    def _facility(self, value: Cell) -> Facility:
        value = str(value)
        if not value:
            raise _RowProblem("facility", "This column is required.")
        facility = self.facilities.get(value.casefold())
        if facility is None:
            raise _RowProblem("facility", f"Unknown facility {value!r} in this organization.")
        return facility

    @staticmethod
    def _date(column: str, value: Cell) -> date:
        if isinstance(value, date):
            return value
        if not value:
            raise _RowProblem(column, "This column is required.")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _RowProblem(column, f"Not a date: {value!r}; expected YYYY-MM-DD.") from None

    @staticmethod
    def _quantity(value: Cell) -> Decimal:
        value = str(value)
        if not value:
            raise _RowProblem("quantity", "This column is required.")
        try:
            quantity = Decimal(value)
        except InvalidOperation:
            quantity = None
        if quantity is None or not quantity.is_finite():
            raise _RowProblem(
                "quantity", f"Not a number: {value!r}; use a dot for decimals and no thousands separator."
            )
        if quantity < 0:
            raise _RowProblem("quantity", f"Must be 0 or more, not {value}.")
        _sign, digits, exponent = quantity.normalize().as_tuple()
        assert isinstance(exponent, int)
        if -exponent > MAX_DECIMAL_PLACES or len(digits) + exponent > MAX_INTEGER_DIGITS:
            raise _RowProblem(
                "quantity",
                f"{value} does not fit: at most {MAX_INTEGER_DIGITS} digits before and "
                f"{MAX_DECIMAL_PLACES} after the decimal point.",
            )
        return quantity

    def _unit(self, kind: str | None, value: Cell) -> Unit:
        value = str(value)
        if not value:
            raise _RowProblem("unit", "This column is required.")
        unit = self.units.get(value.casefold()) or self.units.get(value)
        if unit is None:
            raise _RowProblem("unit", f"Unknown unit {value!r}; expected a code such as kwh, m3, litre or kg.")
        allowed = UNIT_DIMENSIONS_BY_TYPE.get(kind or "")
        if allowed and unit.dimension not in allowed:
            raise _RowProblem(
                "unit",
                f"{kind.capitalize()} invoices need a unit of {' or '.join(allowed)}, "  # type: ignore[union-attr]
                f"not {unit.code} ({unit.dimension}).",
            )
        return unit

    @staticmethod
    def _status(value: Cell) -> str:
        value = str(value).lower() or DEFAULT_STATUS
        if value not in INVOICE_STATUSES:
            expected = ", ".join(INVOICE_STATUSES)
            raise _RowProblem("status", f"Unknown status {value!r}; expected one of {expected}.")
        return value

    def _supplier(self, value: Cell) -> Supplier | None:
        value = str(value)
        if not value:
            return None
        supplier = self.suppliers.get(value.casefold()) or self.suppliers.get(value)
        if supplier is None:
            raise _RowProblem("supplier", f"Unknown supplier {value!r}; use a catalogue code, name or id.")
        return supplier

    @staticmethod
    def _cups(kind: str | None, value: Cell) -> str | None:
        value = normalize_cups(str(value))
        if not value:
            return None
        if kind in (InvoiceType.WATER, InvoiceType.RECHARGE):
            raise _RowProblem("cups", "Only electricity and heat invoices have a CUPS.")
        if not is_valid_cups(value):
            raise _RowProblem("cups", f"Invalid CUPS {value!r}: expected ES, 16 digits and 2 matching check letters.")
        return value

    def _fuel(self, kind: str | None, facility: Facility | None, value: Cell) -> FacilityFuel | None:
        value = str(value)
        if kind != InvoiceType.HEAT:
            if value and kind:
                raise _RowProblem("fuel", "Only heat invoices have a fuel.")
            return None
        if not value:
            raise _RowProblem("fuel", "Heat invoices need a fuel.")
        if facility is None:
            return None
        facility_fuel = self.facility_fuels_by_id.get(value.lower())
        if facility_fuel is not None and facility_fuel.facility_id == facility.id:
            return facility_fuel
        fuel = self.fuels.get(value.casefold()) or self.fuels.get(value)
        if fuel is None and facility_fuel is None:
            raise _RowProblem("fuel", f"Unknown fuel {value!r}; use a code such as natural_gas, or a name or id.")
        facility_fuel = self.facility_fuels.get((facility.id, fuel.id)) if fuel else None
        if facility_fuel is None:
            raise _RowProblem("fuel", f"Facility {facility.name!r} has no fuel {value!r}.")
        return facility_fuel

    def _contract(
        self, kind: str | None, facility: Facility | None, start: date | None, cups: str | None, value: Cell
    ) -> SupplyContract | None:
        value = str(value)
        if kind != InvoiceType.ELECTRICITY:
            if value and kind:
                raise _RowProblem("contract", "Only electricity invoices have a supply contract.")
            return None
        if facility is None:
            return None
        if value:
            contract = self.contracts.get(value.lower())
            if contract is None or contract.facility_id != facility.id:
                raise _RowProblem("contract", f"Facility {facility.name!r} has no supply contract {value!r}.")
            return contract
        if start is None:
            return None
        # No contract given: use the facility's contract in force at the start of the period (and on the
        # row's CUPS, if any) when there is exactly one.
        candidates = [
            c
            for c in self.contracts_by_facility.get(facility.id, [])
            if c.start_date <= start
            and (c.end_date is None or c.end_date >= start)
            and (not cups or not c.cups or cups_base(c.cups) == cups_base(cups))
        ]
        return candidates[0] if len(candidates) == 1 else None
