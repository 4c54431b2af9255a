"""The admin's invoice import: upload, a dry-run preview of what would be created and what is wrong, confirm.

The uploaded file waits in a private temporary directory between preview and confirm; the session
remembers which files this user uploaded, for which organization. Both steps call `invoice_import`.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from invoicing.errors import DomainError
from invoicing.models import Organization

from .readers import SUPPORTED_SUFFIXES
from .service import ImportReport, invoice_import
from .template import COLUMNS, template_csv

SESSION_KEY = "invoice_imports"
PREVIEW_ROWS = 200
UPLOAD_DIR = Path(tempfile.gettempdir()) / "invoice-imports"


class UploadForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    file = forms.FileField(help_text="A .csv or .xlsx file in the template below (first sheet, first row = columns).")
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
        if Path(upload.name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload


def invoice_import_view(request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> HttpResponse:
    if request.GET.get("template") == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="invoice_import_template.csv"'
        return response
    organizations = _organizations(request)
    if request.method == "POST" and request.POST.get("token"):
        return _confirm(request, model_admin, organizations)
    form = UploadForm(request.POST or None, request.FILES or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        organization = form.cleaned_data["organization"]
        upload = form.cleaned_data["file"]
        token, path = _keep(request, upload, organization)
        try:
            report = invoice_import(
                organization=organization,
                source=path,
                filename=upload.name,
                dry_run=True,
                skip_invalid=form.cleaned_data["skip_invalid"],
                trigger="admin",
            )
        except DomainError as error:
            _forget(request, token)
            form.add_error("file", f"{error.detail} [{error.code}]")
        else:
            if report.blocked or not report.new:
                _forget(request, token)  # no confirm step follows
            return _render(
                request,
                model_admin,
                "admin/invoicing/invoice/import_preview.html",
                "Import invoices: preview",
                report=report,
                preview_rows=report.new[:PREVIEW_ROWS],
                more_rows=max(0, len(report.new) - PREVIEW_ROWS),
                organization=organization,
                filename=upload.name,
                token=token,
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
    return _render(
        request, model_admin, "admin/invoicing/invoice/import.html", "Import invoices", form=form, columns=COLUMNS
    )


def _confirm(request: HttpRequest, model_admin: admin.ModelAdmin[Any], organizations: Any) -> HttpResponse:
    token = request.POST["token"]
    pending = request.session.get(SESSION_KEY, {}).get(token)
    organization = organizations.filter(pk=pending["organization"]).first() if pending else None
    path = UPLOAD_DIR / f"{token}{pending['suffix']}" if pending else None
    changelist = reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")
    if organization is None or path is None or not path.exists():
        messages.error(request, "This upload has expired or is not yours; upload the file again.")
        return HttpResponseRedirect(request.path)
    try:
        report = invoice_import(
            organization=organization,
            source=path,
            filename=pending["filename"],
            uploaded_by=request.user if request.user.is_authenticated else None,
            skip_invalid=request.POST.get("skip_invalid") == "1",
            trigger="admin",
        )
    except DomainError as error:
        messages.error(request, f"{error.detail} [{error.code}]")
        return HttpResponseRedirect(request.path)
    finally:
        _forget(request, token)
    if report.blocked:  # the data changed since the preview
        messages.error(request, f"{len(report.invalid_rows)} rows are now invalid; nothing was imported.")
        return HttpResponseRedirect(request.path)
    messages.success(request, _summary(report))
    for problem in report.calculation_problems:
        messages.warning(request, f"Emissions not started for {problem}")
    return HttpResponseRedirect(changelist)


def _summary(report: ImportReport) -> str:
    parts = [f"{report.created} invoices imported"]
    if report.already_imported:
        parts.append(f"{len(report.already_imported)} already imported")
    if report.errors:
        parts.append(f"{len(report.invalid_rows)} invalid rows skipped")
    text = "; ".join(parts) + "."
    if report.job_ids:
        text += f" Their emissions are being calculated by {len(report.job_ids)} background jobs."
    return text


def _organizations(request: HttpRequest) -> Any:
    from invoicing.admin.permissions import organization_ids

    ids = organization_ids(request)
    queryset = Organization.objects.order_by("name")
    return queryset if ids is None else queryset.filter(id__in=ids)


def _keep(request: HttpRequest, upload: Any, organization: Organization) -> tuple[str, Path]:
    UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
    token = secrets.token_hex(16)
    suffix = Path(upload.name).suffix.lower()
    path = UPLOAD_DIR / f"{token}{suffix}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"organization": str(organization.pk), "filename": upload.name, "suffix": suffix}
    request.session[SESSION_KEY] = pending
    return token, path


def _forget(request: HttpRequest, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry:
        (UPLOAD_DIR / f"{token}{entry['suffix']}").unlink(missing_ok=True)


def _render(
    request: HttpRequest, model_admin: admin.ModelAdmin[Any], template: str, title: str, **context: Any
) -> HttpResponse:
    return TemplateResponse(
        request,
        template,
        {**model_admin.admin_site.each_context(request), "opts": model_admin.opts, "title": title, **context},
    )
