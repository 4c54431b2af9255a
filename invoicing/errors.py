"""Every error code of the product, in one module.

- `DomainError` and its subclasses: what services raise. Each has a stable `code`, a human
  `detail` and the HTTP status the API answers with (`api_exception_handler`); the admin and
  the management commands show the same detail and code.
- `ApiErrorCode`: codes of requests refused before any service runs (authentication, routing,
  content negotiation, request size), mapped from HTTP statuses by `API_STATUS_CODES`.
- `CalculationFailureCode`: why one invoice could not be calculated for one category; stored per
  invoice and job (never raised to the caller of a recalculation).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import models


class DomainError(Exception):
    code = "DOMAIN_ERROR"
    http_status = 400

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class ValidationError(DomainError):
    code = "VALIDATION_ERROR"


class NotFoundError(DomainError):
    code = "NOT_FOUND"
    http_status = 404


class ConflictError(DomainError):
    code = "CONFLICT"
    http_status = 409


# Invoices (API create/PATCH, imports).
class DuplicateInvoiceError(ConflictError):
    code = "DUPLICATE_INVOICE"


# Recalculation rules (POST /v1/invoices/recalculate, the admin action and recalculate_invoices).
class UnsupportedInvoiceType(DomainError):
    code = "UNSUPPORTED_INVOICE_TYPE"


class MixedInvoiceTypes(DomainError):
    code = "MIXED_INVOICE_TYPES"


class ActivityCategoryMismatch(DomainError):
    code = "ACTIVITY_CATEGORY_MISMATCH"


class IdempotencyKeyMismatch(DomainError):
    code = "IDEMPOTENCY_KEY_MISMATCH"
    http_status = 422


# Processing jobs (cancel and retry from the admin or the API).
class JobNotCancellable(ConflictError):
    code = "JOB_NOT_CANCELLABLE"


class NothingToRetry(ConflictError):
    code = "NOTHING_TO_RETRY"


# Invoice imports (import_invoices and the admin's import page).
class ImportFileError(ValidationError):
    """The file as a whole cannot be imported: unreadable, wrong format, missing or unknown columns."""

    code = "IMPORT_FILE_INVALID"


class ImportRowsInvalid(ValidationError):
    """Some rows are invalid, so nothing was imported (unless invalid rows were to be skipped)."""

    code = "IMPORT_ROWS_INVALID"


# Emission-factor files (load_emission_factors).
class FactorFileError(ValidationError):
    """A factor file that cannot be loaded; `errors` maps "row N" to its reasons."""

    code = "INVALID_FACTOR_FILE"


class DatasetVersionConflict(ConflictError):
    """The dataset version exists with other figures: a new version must be a new dataset."""

    code = "DATASET_VERSION_CONFLICT"


# The emissions inventory (GET /v1/emissions/summary and the admin's inventory page).
class InvalidReportingPeriod(ValidationError):
    """Not a window of whole months: `errors` names year, start_date or end_date and says why."""

    code = "INVALID_REPORTING_PERIOD"


class ApiErrorCode(StrEnum):
    """Requests refused before a service runs. Every code the API answers with is here or a DomainError's."""

    BAD_REQUEST = "BAD_REQUEST"
    VALIDATION_ERROR = ValidationError.code
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"
    ORGANIZATION_FORBIDDEN = "ORGANIZATION_FORBIDDEN"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    NOT_FOUND = NotFoundError.code
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    URI_TOO_LONG = "URI_TOO_LONG"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_ERROR = "INTERNAL_ERROR"


# The one mapping from an HTTP status to the code of an API error that no DomainError raised.
API_STATUS_CODES: dict[int, ApiErrorCode] = {
    400: ApiErrorCode.BAD_REQUEST,
    401: ApiErrorCode.AUTHENTICATION_FAILED,
    403: ApiErrorCode.PERMISSION_DENIED,
    404: ApiErrorCode.NOT_FOUND,
    405: ApiErrorCode.METHOD_NOT_ALLOWED,
    406: ApiErrorCode.NOT_ACCEPTABLE,
    413: ApiErrorCode.PAYLOAD_TOO_LARGE,
    414: ApiErrorCode.URI_TOO_LONG,
    415: ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: ApiErrorCode.RATE_LIMITED,
    500: ApiErrorCode.INTERNAL_ERROR,
}


class CalculationFailureCode(models.TextChoices):
    """Why one invoice has no result for one activity category (docs/emissions.md, "Failure codes").

    Stored per invoice and category (InvoiceCalculationFailure) and per job (ProcessingJobError).
    """

    NO_FACTOR = "NO_FACTOR", "No factor for the country, category and year (or an earlier year)"
    UNIT_MISMATCH = "UNIT_MISMATCH", "The quantity cannot be converted to the factor's unit"
    NO_FUEL = "NO_FUEL", "A heat invoice without a facility fuel"
    NO_CALORIFIC_VALUE = "NO_CALORIFIC_VALUE", "No sourced conversion of the quantity to kWh"
    ACTIVITY_CATEGORY_MISMATCH = ActivityCategoryMismatch.code, "The category does not apply to the invoice's type"
    NOT_FOUND = NotFoundError.code, "The invoice was deleted before its calculation ran"


class AuditCode(models.TextChoices):
    """What a bill audit found on a supply point's bills (docs/audits.md). Not errors: findings to check.

    Stored per finding (InvoiceAuditFinding) and listed by `GET /v1/invoices/audit` and the admin.
    """

    OVERLAPPING_PERIODS = "OVERLAPPING_PERIODS", "Two bills of the supply point share days"
    GAP = "GAP", "More than 3 days uncovered between consecutive bills of the supply point"
    DUPLICATE = "DUPLICATE", "Bills of the supply point with the same number, or the same period and quantity"
    USAGE_OUTLIER = "USAGE_OUTLIER", "Daily use above 3x or below 1/3 of the supply point's median"
