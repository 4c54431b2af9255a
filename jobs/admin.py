"""ProcessingJob admin: live progress, per-invoice errors, cancel and retry, link to the RQ dashboard."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from invoicing.admin.filters import OrganizationFilter
from invoicing.admin.permissions import ReadOnlyScopedAdmin, ids_in
from invoicing.errors import DomainError
from invoicing.text import counted
from jobs.models import ProcessingJob

# The detail page lists this many per-invoice errors; the rest are counted.
ERRORS_SHOWN = 200
# The progress endpoint answers for at most this many jobs per call (a page of the list).
PROGRESS_MAX_IDS = 200
ACTION_LOCATIONS = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _duration(job: ProcessingJob) -> str:
    if job.started_at is None:
        return "—"
    seconds = int(((job.completed_at or timezone.now()) - job.started_at) / timedelta(seconds=1))
    minutes, seconds = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {seconds:02d}s" if hours else f"{minutes}m {seconds:02d}s"


def _kg(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f} kg"


def job_progress(job: ProcessingJob) -> dict[str, Any]:
    """What the list shows of a job, as the JSON endpoint sends it to the page's script."""
    return {
        "id": str(job.id),
        "status": job.status,
        "status_label": job.get_status_display(),
        "items_total": job.items_total,
        "items_success": job.items_success,
        "items_failed": job.items_failed,
        "items_done": job.items_done,
        "percent": job.percent_done,
        "started_at": _when(job.started_at),
        "completed_at": _when(job.completed_at),
        "duration": _duration(job),
        "co2e_before": _kg(job.co2e_before),
        "co2e_after": _kg(job.co2e_after),
        "is_active": job.status in ("PENDING", "PROCESSING"),
    }


def _live(job: ProcessingJob, field: str, value: Any) -> str:
    return format_html('<span data-job-id="{}" data-field="{}">{}</span>', job.id, field, value)


@admin.action(
    description="Cancel selected jobs (they stop at their next chunk)", permissions=["act"], location=ACTION_LOCATIONS
)
def cancel_jobs(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
    from jobs.services.control import processing_job_cancel

    cancelled = 0
    for job in queryset:
        try:
            processing_job_cancel(job=job, cancelled_by=request.user)
            cancelled += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{error.code}: job {str(job.id)[:8]}: {error.detail}", messages.ERROR)
    if cancelled:
        modeladmin.message_user(request, f"{counted(cancelled, 'job')} cancelled.", messages.SUCCESS)


@admin.action(description="Retry failed invoices (a new job over them)", permissions=["act"], location=ACTION_LOCATIONS)
def retry_failed(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
    from jobs.services.control import processing_job_retry_failed

    new_ids: list[Any] = []
    for job in queryset:
        try:
            retry = processing_job_retry_failed(job=job, trigger="admin", triggered_by=request.user)
        except DomainError as error:
            modeladmin.message_user(request, f"{error.code}: job {str(job.id)[:8]}: {error.detail}", messages.ERROR)
            continue
        new_ids.append(retry.id)
    if not new_ids:
        return None
    modeladmin.message_user(request, f"{counted(len(new_ids), 'retry job')} queued.", messages.SUCCESS)
    from django.http import HttpResponseRedirect

    return HttpResponseRedirect(reverse("admin:jobs_processingjob_changelist") + "?id__in=" + ids_in(new_ids))


@admin.register(ProcessingJob)
class ProcessingJobAdmin(ReadOnlyScopedAdmin):
    """Jobs are created by the recalculation service and changed by workers and the actions below."""

    list_display = (
        "short_id",
        "status_badge",
        "progress",
        "success",
        "failed",
        "activity_category",
        "organization",
        "trigger_and_who",
        "created",
        "started",
        "completed",
        "duration",
        "co2e_before_display",
        "co2e_after_display",
    )
    list_display_links = ("short_id",)
    list_select_related = ("organization", "triggered_by")
    list_filter = ("status", "trigger", "activity_category", OrganizationFilter)
    search_fields = ("=id", "=rq_job_id")
    list_per_page = 50
    actions = [cancel_jobs, retry_failed]
    change_list_template = "admin/jobs/processingjob/change_list.html"
    change_form_template = "admin/jobs/processingjob/change_form.html"
    fieldsets = (
        (None, {"fields": ("status_badge", "progress", "activity_category", "organization", "trigger_and_who")}),
        ("Counts", {"fields": ("items_total", "success", "failed", "co2e_before_display", "co2e_after_display")}),
        ("Times", {"fields": ("created", "started", "completed", "duration", "heartbeat_at", "attempts")}),
        ("Problems", {"fields": ("failure_reason", "last_error", "invoice_errors")}),
        ("Queue", {"fields": ("rq_job_id", "retry_of", "rq_dashboard")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [name for _, options in self.fieldsets for name in options["fields"]]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        # The RQ dashboard is for superusers (jobs.rq_dashboard): others get no link to it.
        hidden = set() if request.user.is_superuser else {"rq_dashboard"}
        return [
            (title, {"fields": [name for name in options["fields"] if name not in hidden]})
            for title, options in self.fieldsets
        ]

    def get_urls(self) -> list[URLPattern]:
        return [
            path("progress/", self.admin_site.admin_view(self.progress_view), name="jobs_processingjob_progress"),
            *super().get_urls(),
        ]

    def progress_view(self, request: HttpRequest) -> HttpResponse:
        """JSON for the list's live progress: `?ids=<uuid>,<uuid>`; other organizations' jobs are left out."""
        if not self.has_view_permission(request):
            return JsonResponse({"code": "PERMISSION_DENIED", "detail": "You may not view jobs."}, status=403)
        raw = [value for chunk in request.GET.getlist("ids") for value in chunk.split(",") if value.strip()]
        try:
            ids = [uuid.UUID(value.strip()) for value in raw]
        except ValueError:
            return JsonResponse({"code": "VALIDATION_ERROR", "detail": "ids must be job UUIDs."}, status=400)
        if len(ids) > PROGRESS_MAX_IDS:
            return JsonResponse(
                {"code": "VALIDATION_ERROR", "detail": f"At most {PROGRESS_MAX_IDS} ids per call."}, status=400
            )
        jobs = self.get_queryset(request).filter(id__in=ids)
        return JsonResponse({"jobs": [job_progress(job) for job in jobs]})

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        dashboard = reverse("django_rq:home") if request.user.is_superuser else None  # type: ignore[union-attr]
        extra_context = {**(extra_context or {}), "rq_dashboard_url": dashboard}
        return super().changelist_view(request, extra_context)

    @admin.display(description="job")
    def short_id(self, job: ProcessingJob) -> str:
        return str(job.id)[:8]

    @admin.display(description="status", ordering="status")
    def status_badge(self, job: ProcessingJob) -> str:
        return format_html(
            '<span class="job-status job-status-{}" data-job-id="{}" data-field="status_label">{}</span>',
            job.status.lower(),
            job.id,
            job.get_status_display(),
        )

    @admin.display(description="progress")
    def progress(self, job: ProcessingJob) -> str:
        percent = job.percent_done
        return format_html(
            '<div class="job-progress" data-job-id="{}" data-status="{}" role="progressbar" aria-valuemin="0" '
            'aria-valuemax="100" aria-valuenow="{}"><div class="job-progress-track"><div class="job-progress-fill" '
            'style="width: {}%"></div></div><span class="job-progress-text">{} / {} ({}%)</span></div>',
            job.id,
            job.status,
            percent,
            percent,
            job.items_done,
            job.items_total,
            percent,
        )

    @admin.display(description="succeeded", ordering="items_success")
    def success(self, job: ProcessingJob) -> str:
        return _live(job, "items_success", job.items_success)

    @admin.display(description="failed", ordering="items_failed")
    def failed(self, job: ProcessingJob) -> str:
        return _live(job, "items_failed", job.items_failed)

    @admin.display(description="trigger")
    def trigger_and_who(self, job: ProcessingJob) -> str:
        who = job.triggered_by.get_username() if job.triggered_by else ""
        return f"{job.get_trigger_display()} ({who})" if who else job.get_trigger_display()

    @admin.display(description="created", ordering="created_at")
    def created(self, job: ProcessingJob) -> str:
        return _when(job.created_at)

    @admin.display(description="started", ordering="started_at")
    def started(self, job: ProcessingJob) -> str:
        return _live(job, "started_at", _when(job.started_at))

    @admin.display(description="completed", ordering="completed_at")
    def completed(self, job: ProcessingJob) -> str:
        return _live(job, "completed_at", _when(job.completed_at))

    @admin.display(description="duration")
    def duration(self, job: ProcessingJob) -> str:
        return _live(job, "duration", _duration(job))

    @admin.display(description="co2e before")
    def co2e_before_display(self, job: ProcessingJob) -> str:
        return _live(job, "co2e_before", _kg(job.co2e_before))

    @admin.display(description="co2e after")
    def co2e_after_display(self, job: ProcessingJob) -> str:
        return _live(job, "co2e_after", _kg(job.co2e_after))

    @admin.display(description="RQ")
    def rq_dashboard(self, job: ProcessingJob) -> str:
        return format_html('<a href="{}">RQ queue dashboard</a>', reverse("django_rq:home"))

    @admin.display(description="invoice errors")
    def invoice_errors(self, job: ProcessingJob) -> str:
        errors = getattr(job, "errors", None)
        if errors is None:
            return "—"
        total = errors.count()
        if not total:
            return "none"
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td><code>{}</code></td><td>{}</td></tr>',
            (
                (
                    reverse("admin:invoicing_invoice_change", args=[error.invoice_id]),
                    error.invoice_id,
                    error.code,
                    error.message,
                )
                for error in errors.order_by("id")[:ERRORS_SHOWN]
            ),
        )
        more = f"{total - ERRORS_SHOWN:,} more not shown." if total > ERRORS_SHOWN else ""
        return format_html(
            '<table class="job-errors"><thead><tr><th>invoice</th><th>code</th><th>message</th></tr></thead>'
            "<tbody>{}</tbody></table><p>{}</p>",
            rows,
            more,
        )
