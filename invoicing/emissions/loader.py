"""Reading emission-factor datasets (our CSV format, DESNZ flat file) and storing them all or nothing.

The same code is used by migration 0006 (shipped datasets, with the migration's app registry) and by
`manage.py load_emission_factors`. A dataset is identified by (publisher, name, version): loading the
same content again changes nothing; different content under an existing version is refused.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from invoicing.choices import ActivityCategory
from invoicing.errors import DatasetVersionConflict, FactorFileError
from invoicing.reference_data import STATIONARY_FUELS, UNITS

DATA_DIR = Path(__file__).resolve().parent / "data"

META_FIELDS = ("publisher", "name", "version", "year", "source_url", "licence", "rank")
CSV_COLUMNS = (
    "category",
    "kind",
    "country",
    "region",
    "fuel",
    "supplier",
    "unit",
    "calorific_basis",
    "kg_co2e",
    "co2_kg",
    "ch4_g",
    "n2o_g",
    "biogenic_co2_kg",
    "year",
    "source_reference",
)
KINDS = ("standard", "supplier", "residual_mix", "renewable_goo", "cogeneration_goo", "grid_average", "wtt_td")
BASES = ("", "gross", "net")
UNIT_CODES = {code for code, *_ in UNITS}
FUEL_CODES = {code for code, *_ in STATIONARY_FUELS}
MAX_DIGITS, DECIMAL_PLACES = 20, 10


@dataclass(frozen=True)
class DatasetMeta:
    publisher: str
    name: str
    version: str
    year: int
    source_url: str
    licence: str
    rank: int = 100


@dataclass(frozen=True)
class FactorRow:
    category: str
    kind: str
    country: str
    region: str
    fuel: str
    supplier: str
    unit: str
    calorific_basis: str
    kg_co2e: Decimal
    co2_kg: Decimal | None
    ch4_g: Decimal | None
    n2o_g: Decimal | None
    biogenic_co2_kg: Decimal | None
    year: int
    source_reference: str

    @property
    def natural_key(self) -> tuple[Any, ...]:
        return (
            self.category,
            self.kind,
            self.country,
            self.region,
            self.fuel,
            self.supplier.upper(),
            self.unit,
            self.calorific_basis,
            self.year,
        )


@dataclass
class ParsedDataset:
    meta: DatasetMeta
    rows: list[FactorRow] = field(default_factory=list)

    def content_hash(self) -> str:
        def plain(value: Any) -> Any:
            # normalize(): 0.18290 in a CSV and 0.1829 read from a spreadsheet are the same figure
            return str(value.normalize()) if isinstance(value, Decimal) else value

        rows = sorted(json.dumps({k: plain(v) for k, v in asdict(row).items()}, sort_keys=True) for row in self.rows)
        payload = json.dumps({"meta": asdict(self.meta), "rows": rows}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class LoadOutcome:
    dataset_id: Any
    label: str
    created: bool
    rows: int


class _RowErrors:
    def __init__(self) -> None:
        self.by_row: dict[str, list[str]] = {}

    def add(self, row: int | str, reason: str) -> None:
        self.by_row.setdefault(f"row {row}" if isinstance(row, int) else row, []).append(reason)

    def raise_if_any(self, source: str) -> None:
        if set(self.by_row) == {"file"}:
            raise FactorFileError(f"{source}: {'; '.join(self.by_row['file'])}; nothing was loaded.")
        if self.by_row:
            count = len(self.by_row)
            raise FactorFileError(f"{source}: {count} bad row(s); nothing was loaded.", errors=self.by_row)


def decimal_or_error(text: str, *, required: bool) -> Decimal | None:
    text = (text or "").strip()
    if text == "":
        if required:
            raise ValueError("a number is required")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{text!r} must be a finite number ≥ 0")
    if value.as_tuple().exponent < -DECIMAL_PLACES or abs(value) >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):  # type: ignore[operator]
        raise ValueError(f"{text!r} has more than {DECIMAL_PLACES} decimals or is too large")
    return value


def validate_row(values: dict[str, str]) -> FactorRow:
    """One row of our CSV format as a FactorRow; ValueError lists every problem of the row."""
    problems: list[str] = []
    get = {key: (values.get(key) or "").strip() for key in CSV_COLUMNS}
    if get["category"] not in ActivityCategory.values or get["category"] == ActivityCategory.ENERGY:
        problems.append(f"unknown category {get['category']!r}")
    kind = get["kind"] or "standard"
    if kind not in KINDS:
        problems.append(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    country = get["country"].upper()
    if len(country) != 2 or not country.isalpha():
        problems.append(f"country {get['country']!r} is not an ISO 3166 two-letter code")
    if get["fuel"] and get["fuel"] not in FUEL_CODES:
        problems.append(f"unknown fuel {get['fuel']!r}")
    if get["unit"] not in UNIT_CODES:
        problems.append(f"unknown unit {get['unit']!r} (one of {', '.join(sorted(UNIT_CODES))})")
    basis = get["calorific_basis"].lower()
    if basis not in BASES:
        problems.append(f"calorific_basis {get['calorific_basis']!r} must be gross, net or empty")
    if kind == "supplier" and not get["supplier"]:
        problems.append("a supplier row needs the supplier's legal name")
    numbers: dict[str, Decimal | None] = {}
    for key in ("kg_co2e", "co2_kg", "ch4_g", "n2o_g", "biogenic_co2_kg"):
        try:
            numbers[key] = decimal_or_error(get[key], required=key == "kg_co2e")
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
    year = 0
    if get["year"].isdigit() and 1990 <= int(get["year"]) <= 2100:
        year = int(get["year"])
    else:
        problems.append(f"year {get['year']!r} must be a year between 1990 and 2100")
    if problems:
        raise ValueError("; ".join(problems))
    return FactorRow(
        category=get["category"],
        kind=kind,
        country=country,
        region=get["region"],
        fuel=get["fuel"],
        supplier=get["supplier"],
        unit=get["unit"],
        calorific_basis=basis,
        kg_co2e=numbers["kg_co2e"],  # type: ignore[arg-type]
        co2_kg=numbers["co2_kg"],
        ch4_g=numbers["ch4_g"],
        n2o_g=numbers["n2o_g"],
        biogenic_co2_kg=numbers["biogenic_co2_kg"],
        year=year,
        source_reference=get["source_reference"],
    )


def _validate_meta(raw: dict[str, str], errors: _RowErrors) -> DatasetMeta | None:
    missing = [key for key in META_FIELDS if key != "rank" and not raw.get(key, "").strip()]
    if missing:
        errors.add("header", f"missing dataset metadata: {', '.join(missing)} (lines like '# publisher: DESNZ')")
        return None
    year_text, rank_text = raw["year"].strip(), raw.get("rank", "100").strip() or "100"
    if not year_text.isdigit() or not rank_text.isdigit():
        errors.add("header", "year and rank must be whole numbers")
        return None
    meta = DatasetMeta(
        publisher=raw["publisher"].strip(),
        name=raw["name"].strip(),
        version=raw["version"].strip(),
        year=int(year_text),
        source_url=raw["source_url"].strip(),
        licence=raw["licence"].strip(),
        rank=int(rank_text),
    )
    if not meta.source_url.startswith(("http://", "https://")):
        errors.add("header", "source_url must be an http(s) address")
    return meta


def _check_duplicates(numbered: list[tuple[int, FactorRow]], errors: _RowErrors) -> None:
    seen: dict[tuple[Any, ...], int] = {}
    for line, row in numbered:
        first = seen.setdefault(row.natural_key, line)
        if first != line:
            errors.add(line, f"duplicate of row {first} (same category, kind, country, fuel, supplier, unit, year)")


def parse_factor_csv(text: str, *, source: str = "CSV") -> ParsedDataset:
    """Parse our CSV format (docs/emissions.md): '# key: value' metadata lines, then a header and rows."""
    errors = _RowErrors()
    raw_meta: dict[str, str] = {}
    lines = text.lstrip("\ufeff").splitlines()
    first_data = 0
    for index, line in enumerate(lines):
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            raw_meta[key.strip().lower()] = value.strip()
            first_data = index + 1
        elif line.strip():
            break
        else:
            first_data = index + 1
    meta = _validate_meta(raw_meta, errors)
    reader = csv.DictReader(io.StringIO("\n".join(lines[first_data:])))
    header = [name.strip() for name in reader.fieldnames or []]
    absent = [column for column in CSV_COLUMNS if column not in header]
    if absent:
        errors.add(first_data + 1, f"header lacks column(s): {', '.join(absent)}")
        errors.raise_if_any(source)
    numbered: list[tuple[int, FactorRow]] = []
    for values in reader:
        row_number = first_data + reader.line_num  # physical line in the file, as an editor shows it
        if not any((value or "").strip() for value in values.values() if isinstance(value, str)):
            continue
        if None in values:
            errors.add(row_number, "more cells than columns in the header")
            continue
        try:
            numbered.append((row_number, validate_row({k.strip(): v for k, v in values.items() if k})))
        except ValueError as exc:
            errors.add(row_number, str(exc))
    if not numbered and not errors.by_row:
        errors.add("file", "no factor rows")
    _check_duplicates(numbered, errors)
    errors.raise_if_any(source)
    assert meta is not None
    return ParsedDataset(meta=meta, rows=[row for _, row in numbered])


def parse_file(path: Path) -> ParsedDataset:
    """A CSV in our format, or the official DESNZ flat file (.xlsx)."""
    if not path.is_file():
        raise FactorFileError(f"{path}: no such file.")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from .desnz import parse_desnz_flat_file

        return parse_desnz_flat_file(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FactorFileError(f"{path}: not a UTF-8 text file (CSV) nor an .xlsx workbook.") from None
    return parse_factor_csv(text, source=path.name)


def dataset_store(parsed: ParsedDataset, *, apps: Any = None) -> LoadOutcome:
    """Store one parsed dataset all or nothing; `apps` is a migration's registry or None."""
    from invoicing.models.catalog import catalog_uuid

    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    dataset_model = apps.get_model("invoicing", "EmissionFactorDataset")
    factor_model = apps.get_model("invoicing", "EmissionFactor")
    meta, digest = parsed.meta, parsed.content_hash()
    label = f"{meta.publisher} / {meta.name} / {meta.version}"
    with transaction.atomic():
        existing = (
            dataset_model.objects.select_for_update()
            .filter(publisher=meta.publisher, name=meta.name, version=meta.version)
            .first()
        )
        if existing is not None:
            if existing.content_hash != digest:
                raise DatasetVersionConflict(
                    f"{label} is already loaded with other figures; a new version must be loaded as a new version."
                )
            return LoadOutcome(existing.id, label, created=False, rows=existing.factors.count())
        dataset = dataset_model.objects.create(
            publisher=meta.publisher,
            name=meta.name,
            version=meta.version,
            year=meta.year,
            source_url=meta.source_url,
            licence=meta.licence,
            rank=meta.rank,
            content_hash=digest,
        )
        factor_model.objects.bulk_create(
            factor_model(
                dataset_id=dataset.id,
                category=row.category,
                kind=row.kind,
                country=row.country,
                region=row.region,
                fuel_id=catalog_uuid("fuel", row.fuel) if row.fuel else None,
                supplier_name=row.supplier,
                unit_id=catalog_uuid("unit", row.unit),
                calorific_basis=row.calorific_basis,
                kg_co2e=row.kg_co2e,
                co2_kg=row.co2_kg,
                ch4_g=row.ch4_g,
                n2o_g=row.n2o_g,
                biogenic_co2_kg=row.biogenic_co2_kg,
                year=row.year,
                source_reference=row.source_reference,
            )
            for row in parsed.rows
        )
    return LoadOutcome(dataset.id, label, created=True, rows=len(parsed.rows))


def load_shipped_datasets(apps: Any = None) -> list[LoadOutcome]:
    """Load every dataset file shipped in invoicing/emissions/data (used by migration 0006)."""
    return [dataset_store(parse_file(path), apps=apps) for path in sorted(DATA_DIR.glob("*.csv"))]
