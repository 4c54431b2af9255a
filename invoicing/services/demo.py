"""Demo data: one realistic organization with Spanish and UK sites and a few hundred invoices.

Idempotent: `make run` calls it on every start. Existing rows are kept, missing ones are added, the
invoices are topped up to the number asked for, and only the new invoices' emissions are calculated.

The bills use fuels, units and years that the shipped publications cover, so most of the demo's jobs
complete without errors. Two kinds of failure are kept on purpose, because they are what a user meets
with real Spanish bills, and each says why where the number would be: Spain has no published
well-to-tank or T&D factor (`NO_FACTOR`, docs/emissions.md "Known gaps"), and oil billed in litres or
pellets billed in kg have no sourced calorific value for the energy category (`NO_CALORIFIC_VALUE`).
The jobs are started per country, so those failures sit in jobs of their own.
"""

from __future__ import annotations

import calendar
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from invoicing.choices import InvoiceSource, InvoiceStatus, InvoiceType
from invoicing.models import (
    ApiKey,
    Facility,
    FacilityFuel,
    Invoice,
    Organization,
    StationaryFuel,
    Supplier,
    SupplyContract,
    Unit,
)

from .audits import invoice_audit_refresh
from .calculation_inputs import CalculationInputsResolver
from .organizations import api_key_create

DEMO_ORGANIZATION = "Demo Renovables S.L."

# name, country, region, CUPS
FACILITIES = [
    ("Madrid office", "ES", "MD", ["ES0021000000000001RK"]),
    ("Barcelona warehouse", "ES", "CT", ["ES1234123456789012JY"]),
    ("Valencia plant", "ES", "VC", ["ES0022000006089269MY1P"]),
    ("London office", "GB", "", []),
    ("Manchester depot", "GB", "", []),
]
# facility, supplier code, CUPS, covered by guarantees of origin (UK: REGO-backed tariff)
CONTRACTS = [
    ("Madrid office", "iberdrola-clientes", "ES0021000000000001RK", True),
    ("Barcelona warehouse", "endesa-energia", "ES1234123456789012JY", False),
    ("Valencia plant", "holaluz", "ES0022000006089269MY1P", False),
    ("London office", "octopus-energy-uk", None, True),
    ("Manchester depot", "british-gas", None, False),
]
DEMO_KEY_NAME = "demo"
# facility, fuel code, unit code, typical monthly quantity
FUELS = [
    ("Madrid office", "natural_gas", "kwh", 9000),
    ("Valencia plant", "gas_oil", "litre", 1200),
    ("Valencia plant", "wood_pellets", "kg", 2500),
    ("London office", "natural_gas", "kwh", 9000),
    ("Manchester depot", "burning_oil", "litre", 600),
]
STATUS_WEIGHTS = {
    InvoiceStatus.ACTIVE: 70,
    InvoiceStatus.UPLOADED: 8,
    InvoiceStatus.LOADING: 3,
    InvoiceStatus.INACTIVE: 6,
    InvoiceStatus.REVIEW: 8,
    InvoiceStatus.ERROR: 5,
}
SOURCES: list[str | None] = [
    InvoiceSource.MANUAL,
    InvoiceSource.PDF,
    InvoiceSource.BULK_FILE,
    InvoiceSource.DATADIS,
    None,
]


@dataclass(frozen=True)
class DemoSeedResult:
    organization: Organization
    api_key: str
    invoices_created: int
    invoices_total: int
    job_ids: list[uuid.UUID]
    calculation_problems: list[str]


def demo_seed(*, invoices: int = 300, seed: int = 2024, calculate: bool = True) -> DemoSeedResult:
    """Create the demo organization (idempotently), top its invoices up to `invoices` and, unless
    `calculate` is false, start the emission jobs of the new ones (a worker picks them up).

    A fresh API key is issued on every run (keys are stored hashed, so an old one cannot be shown);
    the previous demo keys are revoked so that only the one printed works.
    """
    from invoicing.services.recalculation import new_invoices_calculation_start

    result, ids_by_type = _demo_rows(invoices=invoices, seed=seed)
    if calculate and ids_by_type:
        new = Invoice.objects.filter(
            organization=result.organization, id__in=[i for ids in ids_by_type.values() for i in ids]
        )
        for country in sorted({country for _, country, *_ in FACILITIES}):
            in_country = new.filter(facility__country=country)
            started = new_invoices_calculation_start(
                organization=result.organization,
                invoice_ids_by_type={kind: in_country for kind in ids_by_type},
                trigger="system",
            )
            result.job_ids.extend(started.job_ids)
            result.calculation_problems.extend(started.problems)
    return result


@transaction.atomic
def _demo_rows(*, invoices: int, seed: int) -> tuple[DemoSeedResult, dict[str, list[uuid.UUID]]]:
    organization, _ = Organization.objects.get_or_create(name=DEMO_ORGANIZATION, defaults={"country": "ES"})
    facilities = {}
    for name, country, region, cups in FACILITIES:
        facilities[name], _ = Facility.objects.get_or_create(
            organization=organization, name=name, defaults={"country": country, "region": region, "cups": cups}
        )
    contracts = []
    for facility_name, supplier_code, contract_cups, goo in CONTRACTS:
        contract, _ = SupplyContract.objects.get_or_create(
            facility=facilities[facility_name],
            supplier=Supplier.objects.get(code=supplier_code),
            defaults={"cups": contract_cups, "start_date": date(2023, 1, 1), "covered_by_guarantees_of_origin": goo},
        )
        contracts.append(contract)
    facility_fuels = []
    for facility_name, fuel_code, unit_code, typical in FUELS:
        facility_fuel, _ = FacilityFuel.objects.get_or_create(
            facility=facilities[facility_name], fuel=StationaryFuel.objects.get(code=fuel_code)
        )
        facility_fuels.append((facility_fuel, unit_code, typical))

    existing = Invoice.objects.filter(organization=organization).count()
    to_create = max(0, invoices - existing)
    units = {unit.code: unit for unit in Unit.objects.all()}
    rng = random.Random(seed + existing)
    inputs = CalculationInputsResolver(organization)
    rows = [
        _demo_invoice(rng, organization, index, contracts, facility_fuels, list(facilities.values()), units, inputs)
        for index in range(existing, existing + to_create)
    ]
    Invoice.objects.bulk_create(rows, batch_size=1000)
    if rows:
        invoice_audit_refresh(organization_id=organization.pk, everything=True)
    ApiKey.objects.filter(organization=organization, name=DEMO_KEY_NAME, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    key = api_key_create(organization=organization, name=DEMO_KEY_NAME)
    ids_by_type: dict[str, list[uuid.UUID]] = defaultdict(list)
    for row in rows:
        ids_by_type[row.type].append(row.id)
    result = DemoSeedResult(organization, key.plaintext, to_create, existing + to_create, [], [])
    return result, ids_by_type


def _demo_invoice(rng, organization, index, contracts, facility_fuels, facilities, units, inputs) -> Invoice:  # type: ignore[no-untyped-def]
    year = 2023 + (index // 12) % 2
    month = index % 12 + 1
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    kind = rng.choices(list(InvoiceType), weights=[35, 50, 10, 5])[0]
    invoice = Invoice(
        organization=organization,
        type=kind,
        status=rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
        source=rng.choice(SOURCES),
        start_date=start,
        end_date=end,
        invoice_number=f"DEMO-{year}-{index:05d}",
    )
    if kind == InvoiceType.ELECTRICITY:
        use_mwh = rng.random() < 0.2
        kwh = Decimal(rng.randint(800, 25000))
        invoice.facility = rng.choice(contracts).facility
        invoice.unit = units["mwh" if use_mwh else "kwh"]
        invoice.quantity = kwh / 1000 if use_mwh else kwh
    elif kind == InvoiceType.HEAT:
        facility_fuel, unit_code, typical = rng.choice(facility_fuels)
        invoice.facility = facility_fuel.facility
        invoice.facility_fuel = facility_fuel
        invoice.unit = units[unit_code]
        invoice.quantity = Decimal(int(typical * rng.uniform(0.5, 1.6)))
    elif kind == InvoiceType.WATER:
        invoice.facility = rng.choice(facilities)
        invoice.unit = units["m3"]
        invoice.quantity = Decimal(rng.randint(20, 400))
    else:
        invoice.facility = rng.choice(facilities)
        invoice.unit = units["kg"]
        invoice.quantity = Decimal(rng.randint(1, 15))
    invoice.original_quantity = invoice.quantity
    invoice.original_unit = invoice.unit
    decided, problems = inputs.resolve(
        invoice_type=kind,
        facility_id=invoice.facility.id,
        start_date=start,
        end_date=end,
        facility_fuel_id=invoice.facility_fuel_id,
    )
    assert not problems, problems  # the demo's sites have one contract each, from before its first bill
    invoice.supply_contract_id = decided.supply_contract_id
    invoice.supplier_id = decided.supplier_id
    invoice.cups = decided.cups
    return invoice
