"""Bulk import of invoices from CSV and XLSX files, shared by `manage.py import_invoices` and the admin."""

from invoicing.errors import ImportFileError, ImportRowsInvalid

from .service import ImportReport, RowOutcome, invoice_import
from .validation import RowError, ValidRow

__all__ = [
    "ImportFileError",
    "ImportReport",
    "ImportRowsInvalid",
    "RowError",
    "RowOutcome",
    "ValidRow",
    "invoice_import",
]
