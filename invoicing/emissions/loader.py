"""Reading emission-factor files (the shipped CSV format, the DESNZ flat file) and storing them all or nothing.

The same code is used by the migration that loads the shipped files (with the migration's app
registry) and by `manage.py load_emission_factors`. A dataset is identified by (publisher, name,
version); one file may hold several (the rows say which). Loading the same figures again changes
nothing; other figures under a loaded version are refused, so a corrected publication is loaded
under a new version (`--version`) beside the old one. docs/emissions.md describes the format.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import astuple, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import ngettext

from invoicing.errors import DatasetVersionConflict, FactorFileError
from invoicing.models.factors import CalorificBasis, FactorBasis, FactorCategory, FactorKind
from invoicing.reference_data import STATIONARY_FUELS, UNITS
from invoicing.text import counted

DATA_DIR = Path(__file__).resolve().parent / "data"

CSV_COLUMNS = (
    "publisher",
    "dataset",
    "version",
    "year",
    "country",
    "region",
    "category",
    "fuel_or_supplier",
    "unit",
    "kg_co2e_per_unit",
    "kg_co2_per_unit",
    "kg_ch4_co2e_per_unit",
    "kg_n2o_co2e_per_unit",
    "biogenic_co2_per_unit",
    "calorific_basis",
    "scope_basis",
    "source_document",
    "source_location",
    "source_url",
)
NUMBER_COLUMNS = {
    "kg_co2e_per_unit": "kg_co2e",
    "kg_co2_per_unit": "co2_kg",
    "kg_ch4_co2e_per_unit": "ch4_kg_co2e",
    "kg_n2o_co2e_per_unit": "n2o_kg_co2e",
    "biogenic_co2_per_unit": "biogenic_co2_kg",
}
MAX_DIGITS, DECIMAL_PLACES = 25, 17  # EmissionFactor's factor fields
UNIT_CODES = {code for code, *_ in UNITS}
FUEL_CODES = {code for code, *_ in STATIONARY_FUELS}

# Rank (lower first, among datasets with a factor for the same country and category) and licence
# by publisher. National publications come before the EU-wide JRC set, which then serves only
# countries without one (docs/emissions.md, "One source per country"). Others: rank 100.
PUBLISHERS: dict[str, tuple[int, str]] = {
    "DESNZ": (10, "Open Government Licence v3.0 (Crown copyright)"),
    "BEIS": (10, "Open Government Licence v3.0 (Crown copyright)"),
    "MITECO": (10, "Spanish public-sector information (Ley 37/2007), reusable citing MITECO as the source"),
    "SEAI": (10, ""),
    "Umweltbundesamt (UBA), Germany": (10, ""),
    "Agência Portuguesa do Ambiente (APA)": (10, ""),
    "European Commission, Joint Research Centre (JRC)": (20, ""),
}
DEFAULT_RANK = 100

# The catalogue fuel of each published fuel name (DESNZ and MITECO spellings). Rows of other fuels
# (e.g. MITECO's gasóleo B, olive stones) are stored but no invoice fuel uses them.
FUEL_NAMES = {
    "Natural gas": "natural_gas",
    "LPG": "lpg",
    "Propane": "propane",
    "Butane": "butane",
    "Gas oil": "gas_oil",
    "Gasóleo C (heating gas oil)": "gas_oil",
    "Diesel (average biofuel blend)": "diesel",
    "Burning oil": "burning_oil",
    "Queroseno (kerosene)": "burning_oil",
    "Fuel oil": "fuel_oil",
    "Fuelóleo (fuel oil)": "fuel_oil",
    "Wood logs": "wood_logs",
    "Biomass - wood (madera)": "wood_logs",
    "Wood chips": "wood_chips",
    "Biomass - wood chips (astillas)": "wood_chips",
    "Wood pellets": "wood_pellets",
    "Biomass - wood pellets": "wood_pellets",
}
# Rows that a (category, published name) pair marks beyond the category: district heat's parts
# and the guarantee-of-origin rows among the supplier labels.
NAMED_ROWS: dict[tuple[str, str], tuple[str, str]] = {
    ("heat_and_steam", "District heat and steam"): ("district_heat", FactorKind.STANDARD),
    ("heat_and_steam_wtt", "District heat and steam WTT"): ("district_heat", FactorKind.STANDARD),
    ("heat_and_steam_td", "District heat and steam distribution losses (5% loss)"): (
        "district_heat",
        FactorKind.STANDARD,
    ),
    ("heat_and_steam_wtt", "District heat and steam distribution losses (5% loss) WTT"): (
        "district_heat",
        FactorKind.DISTRIBUTION_LOSSES_WTT,
    ),
    ("supplier_mix", "Guarantee of origin - renewable"): ("", FactorKind.RENEWABLE_GOO),
    ("supplier_mix", "Guarantee of origin - high-efficiency cogeneration"): ("", FactorKind.COGENERATION_GOO),
}
FUEL_CATEGORIES = {FactorCategory.FUEL_COMBUSTION, FactorCategory.FUEL_WTT}


@dataclass(frozen=True)
class DatasetMeta:
    publisher: str
    name: str
    version: str
    source_url: str


@dataclass(frozen=True)
class FactorRow:
    """One published factor, read and checked; `fuel`, `kind` and `basis` are derived from the row."""

    category: str
    kind: str
    country: str
    region: str
    item: str
    fuel: str
    unit: str
    calorific_basis: str
    kg_co2e: Decimal | None
    co2_kg: Decimal | None
    ch4_kg_co2e: Decimal | None
    n2o_kg_co2e: Decimal | None
    biogenic_co2_kg: Decimal | None
    basis: str
    year: int
    scope_basis: str
    source_document: str
    source_location: str

    @property
    def natural_key(self) -> tuple[Any, ...]:
        return (
            self.category,
            self.kind,
            self.country,
            self.region,
            self.item.upper(),
            self.unit,
            self.calorific_basis,
            self.year,
        )

    def figures(self) -> tuple[Any, ...]:
        """What a reload must match: every field but the provenance texts (normalized decimals)."""
        plain = [str(v.normalize()) if isinstance(v, Decimal) else v for v in astuple(self)]
        return tuple(plain[:-3])


@dataclass
class ParsedDataset:
    meta: DatasetMeta
    rows: list[FactorRow]

    @property
    def label(self) -> str:
        return f"{self.meta.publisher} / {self.meta.name} / {self.meta.version}"

    def content_hash(self) -> str:
        rows = sorted(json.dumps(row.figures()) for row in self.rows)
        return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


@dataclass(frozen=True)
class LoadOutcome:
    dataset_id: Any
    label: str
    created: bool
    rows: int


class RowErrors:
    """Problems found in a file, by row ("row 12") or for the whole file ("file")."""

    def __init__(self) -> None:
        self.by_row: dict[str, list[str]] = {}

    def add(self, row: int | str, reason: str) -> None:
        self.by_row.setdefault(f"row {row}" if isinstance(row, int) else row, []).append(reason)

    def raise_if_any(self, source: str) -> None:
        if set(self.by_row) == {"file"}:
            raise FactorFileError(f"{source}: {'; '.join(self.by_row['file'])}; nothing was loaded.")
        if self.by_row:
            rows = sum(1 for where in self.by_row if where.startswith("row "))
            others = [where for where in self.by_row if not where.startswith("row ")]
            parts = ([counted(rows, "bad row")] if rows else []) + [f"a bad {where}" for where in others]
            raise FactorFileError(f"{source}: {' and '.join(parts)}; nothing was loaded.", errors=self.by_row)


def decimal_or_error(text: str) -> Decimal | None:
    """A factor as written in a file: empty, or a finite number ≥ 0 with at most 17 decimals."""
    text = (text or "").strip()
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{text!r} must be a finite number ≥ 0")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -DECIMAL_PLACES or value >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):
        raise ValueError(f"{text!r} has more than {DECIMAL_PLACES} decimals or is too large")
    return value


def calorific_basis_of(text: str) -> str:
    """`gross (PCS); …` → gross, `net` → net, `not stated in this edition …` → unstated, empty → empty."""
    lowered = text.strip().lower()
    for prefix, basis in (
        ("gross", CalorificBasis.GROSS),
        ("net", CalorificBasis.NET),
        ("not stated", CalorificBasis.UNSTATED),
    ):
        if lowered.startswith(prefix):
            return basis.value
    if lowered:
        raise ValueError(f"calorific_basis {text!r} must start with 'gross', 'net' or 'not stated', or be empty")
    return CalorificBasis.NONE.value


def fuel_and_kind(category: str, item: str) -> tuple[str, str]:
    """The catalogue fuel and the kind of a row, from its category and published name."""
    if (category, item) in NAMED_ROWS:
        return NAMED_ROWS[(category, item)]
    if category in FUEL_CATEGORIES:
        return FUEL_NAMES.get(item, ""), FactorKind.STANDARD
    if category == FactorCategory.SUPPLIER_MIX:
        return "", FactorKind.SUPPLIER
    return "", FactorKind.STANDARD


def validate_row(values: dict[str, str]) -> tuple[DatasetMeta, FactorRow]:
    """One CSV row as (its dataset, the factor); ValueError lists every problem of the row."""
    get = {key: (values.get(key) or "").strip() for key in CSV_COLUMNS}
    problems: list[str] = []
    for key in ("publisher", "dataset", "version", "fuel_or_supplier", "source_document", "source_location"):
        if not get[key]:
            problems.append(f"{key} is empty")
    if not get["source_url"].startswith(("http://", "https://")):
        problems.append(f"source_url {get['source_url']!r} is not an http(s) address")
    year = int(get["year"]) if get["year"].isdigit() else 0
    if not 1990 <= year <= 2100:
        problems.append(f"year {get['year']!r} must be a year between 1990 and 2100")
    country = get["country"]
    if len(country) != 2 or not country.isalpha() or not country.isupper():
        problems.append(f"country {country!r} is not an ISO 3166 two-letter code in capitals")
    if get["category"] not in FactorCategory.values:
        problems.append(f"unknown category {get['category']!r} (one of {', '.join(FactorCategory.values)})")
    unit = get["unit"].lower()
    if unit not in UNIT_CODES:
        problems.append(f"unknown unit {get['unit']!r} (one of {', '.join(sorted(UNIT_CODES))})")
    numbers: dict[str, Decimal | None] = {}
    for column, name in NUMBER_COLUMNS.items():
        try:
            numbers[name] = decimal_or_error(get[column])
        except ValueError as exc:
            problems.append(f"{column}: {exc}")
    if not problems and numbers["kg_co2e"] is None and numbers["co2_kg"] is None:
        problems.append("neither kg_co2e_per_unit nor kg_co2_per_unit is given")
    try:
        basis = calorific_basis_of(get["calorific_basis"])
    except ValueError as exc:
        problems.append(str(exc))
    if problems:
        raise ValueError("; ".join(problems))
    fuel, kind = fuel_and_kind(get["category"], get["fuel_or_supplier"])
    assert not fuel or fuel in FUEL_CODES
    meta = DatasetMeta(get["publisher"], get["dataset"], get["version"], get["source_url"])
    row = FactorRow(
        category=get["category"],
        kind=kind,
        country=country,
        region=get["region"],
        item=get["fuel_or_supplier"],
        fuel=fuel,
        unit=unit,
        calorific_basis=basis,
        basis=FactorBasis.CO2E if numbers["kg_co2e"] is not None else FactorBasis.CO2_ONLY,
        year=year,
        scope_basis=get["scope_basis"],
        source_document=get["source_document"],
        source_location=get["source_location"],
        **numbers,
    )
    return meta, row


def group_datasets(
    numbered: list[tuple[int, DatasetMeta, FactorRow]], errors: RowErrors, *, version: str | None
) -> list[ParsedDataset]:
    """Rows grouped by their (publisher, name, version), `version` replacing the files' own; checks duplicates."""
    datasets: dict[tuple[str, str, str], ParsedDataset] = {}
    first_of_key: dict[tuple[Any, ...], int] = {}
    for line, meta, row in numbered:
        if version is not None:
            meta = DatasetMeta(meta.publisher, meta.name, version, meta.source_url)
        identity = (meta.publisher, meta.name, meta.version)
        dataset = datasets.setdefault(identity, ParsedDataset(meta, []))
        if meta.source_url != dataset.meta.source_url:
            errors.add(line, f"source_url differs from the dataset's ({dataset.meta.source_url})")
        first = first_of_key.setdefault((*identity, *row.natural_key), line)
        if first != line:
            errors.add(line, f"duplicate of row {first} (same dataset, category, country, region, name, unit, year)")
        dataset.rows.append(row)
    return list(datasets.values())


def parse_factor_csv(text: str, *, source: str = "CSV", version: str | None = None) -> list[ParsedDataset]:
    """The datasets of a file in the shipped CSV format (docs/emissions.md, "Dataset file format")."""
    errors = RowErrors()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    absent = [column for column in CSV_COLUMNS if column not in header]
    if absent:
        errors.add("file", f"the header lacks {ngettext('the column', 'the columns', len(absent))} {', '.join(absent)}")
        errors.raise_if_any(source)
    numbered: list[tuple[int, DatasetMeta, FactorRow]] = []
    for values in reader:
        line = reader.line_num  # physical line in the file, as an editor shows it (the header is line 1)
        if not any((value or "").strip() for value in values.values() if isinstance(value, str)):
            continue
        if None in values:
            errors.add(line, "more cells than columns in the header")
            continue
        try:
            meta, row = validate_row({key.strip(): value for key, value in values.items() if key})
        except ValueError as exc:
            errors.add(line, str(exc))
            continue
        numbered.append((line, meta, row))
    if not numbered and not errors.by_row:
        errors.add("file", "no factor rows")
    datasets = group_datasets(numbered, errors, version=version)
    errors.raise_if_any(source)
    return datasets


def parse_file(path: Path, *, version: str | None = None) -> list[ParsedDataset]:
    """A CSV in the shipped format or the official DESNZ flat file (.xlsx); `version` overrides the version."""
    if version is not None and not version.strip():
        raise FactorFileError("The version must not be empty.")
    version = version.strip() if version is not None else None
    if not path.is_file():
        raise FactorFileError(f"{path}: no such file.")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from .desnz import parse_desnz_flat_file

        return parse_desnz_flat_file(path, version=version)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FactorFileError(f"{path}: not a UTF-8 text file (CSV) nor an .xlsx workbook.") from None
    return parse_factor_csv(text, source=path.name, version=version)


def datasets_store(datasets: list[ParsedDataset], *, apps: Any = None) -> list[LoadOutcome]:
    """Store parsed datasets all or nothing; `apps` is a migration's registry or None.

    Raises DatasetVersionConflict (nothing stored) when a dataset version exists with other figures.
    """
    from invoicing.models.catalog import catalog_uuid

    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    dataset_model = apps.get_model("invoicing", "EmissionFactorDataset")
    factor_model = apps.get_model("invoicing", "EmissionFactor")
    outcomes = []
    with transaction.atomic():
        for parsed in datasets:
            meta, digest = parsed.meta, parsed.content_hash()
            existing = (
                dataset_model.objects.select_for_update()
                .filter(publisher=meta.publisher, name=meta.name, version=meta.version)
                .first()
            )
            if existing is not None:
                if existing.content_hash != digest:
                    raise DatasetVersionConflict(
                        f"{parsed.label} is already loaded with other figures; load the corrected publication "
                        "as a new version (load_emission_factors --version TEXT): the old one is never overwritten."
                    )
                outcomes.append(LoadOutcome(existing.id, parsed.label, created=False, rows=existing.factors.count()))
                continue
            rank, licence = PUBLISHERS.get(meta.publisher, (DEFAULT_RANK, ""))
            dataset = dataset_model.objects.create(
                publisher=meta.publisher,
                name=meta.name,
                version=meta.version,
                year=max(row.year for row in parsed.rows),
                source_url=meta.source_url,
                licence=licence,
                rank=rank,
                content_hash=digest,
            )
            factor_model.objects.bulk_create(
                factor_model(
                    dataset_id=dataset.id,
                    category=row.category,
                    kind=row.kind,
                    country=row.country,
                    region=row.region,
                    item=row.item,
                    fuel_id=catalog_uuid("fuel", row.fuel) if row.fuel else None,
                    unit_id=catalog_uuid("unit", row.unit),
                    calorific_basis=row.calorific_basis,
                    kg_co2e=row.kg_co2e,
                    co2_kg=row.co2_kg,
                    ch4_kg_co2e=row.ch4_kg_co2e,
                    n2o_kg_co2e=row.n2o_kg_co2e,
                    biogenic_co2_kg=row.biogenic_co2_kg,
                    basis=row.basis,
                    year=row.year,
                    scope_basis=row.scope_basis,
                    source_document=row.source_document,
                    source_location=row.source_location,
                )
                for row in parsed.rows
            )
            outcomes.append(LoadOutcome(dataset.id, parsed.label, created=True, rows=len(parsed.rows)))
    return outcomes


def shipped_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.csv"))


def load_shipped_datasets(apps: Any = None) -> list[LoadOutcome]:
    """Load every dataset file shipped in invoicing/emissions/data (run by a migration)."""
    return [outcome for path in shipped_files() for outcome in datasets_store(parse_file(path), apps=apps)]
