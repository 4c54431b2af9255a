"""The staff admin of the invoicing app. Permissions: see permissions.py (and the README)."""

from django.contrib import admin

from . import audits, catalog, factors, invoices, organizations

admin.site.site_header = "Invoice and emissions back office"
admin.site.site_title = "Back office"
# The lists are wide (an invoice has a dozen columns): the page's width goes to them, not to a second
# copy of the index. Home and the breadcrumbs lead everywhere the sidebar did.
admin.site.enable_nav_sidebar = False

__all__ = ["audits", "catalog", "factors", "invoices", "organizations"]
