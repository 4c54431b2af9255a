"""What an invoice's emissions are calculated from, decided in one place for every path that stores a bill.

The API (create and PATCH), the import (command and admin page), the demo data and `generate_invoices`
all ask `CalculationInputsResolver` for a bill's supply contract, supplier, CUPS and facility fuel, so
the same bill stores the same inputs, and so the same numbers, whichever path entered it.

Rules (docs/emissions.md, "Which contract"):
- Electricity: the contract given must be one of the facility's. Without one, the contract in force
  during the billing period (its validity overlaps the period), on the bill's CUPS when both have one:
  none found means no contract; more than one is refused, naming them, rather than guessed. The
  supplier is the contract's (a different one given is refused); the CUPS is the bill's, else the
  contract's.
- Heat: no contract; the facility fuel is required and must be one of the facility's fuels.
- Water and recharge: neither contract nor fuel.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from invoicing.choices import InvoiceType
from invoicing.cups import cups_base
from invoicing.models import FacilityFuel, Organization, Supplier, SupplyContract

# (field, message): the field is the API's name (the import maps it to its column).
Problem = tuple[str, str]


@dataclass(frozen=True)
class CalculationInputs:
    supply_contract_id: uuid.UUID | None
    supplier_id: uuid.UUID | None
    cups: str | None
    facility_fuel_id: uuid.UUID | None


class CalculationInputsResolver:
    """The rules above for the bills of one organization. Build it once per request or per file: it
    reads the organization's contracts, its facility fuels and the supplier catalogue's ids once each,
    when first needed.

    A caller that has read the catalogue's suppliers or the organization's facility fuels already (the
    import's row validator) passes them as `supplier_ids` and `facility_fuels` (facility fuel id → its
    facility's id) instead of having them read again; they must be the same rows, all of them.
    """

    def __init__(
        self,
        organization: Organization,
        *,
        supplier_ids: set[uuid.UUID] | None = None,
        facility_fuels: dict[uuid.UUID, uuid.UUID] | None = None,
    ) -> None:
        self.organization = organization
        # A cached_property allows writes (functools docs): a value set here is the one it would have read.
        if supplier_ids is not None:
            self.supplier_ids = supplier_ids
        if facility_fuels is not None:
            self.facility_fuels = facility_fuels

    def load(self) -> CalculationInputsResolver:
        """Read everything now (for a caller that cannot query while it resolves, such as a COPY)."""
        _ = self.contracts_by_facility, self.facility_fuels, self.supplier_ids
        return self

    @cached_property
    def contracts(self) -> dict[uuid.UUID, SupplyContract]:
        contracts = SupplyContract.objects.filter(facility__organization=self.organization).select_related("supplier")
        return {contract.id: contract for contract in contracts.order_by("start_date", "id")}

    @cached_property
    def contracts_by_facility(self) -> dict[uuid.UUID, list[SupplyContract]]:
        by_facility: dict[uuid.UUID, list[SupplyContract]] = defaultdict(list)
        for contract in self.contracts.values():
            by_facility[contract.facility_id].append(contract)
        return by_facility

    @cached_property
    def facility_fuels(self) -> dict[uuid.UUID, uuid.UUID]:
        """facility fuel id → its facility's id."""
        fuels = FacilityFuel.objects.filter(facility__organization=self.organization)
        return dict(fuels.values_list("id", "facility_id"))

    @cached_property
    def supplier_ids(self) -> set[uuid.UUID]:
        return set(Supplier.objects.values_list("id", flat=True))

    def resolve(
        self,
        *,
        invoice_type: str,
        facility_id: uuid.UUID,
        start_date: date,
        end_date: date,
        cups: str | None = None,
        supply_contract_id: uuid.UUID | None = None,
        supplier_id: uuid.UUID | None = None,
        facility_fuel_id: uuid.UUID | None = None,
        require_fuel: bool = True,
    ) -> tuple[CalculationInputs, list[Problem]]:
        """The inputs of one bill and the problems that refuse it (an empty list when none).

        `cups` is normalised already (invoicing.cups.normalize_cups); `require_fuel` is false for a
        correction that does not touch the fuel of a heat invoice stored without one.
        """
        problems: list[Problem] = []
        if supplier_id is not None and supplier_id not in self.supplier_ids:
            problems.append(("supplier_id", "Unknown supplier; expected a supplier of the catalogue (/v1/suppliers)."))
        contract = None
        if invoice_type == InvoiceType.ELECTRICITY:
            contract = self._contract(facility_id, start_date, end_date, cups, supply_contract_id, problems)
        elif supply_contract_id is not None:
            problems.append(("supply_contract_id", "Only electricity invoices have a supply contract; expected none."))
        if contract is not None:
            if supplier_id is not None and supplier_id != contract.supplier_id:
                problems.append(
                    (
                        "supplier_id",
                        f"Differs from the supply contract's supplier; expected {contract.supplier.name} or none.",
                    )
                )
            supplier_id = contract.supplier_id
            cups = cups or contract.cups
        self._check_fuel(invoice_type, facility_id, facility_fuel_id, require_fuel, problems)
        inputs = CalculationInputs(
            supply_contract_id=contract.id if contract is not None else None,
            supplier_id=supplier_id,
            cups=cups,
            facility_fuel_id=facility_fuel_id,
        )
        return inputs, problems

    def _contract(
        self,
        facility_id: uuid.UUID,
        start_date: date,
        end_date: date,
        cups: str | None,
        given: uuid.UUID | None,
        problems: list[Problem],
    ) -> SupplyContract | None:
        if given is not None:
            contract = self.contracts.get(given)
            if contract is None:
                problems.append(
                    (
                        "supply_contract_id",
                        "No supply contract with this id in your organization; expected one of the facility's "
                        "contracts, or none for the contract in force.",
                    )
                )
            elif contract.facility_id != facility_id:
                problems.append(
                    ("supply_contract_id", "The contract belongs to another facility; expected one of this facility's.")
                )
            elif cups and contract.cups and cups_base(cups) != cups_base(contract.cups):
                problems.append(("cups", f"The contract's CUPS is {contract.cups}, not {cups}; expected it or none."))
            else:
                return contract
            return None
        in_force = [
            contract
            for contract in self.contracts_by_facility.get(facility_id, [])
            if contract.start_date <= end_date
            and (contract.end_date is None or contract.end_date >= start_date)
            and (not cups or not contract.cups or cups_base(contract.cups) == cups_base(cups))
        ]
        if len(in_force) > 1:
            ids = ", ".join(str(contract.id) for contract in in_force)
            problems.append(
                (
                    "supply_contract_id",
                    f"{len(in_force)} supply contracts of the facility are in force from {start_date} to {end_date} "
                    f"({ids}); expected the id of the one that bills it.",
                )
            )
            return None
        return in_force[0] if in_force else None

    def _check_fuel(
        self,
        invoice_type: str,
        facility_id: uuid.UUID,
        facility_fuel_id: uuid.UUID | None,
        require_fuel: bool,
        problems: list[Problem],
    ) -> None:
        if facility_fuel_id is None:
            if require_fuel and invoice_type == InvoiceType.HEAT:
                problems.append(
                    ("facility_fuel_id", "A heat invoice needs the facility fuel it was billed for; expected its id.")
                )
            return
        fuel_facility = self.facility_fuels.get(facility_fuel_id)
        if fuel_facility is None:
            problems.append(
                (
                    "facility_fuel_id",
                    "No facility fuel with this id in your organization; expected one of the facility's.",
                )
            )
        elif invoice_type != InvoiceType.HEAT:
            problems.append(("facility_fuel_id", "Only heat invoices have a facility fuel; expected none."))
        elif fuel_facility != facility_id:
            problems.append(
                ("facility_fuel_id", "The fuel belongs to another facility; expected one of this facility's.")
            )
