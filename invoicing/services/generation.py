"""Synthetic data for benchmarks and demos: organizations with sites, contracts, fuels and invoices.

The invoices are stored uncalculated (co2e and energy empty, as any new bill) with the calculation
inputs the shared service decides; `generate_invoices --calculate` then starts their emission jobs.

Invoices are streamed with PostgreSQL COPY (psycopg 3 `cursor.copy`), which loads about a million
rows in well under a minute. Every row respects the database rules: valid CUPS, end ≥ start,
quantities ≥ 0, invoices inside their organization, unique invoice numbers.
"""

from __future__ import annotations

import calendar
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction

from invoicing.cups import cups_check_letters
from invoicing.models import Facility, FacilityFuel, Organization, StationaryFuel, Supplier, SupplyContract, Unit
from invoicing.services.audits import invoice_audit_refresh
from invoicing.services.calculation_inputs import CalculationInputs, CalculationInputsResolver

COPY_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "organization_id",
    "type",
    "status",
    "source",
    "quantity",
    "unit_id",
    "original_quantity",
    "original_unit_id",
    "start_date",
    "end_date",
    "invoice_number",
    "facility_id",
    "supplier_id",
    "supply_contract_id",
    "facility_fuel_id",
    "cups",
)
TYPES = ["electricity", "heat", "water", "recharge"]
TYPE_WEIGHTS = [50, 35, 10, 5]
STATUSES = ["active", "uploaded", "loading", "inactive", "review", "error"]
STATUS_WEIGHTS = [70, 8, 3, 6, 8, 5]
SOURCES = ["manual", "pdf", "bulk_file", "datadis", None]
SOURCE_WEIGHTS = [30, 30, 15, 15, 10]
# fuel code → (unit code, typical monthly quantity)
FUELS = {
    "natural_gas": ("kwh", 9000),
    "gas_oil": ("litre", 1200),
    "lpg": ("litre", 700),
    "wood_pellets": ("kg", 2500),
    "burning_oil": ("litre", 600),
}
ES_SUPPLIERS = ["iberdrola-clientes", "endesa-energia", "naturgy-iberia", "repsol-electricidad-gas", "holaluz"]
GB_SUPPLIERS = ["octopus-energy-uk", "british-gas", "edf-energy", "ovo-energy"]
FIRST_YEAR, YEARS = 2021, 5
COPY_BATCH = 20_000
REBUILD_INDEXES_FROM = 50_000  # invoices; below this, keeping the indexes is quicker


@dataclass(frozen=True)
class GenerationResult:
    organizations: list[Organization]
    facilities: int
    invoices: int
    seconds: float


def _cups(rng: random.Random) -> str:
    digits = f"{rng.randrange(10**16):016d}"
    return f"ES{digits}{cups_check_letters(digits)}"


@dataclass(frozen=True)
class _Site:
    facility_id: uuid.UUID
    fuels: list[tuple[uuid.UUID, str, int]]  # facility fuel id, unit id, typical monthly quantity


def _create_sites(organization: Organization, rng: random.Random, count: int) -> list[_Site]:
    suppliers = {s.code: s for s in Supplier.objects.filter(code__in=ES_SUPPLIERS + GB_SUPPLIERS)}
    fuels = {f.code: f for f in StationaryFuel.objects.filter(code__in=list(FUELS))}
    units = {u.code: u for u in Unit.objects.all()}
    sites = []
    for index in range(count):
        spanish = index % 3 != 2
        cups = _cups(rng) if spanish else None
        facility = Facility.objects.create(
            organization=organization,
            name=f"Site {index + 1:03d}",
            country="ES" if spanish else "GB",
            region=rng.choice(["MD", "CT", "AN", "VC"]) if spanish else "",
            cups=[cups] if cups else [],
        )
        supplier = suppliers[rng.choice(ES_SUPPLIERS if spanish else GB_SUPPLIERS)]
        SupplyContract.objects.create(
            facility=facility,
            supplier=supplier,
            cups=cups,
            start_date=date(FIRST_YEAR - 1, 1, 1),
            covered_by_guarantees_of_origin=rng.random() < 0.2,
        )
        site_fuels = []
        for code in rng.sample(list(FUELS), k=rng.randint(1, 2)):
            unit_code, typical = FUELS[code]
            facility_fuel = FacilityFuel.objects.create(facility=facility, fuel=fuels[code])
            site_fuels.append((facility_fuel.id, str(units[unit_code].id), typical))
        sites.append(_Site(facility.id, site_fuels))
    return sites


def _rows(
    organization: Organization,
    sites: list[_Site],
    count: int,
    rng: random.Random,
    code: str,
    units: dict[str, str],
    inputs: CalculationInputsResolver,
) -> Iterator[tuple]:
    """Invoice rows for COPY, with the calculation inputs the API and the import would store for them.
    No queries in here (the connection is busy with the COPY): `inputs` is loaded beforehand."""
    kwh, mwh, m3, kg = units["kwh"], units["mwh"], units["m3"], units["kg"]
    org_id = str(organization.id)
    types = rng.choices(TYPES, TYPE_WEIGHTS, k=count)
    statuses = rng.choices(STATUSES, STATUS_WEIGHTS, k=count)
    sources = rng.choices(SOURCES, SOURCE_WEIGHTS, k=count)
    periods = []
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        for month in range(1, 13):
            periods.append((date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])))
    random_bits = rng.getrandbits
    # Fresh ids on every run whatever the seed, increasing (like UUIDv7) so that primary-key
    # inserts append to the index instead of touching random pages.
    id_bits = random.Random(os.urandom(16)).getrandbits
    id_base = (time.time_ns() // 1000) << 12  # < 2**64 until the year 2500
    decisions: dict[tuple[uuid.UUID, str, uuid.UUID | None, date, date], CalculationInputs] = {}
    for seq in range(count):
        site = sites[seq % len(sites)]
        start, end = periods[random_bits(16) % len(periods)]
        created = datetime.combine(end, datetime.min.time(), tzinfo=UTC) + timedelta(
            seconds=86_400 + random_bits(22) % (40 * 86_400)
        )
        kind, status = types[seq], statuses[seq]
        fuel_id = None
        if kind == "electricity":
            quantity = float(800 + random_bits(15))
            unit_id = kwh
            if random_bits(3) == 0:
                unit_id, quantity = mwh, quantity / 1000
        elif kind == "heat":
            fuel_id, unit_id, typical = site.fuels[seq % len(site.fuels)]
            quantity = float(typical // 2 + random_bits(16) % typical)
        elif kind == "water":
            unit_id, quantity = m3, float(20 + random_bits(9))
        else:
            unit_id, quantity = kg, float(1 + random_bits(4))
        key = (site.facility_id, kind, fuel_id, start, end)
        if key not in decisions:  # a few hundred distinct bills' inputs, not one resolution per generated row
            decided, problems = inputs.resolve(
                invoice_type=kind,
                facility_id=site.facility_id,
                start_date=start,
                end_date=end,
                facility_fuel_id=fuel_id,
            )
            assert not problems, problems  # one contract per site, from before the first period
            decisions[key] = decided
        decided = decisions[key]
        yield (
            str(uuid.UUID(int=((id_base + seq) << 64) | id_bits(64), version=4)),
            created,
            created,
            org_id,
            kind,
            status,
            sources[seq],
            quantity,
            unit_id,
            quantity,
            unit_id,
            start,
            end,
            f"{code}-{start.year}-{seq + 1:07d}",
            site.facility_id,
            decided.supplier_id,
            decided.supply_contract_id,
            decided.facility_fuel_id,
            decided.cups,
        )


def invoices_generate(
    *,
    organizations: int,
    invoices: int,
    name_prefix: str = "Generated",
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> GenerationResult:
    """Create `organizations` new organizations holding `invoices` invoices in total."""
    from invoicing.errors import ValidationError

    if organizations < 1:
        raise ValidationError("--organizations must be at least 1.", errors={"organizations": ["At least 1."]})
    if invoices < 0:
        raise ValidationError("--invoices must be 0 or more.", errors={"invoices": ["0 or more."]})
    names = [f"{name_prefix} {index + 1:02d}" for index in range(organizations)]
    taken = list(Organization.objects.filter(name__in=names).values_list("name", flat=True))
    if taken:
        raise ValidationError(
            f"Organization {taken[0]!r} already exists; choose another --name-prefix.", errors={"name_prefix": taken}
        )
    rng = random.Random(seed)
    began = time.monotonic()
    created_orgs, facility_count = [], 0
    with transaction.atomic():
        for index, name in enumerate(names):
            organization = Organization.objects.create(name=name, country="ES" if index % 4 else "GB")
            sites = _create_sites(organization, rng, count=5 + rng.randrange(16))
            created_orgs.append((organization, sites))
            facility_count += len(sites)
        _relax_checks_for_bulk_load()
        units = {u.code: str(u.id) for u in Unit.objects.all()}
        per_org, remainder = divmod(invoices, organizations)
        done = 0
        with _secondary_indexes_rebuilt_after(enabled=invoices >= REBUILD_INDEXES_FROM):
            for index, (organization, sites) in enumerate(created_orgs):
                count = per_org + (1 if index < remainder else 0)
                code = f"G{uuid.uuid4().hex[:6].upper()}"
                inputs = CalculationInputsResolver(organization).load()
                done += _copy(_rows(organization, sites, count, rng, code, units, inputs), progress, done)
        # As any path that writes invoices: their bill audits, in the same transaction.
        for organization, _ in created_orgs:
            invoice_audit_refresh(organization_id=organization.pk, everything=True)
    if not connection.in_atomic_block:
        # Sets the visibility map, so counts and index-only scans need not visit the heap.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) invoicing_invoice")
            cursor.execute("VACUUM (ANALYZE) invoicing_invoiceauditfinding, invoicing_invoiceauditfindinginvoice")
    return GenerationResult([o for o, _ in created_orgs], facility_count, invoices, time.monotonic() - began)


@contextmanager
def _secondary_indexes_rebuilt_after(*, enabled: bool) -> Iterator[None]:
    """Drop the invoice table's plain indexes for the load and build them again from their definitions.

    Building an index from sorted data is several times faster than a million scattered inserts.
    Indexes backing constraints (primary key, natural key) stay, so the rules are checked row by row.
    Runs inside the caller's transaction: the schema is the same afterwards, or nothing happened.
    """
    if not enabled:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = 'invoicing_invoice'::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """
        )
        definitions = cursor.fetchall()
        for name, _ in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in definitions:
            cursor.execute(definition)
        cursor.execute("ANALYZE invoicing_invoice")


def _relax_checks_for_bulk_load() -> None:
    """Skip foreign-key triggers for this transaction when allowed (superuser), as pg_restore does.

    The rows are built from the ids created just above, so every reference holds by construction;
    CHECK constraints and unique indexes still apply. Foreign-key triggers otherwise cost about four
    times the rest of the load. Without the privilege the load is slower but identical.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _copy(rows: Iterator[tuple], progress: Callable[[int], None] | None, offset: int) -> int:
    sql = f"COPY invoicing_invoice ({', '.join(COPY_COLUMNS)}) FROM STDIN"
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
            if progress and written % COPY_BATCH == 0:
                progress(offset + written)
    if progress:
        progress(offset + written)
    return written
