"""Domain errors of the emissions engine (part of the one hierarchy in invoicing.errors)."""

from __future__ import annotations

from invoicing.errors import ConflictError, ValidationError


class FactorFileError(ValidationError):
    """A factor file that cannot be loaded; `errors` maps "row N" to its reasons."""

    code = "INVALID_FACTOR_FILE"


class DatasetVersionConflict(ConflictError):
    """The dataset version exists with other figures: a new version must be a new dataset."""

    code = "DATASET_VERSION_CONFLICT"
