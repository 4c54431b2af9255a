"""ProcessingJob admin: live progress, failed invoices grouped by code and paged, cancel and retry, link to
the RQ dashboard."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from invoicing.admin.display import number
from invoicing.admin.filters import OrganizationFilter
from invoicing.admin.permissions import ReadOnlyScopedAdmin, ids_in
from invoicing.errors import CalculationFailureCode, DomainError
from invoicing.text import counted
from jobs.models import ProcessingJob, ProcessingJobError
from jobs.selectors import processing_job_error_counts, processing_job_error_list

# The job page lists each code's failed invoices this many at a time.
ERRORS_PER_PAGE = 50
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


def _category_total(job: ProcessingJob, value: Decimal | None) -> str:
    if value is None:
        return "not recorded (job older than per-category totals)"
    return f"{number(value)} {job.category_total_unit.label}"


def _progress_text(job: ProcessingJob) -> str:
    text = f"{job.items_done} / {job.items_total} ({job.percent_done}%)"
    return f"{text}, {job.items_failed} failed" if job.items_failed else text


def job_progress(job: ProcessingJob) -> dict[str, Any]:
    """What the list shows of a job, as the JSON endpoint sends it to the page's script."""
    return {
        "id": str(job.id),
        "status": job.status,
        "outcome": job.outcome.value,
        "outcome_label": job.outcome.label,
        "items_total": job.items_total,
        "items_success": job.items_success,
        "items_failed": job.items_failed,
        "items_done": job.items_done,
        "percent": job.percent_done,
        "progress_text": _progress_text(job),
        "started_at": _when(job.started_at),
        "completed_at": _when(job.completed_at),
        "duration": _duration(job),
        "category_total_before": _category_total(job, job.category_total_before),
        "category_total_after": _category_total(job, job.category_total_after),
        "is_active": job.is_active,
    }


@dataclass
class ErrorGroup:
    """The failed invoices of one code on the job page: how many, and one page of them with links to
    the previous and next pages (the page's query string with `errors` and `errors_page` set)."""

    code: str
    count: int
    page: int
    pages: int
    errors: list[ProcessingJobError]
    previous_url: str
    next_url: str

    @property
    def description(self) -> str:
        return CalculationFailureCode(self.code).label


def job_error_groups(job: ProcessingJob, query: QueryDict) -> list[ErrorGroup]:
    """The job's errors by code, most frequent first: the group named by `?errors=CODE` at
    `?errors_page=N`, the others at their first page."""
    code = query.get("errors")
    raw_page = query.get("errors_page", "")
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) < 10 else 1

    def url(group_code: str, group_page: int) -> str:
        params = query.copy()
        params["errors"], params["errors_page"] = group_code, str(group_page)
        return f"?{params.urlencode()}#errors-{group_code}"

    groups = []
    for row in processing_job_error_counts(job_ids=[job.id]):
        pages = math.ceil(row["count"] / ERRORS_PER_PAGE)
        shown = min(max(page, 1), pages) if row["code"] == code else 1
        offset = (shown - 1) * ERRORS_PER_PAGE
        errors = list(processing_job_error_list(job=job, code=row["code"])[offset : offset + ERRORS_PER_PAGE])
        previous_url = url(row["code"], shown - 1) if shown > 1 else ""
        next_url = url(row["code"], shown + 1) if shown < pages else ""
        groups.append(ErrorGroup(row["code"], row["count"], shown, pages, errors, previous_url, next_url))
    return groups


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
        "category_total_before_display",
        "category_total_after_display",
        "organization",
        "trigger_and_who",
        "created",
        "started",
        "completed",
        "duration",
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
        (
            "Counts",
            {
                "fields": (
                    "items_total",
                    "success",
                    "failed",
                    "category_total_before_display",
                    "category_total_after_display",
                )
            },
        ),
        ("Times", {"fields": ("created", "started", "completed", "duration", "heartbeat_at", "attempts")}),
        ("Problems", {"fields": ("failure_reason", "last_error")}),
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

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: ProcessingJob | None = None,
    ) -> HttpResponse:
        # The job the page already fetched, rather than a second get_object() in change_view.
        if obj is not None:
            context["error_groups"] = job_error_groups(obj, request.GET)
        return super().render_change_form(request, context, add, change, form_url, obj)

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
            '<span class="job-status job-status-{}" data-job-id="{}" data-field="outcome_label">{}</span>',
            job.outcome.value,
            job.id,
            job.outcome.label,
        )

    @admin.display(description="progress")
    def progress(self, job: ProcessingJob) -> str:
        percent = job.percent_done
        return format_html(
            '<div class="job-progress" data-job-id="{}" data-status="{}" data-outcome="{}" role="progressbar" '
            'aria-valuemin="0" aria-valuemax="100" aria-valuenow="{}"><div class="job-progress-track">'
            '<div class="job-progress-fill" style="width: {}%"></div></div>'
            '<span class="job-progress-text">{}</span></div>',
            job.id,
            job.status,
            job.outcome.value,
            percent,
            percent,
            _progress_text(job),
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

    @admin.display(description="category before")
    def category_total_before_display(self, job: ProcessingJob) -> str:
        return _live(job, "category_total_before", _category_total(job, job.category_total_before))

    @admin.display(description="category after")
    def category_total_after_display(self, job: ProcessingJob) -> str:
        return _live(job, "category_total_after", _category_total(job, job.category_total_after))

    @admin.display(description="RQ")
    def rq_dashboard(self, job: ProcessingJob) -> str:
        return format_html('<a href="{}">RQ queue dashboard</a>', reverse("django_rq:home"))
