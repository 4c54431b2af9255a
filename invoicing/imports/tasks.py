"""RQ task of the admin's background imports: a thin wrapper that turns ids back into a service call."""

from __future__ import annotations

import uuid

from .background import invoice_import_run


def run_invoice_import(import_id: str, attempt: int) -> str:
    return invoice_import_run(import_id=uuid.UUID(import_id), attempt=attempt)
