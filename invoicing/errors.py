"""The domain error hierarchy. Each error has a stable code; the API and admin show its message."""

from __future__ import annotations

from typing import Any


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
