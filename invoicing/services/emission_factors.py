"""Writes to emission-factor data: dataset import, organization EF configuration, custom factors.

None of these touch stored results: only a recalculation (calculate_invoices) rewrites them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from invoicing.choices import ActivityCategory
from invoicing.emissions.loader import LoadOutcome, datasets_store, parse_file
from invoicing.errors import NotFoundError, ValidationError
from invoicing.models import (
    EmissionFactorDataset,
    Organization,
    OrganizationCustomFactor,
    OrganizationFactorConfig,
    StationaryFuel,
    Supplier,
    Unit,
)

FACTOR_CATEGORIES = [c for c in ActivityCategory.values if c != ActivityCategory.ENERGY]


def emission_factor_dataset_load(*, path: Path, version: str | None = None) -> list[LoadOutcome]:
    """Load a factor file (the shipped CSV format or the DESNZ flat-file xlsx) all or nothing; idempotent.

    One outcome per dataset in the file. `version` names the dataset version instead of the file's own
    (a corrected publication loads beside the version it corrects). Raises FactorFileError
    (INVALID_FACTOR_FILE) for a bad file and DatasetVersionConflict when a loaded version has other figures.
    """
    return datasets_store(parse_file(path, version=version))


def _check_category(category: str) -> None:
    if category not in FACTOR_CATEGORIES:
        raise ValidationError(
            f"{category!r} is not a category with emission factors (one of {', '.join(FACTOR_CATEGORIES)})."
        )


@transaction.atomic
def emission_factor_config_set(
    *,
    organization: Organization,
    category: str,
    dataset: EmissionFactorDataset | None = None,
    publisher: str = "",
    dataset_name: str = "",
) -> OrganizationFactorConfig:
    """Pin a dataset version for a category, or follow the latest version of publisher + dataset name."""
    _check_category(category)
    if (dataset is None) == (not (publisher and dataset_name)):
        raise ValidationError("Give either a dataset to pin, or a publisher and dataset name to follow the latest.")
    if dataset is None and not EmissionFactorDataset.objects.filter(publisher=publisher, name=dataset_name).exists():
        raise NotFoundError(f"No dataset {publisher} / {dataset_name} is loaded.")
    config, _ = OrganizationFactorConfig.objects.update_or_create(
        organization=organization,
        category=category,
        defaults={
            "dataset": dataset,
            "publisher": "" if dataset else publisher,
            "dataset_name": "" if dataset else dataset_name,
        },
    )
    return config


def emission_factor_config_clear(*, organization: Organization, category: str) -> None:
    """Back to the defaults: the latest version of every dataset, by rank."""
    _check_category(category)
    OrganizationFactorConfig.objects.filter(organization=organization, category=category).delete()


def custom_emission_factor_create(
    *,
    organization: Organization,
    category: str,
    unit: Unit,
    kg_co2e: Decimal,
    valid_from: date,
    evidence: str,
    valid_to: date | None = None,
    fuel: StationaryFuel | None = None,
    supplier: Supplier | None = None,
    biogenic_co2_kg: Decimal | None = None,
    calorific_basis: str = "",
) -> OrganizationCustomFactor:
    """An organization's own factor, which wins over the datasets for invoices inside its validity period."""
    _check_category(category)
    problems: dict[str, list[str]] = {}
    if kg_co2e < 0 or (biogenic_co2_kg is not None and biogenic_co2_kg < 0):
        problems.setdefault("kg_co2e", []).append("Factors cannot be negative.")
    if valid_to is not None and valid_to < valid_from:
        problems.setdefault("valid_to", []).append("The validity cannot end before it starts.")
    if not evidence.strip():
        problems.setdefault("evidence", []).append("Say where the value comes from (certificate, lab report…).")
    if calorific_basis not in ("", "gross"):
        problems.setdefault("calorific_basis", []).append("Invoices are on the gross basis; give a gross factor.")
    if problems:
        raise ValidationError("The custom factor is not valid.", errors=problems)
    return OrganizationCustomFactor.objects.create(
        organization=organization,
        category=category,
        unit=unit,
        kg_co2e=kg_co2e,
        biogenic_co2_kg=biogenic_co2_kg,
        valid_from=valid_from,
        valid_to=valid_to,
        evidence=evidence.strip(),
        fuel=fuel,
        supplier=supplier,
        calorific_basis=calorific_basis,
    )
