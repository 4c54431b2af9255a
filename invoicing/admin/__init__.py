"""The staff admin of the invoicing app. Permissions: see permissions.py (and the README)."""

from . import catalog, factors, invoices, organizations

__all__ = ["catalog", "factors", "invoices", "organizations"]
