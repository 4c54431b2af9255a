"""The admin's invoice import: upload, a check by a worker (what would be created, what is wrong), confirm.

Every step runs in the background (invoicing/imports/background.py), so a file of any size gets an
answer at once and a page with its progress (`?run=<id>`), refreshed until the worker is done. A run
no worker reports on is shown as stalled with a Retry button.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from invoicing.errors import DomainError
from invoicing.models import ImportStatus, InvoiceImport, Organization

from .background import (
    invoice_import_cancel,
    invoice_import_confirm,
    invoice_import_recheck,
    invoice_import_retry,
    invoice_import_upload,
    invoice_imports_expire,
)
from .readers import SUPPORTED_SUFFIXES
from .template import COLUMNS, template_csv

RECENT_IMPORTS = 10
REFRESH_SECONDS = 2


class UploadForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    file = forms.FileField(help_text="A .csv or .xlsx file in the template below (its first row names the columns).")
    sheet = forms.CharField(
        required=False,
        max_length=100,
        help_text="Workbooks: the sheet to read. Empty: the first sheet whose first row names the columns.",
    )
    skip_invalid = forms.BooleanField(
        required=False, label="Skip invalid rows", help_text="Import the valid rows even if some rows are invalid."
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        if organizations.count() == 1:
            field.initial = organizations.first()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith(SUPPORTED_SUFFIXES):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"{name} is {upload.size:,} bytes; the largest file accepted is {settings.IMPORT_MAX_FILE_BYTES:,} "
                "bytes. Split it into smaller files. [IMPORT_FILE_INVALID]"
            )
        return upload


def invoice_import_view(request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> HttpResponse:
    if request.GET.get("template") == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="invoice_import_template.csv"'
        return response
    organizations = _organizations(request)
    invoice_imports_expire()
    run_id = request.POST.get("run") or request.GET.get("run")
    if run_id:
        return _run_page(request, model_admin, organizations, run_id)
    form = UploadForm(request.POST or None, request.FILES or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            run = invoice_import_upload(
                organization=form.cleaned_data["organization"],
                upload=form.cleaned_data["file"],
                sheet=form.cleaned_data["sheet"],
                skip_invalid=form.cleaned_data["skip_invalid"],
                created_by=request.user if request.user.is_authenticated else None,
            )
        except DomainError as error:
            form.add_error("file", f"{error.detail} [{error.code}]")
        else:
            return HttpResponseRedirect(f"{request.path}?run={run.pk}")
    recent = InvoiceImport.objects.filter(organization__in=organizations).select_related("organization")
    return _render(
        request,
        model_admin,
        "admin/invoicing/invoice/import.html",
        "Import invoices",
        form=form,
        columns=COLUMNS,
        recent=recent[:RECENT_IMPORTS],
    )


def _run_page(
    request: HttpRequest, model_admin: admin.ModelAdmin[Any], organizations: Any, run_id: str
) -> HttpResponse:
    try:
        run = InvoiceImport.objects.filter(pk=run_id, organization__in=organizations).first()
    except ValidationError:  # not a UUID
        run = None
    if run is None:
        messages.error(request, "This import does not exist or is not yours; upload the file again.")
        return HttpResponseRedirect(request.path)
    if request.method == "POST":
        actions = {
            "confirm": invoice_import_confirm,
            "retry": invoice_import_retry,
            "cancel": invoice_import_cancel,
        }
        action = request.POST.get("action", "")
        try:
            if action == "sheet":
                invoice_import_recheck(invoice_import=run, sheet=request.POST.get("sheet", ""))
            elif action in actions:
                actions[action](invoice_import=run)
        except DomainError as error:
            messages.error(request, f"{error.detail} [{error.code}]")
        return HttpResponseRedirect(f"{request.path}?run={run.pk}")
    report = run.report or {}
    changelist = reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")
    return _render(
        request,
        model_admin,
        "admin/invoicing/invoice/import_status.html",
        "Import invoices: " + run.filename,
        run=run,
        report=report,
        statuses=ImportStatus,
        active=run.status in (ImportStatus.PENDING, ImportStatus.RUNNING),
        refresh=REFRESH_SECONDS if run.status in (ImportStatus.PENDING, ImportStatus.RUNNING) else None,
        more_new=max(0, report.get("new_count", 0) - len(report.get("preview", []))),
        more_errors=max(0, report.get("errors_count", 0) - len(report.get("errors", []))),
        changelist=changelist,
    )


def _organizations(request: HttpRequest) -> Any:
    from invoicing.admin.permissions import organization_ids

    ids = organization_ids(request)
    queryset = Organization.objects.order_by("name")
    return queryset if ids is None else queryset.filter(id__in=ids)


def _render(
    request: HttpRequest, model_admin: admin.ModelAdmin[Any], template: str, title: str, **context: Any
) -> HttpResponse:
    return TemplateResponse(
        request,
        template,
        {**model_admin.admin_site.each_context(request), "opts": model_admin.opts, "title": title, **context},
    )
