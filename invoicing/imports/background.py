"""The admin's imports, run by a worker: upload, check (a dry run), confirm, import; retry a stalled run.

The uploaded file is kept in the database in 1 MB parts (so a worker on any machine can read it) until
the import no longer needs it: it is deleted when the import finishes or fails, when the user cancels,
and when a checked import is left unconfirmed for IMPORT_UNCONFIRMED_TTL seconds.

A run is dispatched after the commit with our own RQ job id (`invoice-import-<id>-a<attempt>`). Nothing
is lost if Redis is down or a worker dies: the InvoiceImport row keeps the status the user sees, and a
run that no worker picked up, or whose worker stopped reporting, for IMPORT_STALLED_AFTER seconds is
shown as stalled with a Retry button (a new attempt; a late task of an older attempt does nothing).
The import itself is one transaction that also records the import as finished: it commits whole or
not at all, so a retry after a crash never imports twice.
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import django_rq
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import RedisError

from invoicing.errors import ConflictError, DomainError, ImportFileError
from invoicing.models import ImportStatus, InvoiceImport, InvoiceImportFilePart, Organization
from invoicing.models.imports import ACTIVE_IMPORT_STATUSES

from .numbers import plain_number
from .readers import SUPPORTED_SUFFIXES
from .service import ImportReport, invoice_import

logger = logging.getLogger(__name__)

PART_BYTES = 1024 * 1024
RUN_TASK = "invoicing.imports.tasks.run_invoice_import"
LOCAL_COPY_PREFIX = "invoice-import-"


def invoice_import_upload(
    *,
    organization: Organization,
    upload: UploadedFile,
    sheet: str = "",
    skip_invalid: bool = False,
    created_by: AbstractBaseUser | None = None,
) -> InvoiceImport:
    """Keep the uploaded file and start its check. Raises ImportFileError for a file of another type or
    larger than IMPORT_MAX_FILE_BYTES (nothing is kept then)."""
    name = Path(upload.name or "").name
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ImportFileError(f"Unsupported file type {Path(name).suffix or '(none)'!r}: use .csv or .xlsx.")
    size = upload.size or 0
    if size > settings.IMPORT_MAX_FILE_BYTES:
        raise ImportFileError(
            f"{name} is {size:,} bytes; the largest file accepted is {settings.IMPORT_MAX_FILE_BYTES:,} bytes "
            "(IMPORT_MAX_FILE_BYTES). Split it into smaller files."
        )
    with transaction.atomic():
        run = InvoiceImport.objects.create(
            organization=organization,
            created_by=created_by if getattr(created_by, "pk", None) else None,  # type: ignore[misc]
            filename=name,
            size=size,
            sheet=sheet.strip(),
            skip_invalid=skip_invalid,
            attempts=1,
        )
        upload.seek(0)  # read in parts: an in-memory upload's chunks() is the whole file at once
        for number, data in enumerate(iter(partial(upload.read, PART_BYTES), b"")):
            InvoiceImportFilePart.objects.create(invoice_import=run, number=number, data=data)
        transaction.on_commit(partial(_dispatch, run.id, 1))
    return run


def invoice_import_confirm(*, invoice_import: InvoiceImport) -> None:
    """Import a checked file. Raises ConflictError unless it is checked and has rows to import."""
    _next_run(invoice_import, allowed=(ImportStatus.READY,), dry_run=False, refusal="It is not ready to import.")


def invoice_import_recheck(*, invoice_import: InvoiceImport, sheet: str) -> None:
    """Check the same file again reading another sheet of the workbook."""
    if not invoice_import.parts.exists():
        raise ConflictError("This upload is no longer kept; upload the file again.")
    invoice_import.sheet = sheet.strip()
    invoice_import.save(update_fields=["sheet", "updated_at"])
    _next_run(
        invoice_import,
        allowed=(ImportStatus.READY, ImportStatus.FAILED),
        dry_run=True,
        refusal="Only a checked file can be read again.",
    )


def invoice_import_retry(*, invoice_import: InvoiceImport) -> None:
    """Dispatch a stalled run again (a new attempt). Raises ConflictError for a run that is not stalled."""
    if not invoice_import.is_stalled:
        raise ConflictError("This import is not stalled; wait for it to finish.")
    _next_run(
        invoice_import, allowed=ACTIVE_IMPORT_STATUSES, dry_run=invoice_import.dry_run, refusal="It is not stalled."
    )


def invoice_import_cancel(*, invoice_import: InvoiceImport) -> None:
    """Forget an import that has not been imported, and its file."""
    with transaction.atomic():
        updated = InvoiceImport.objects.filter(
            Q(status__in=[ImportStatus.READY, ImportStatus.FAILED])
            | Q(status__in=ACTIVE_IMPORT_STATUSES, dry_run=True),
            pk=invoice_import.pk,
        ).update(status=ImportStatus.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now())
        if not updated:
            raise ConflictError("This import can no longer be cancelled.")
        InvoiceImportFilePart.objects.filter(invoice_import=invoice_import).delete()


def invoice_imports_expire() -> int:
    """Cancel imports left unconfirmed (or stalled) for IMPORT_UNCONFIRMED_TTL seconds, and delete the files
    of those and of every import that no longer needs its file. Returns how many imports were cancelled."""
    cutoff = timezone.now() - timedelta(seconds=settings.IMPORT_UNCONFIRMED_TTL)
    with transaction.atomic():
        cancelled = (
            InvoiceImport.objects.filter(
                status__in=[ImportStatus.READY, *ACTIVE_IMPORT_STATUSES], updated_at__lt=cutoff
            )
            .exclude(status=ImportStatus.RUNNING, heartbeat_at__gte=cutoff)
            .update(
                status=ImportStatus.CANCELLED,
                finished_at=timezone.now(),
                error="Not confirmed (or not run) in time; the upload was deleted.",
            )
        )
        InvoiceImportFilePart.objects.filter(
            Q(invoice_import__status__in=[ImportStatus.FINISHED, ImportStatus.CANCELLED])
            | Q(invoice_import__status=ImportStatus.FAILED, invoice_import__updated_at__lt=cutoff)
        ).delete()
    return cancelled


def _next_run(run: InvoiceImport, *, allowed: tuple[str, ...], dry_run: bool, refusal: str) -> None:
    with transaction.atomic():
        attempt = run.attempts + 1
        updated = InvoiceImport.objects.filter(pk=run.pk, attempts=run.attempts, status__in=allowed).update(
            status=ImportStatus.PENDING,
            dry_run=dry_run,
            attempts=attempt,
            rq_job_id="",
            dispatched_at=None,
            heartbeat_at=None,
            rows_read=0,
            error="",
            updated_at=timezone.now(),
        )
        if not updated:
            raise ConflictError(f"{refusal} Reload the page to see where it stands.")
        transaction.on_commit(partial(_dispatch, run.pk, attempt))
    run.refresh_from_db()


def task_id(import_id: uuid.UUID, attempt: int) -> str:
    return f"invoice-import-{import_id}-a{attempt}"


def _dispatch(import_id: uuid.UUID, attempt: int) -> None:
    job_id = task_id(import_id, attempt)
    try:
        # Already after the commit: "auto" enqueues now, so that a Redis failure is caught here.
        django_rq.get_queue(settings.JOBS_QUEUE, commit_mode="auto").enqueue_call(
            RUN_TASK,
            args=(str(import_id), attempt),
            job_id=job_id,
            timeout=settings.IMPORT_JOB_TIMEOUT,
            result_ttl=3600,
        )
    except RedisError as error:  # the row stays PENDING; the admin offers a retry once it is stalled
        logger.warning("Redis unreachable; invoice import %s waits for a retry: %s", import_id, error)
        return
    InvoiceImport.objects.filter(pk=import_id, attempts=attempt).update(rq_job_id=job_id, dispatched_at=timezone.now())


class _Superseded(Exception):
    """A newer attempt (a retry) or a cancellation took over this import."""


def invoice_import_run(*, import_id: uuid.UUID, attempt: int) -> str:
    """Run attempt `attempt` of an import (the RQ task's body): the check, or the import itself.

    Claims the row with a conditional UPDATE, so a stale task of an older attempt does nothing. Returns
    the status it left. Unexpected errors are recorded on the row, then raised (RQ keeps the traceback).
    """
    claimed = InvoiceImport.objects.filter(pk=import_id, attempts=attempt, status__in=ACTIVE_IMPORT_STATUSES).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now(), rows_read=0, rows_estimate=0
    )
    if not claimed:
        return "superseded"
    run = InvoiceImport.objects.select_related("organization", "created_by").get(pk=import_id)
    _remove_abandoned_local_copies()
    try:
        with tempfile.TemporaryDirectory(prefix=LOCAL_COPY_PREFIX) as directory:
            path = Path(directory) / f"upload{Path(run.filename).suffix.lower()}"
            _copy_parts(run, path)
            return _run(run, attempt, path)
    except _Superseded:
        return "superseded"
    except Exception as error:
        _finish(run, attempt, ImportStatus.FAILED, error=f"The run failed unexpectedly ({type(error).__name__}); "
                "upload the file again. The error is in the worker's log.")  # fmt: skip
        raise


def _run(run: InvoiceImport, attempt: int, path: Path) -> str:
    last_beat = 0.0

    def beat(stage: str, done: int, total: int) -> None:
        nonlocal last_beat
        if time.monotonic() - last_beat < 1 and stage == "read":
            return
        last_beat = time.monotonic()
        counts = {"rows_read": done, "rows_estimate": total} if stage == "read" else {}
        if not InvoiceImport.objects.filter(pk=run.pk, attempts=attempt).update(heartbeat_at=timezone.now(), **counts):
            raise _Superseded

    def record(report: ImportReport) -> None:
        if not _finish(run, attempt, ImportStatus.FINISHED, report=report):
            raise _Superseded  # rolls the import back: the newer attempt imports

    try:
        report = invoice_import(
            organization=run.organization,
            source=path,
            filename=run.filename,
            sheet=run.sheet or None,
            uploaded_by=run.created_by,
            dry_run=run.dry_run,
            skip_invalid=run.skip_invalid,
            trigger="admin",
            progress=beat,
            on_write=record,
        )
    except DomainError as error:
        sheets = error.extra.get("sheets")
        _finish(run, attempt, ImportStatus.FAILED, error=f"{error.detail} [{error.code}]", keep_file=bool(sheets),
                report={"sheets": sheets} if sheets else None)  # fmt: skip
        return ImportStatus.FAILED
    if run.dry_run:
        ready = report.new_count > 0 and not report.blocked
        _finish(run, attempt, ImportStatus.READY if ready else ImportStatus.FINISHED, report=report, keep_file=ready)
        return ImportStatus.READY if ready else ImportStatus.FINISHED
    if not report.created:  # blocked, or nothing new any more: no transaction recorded it
        _finish(run, attempt, ImportStatus.FINISHED, report=report)
    return ImportStatus.FINISHED


def _finish(
    run: InvoiceImport,
    attempt: int,
    status: str,
    *,
    report: ImportReport | dict[str, Any] | None = None,
    error: str = "",
    keep_file: bool = False,
) -> bool:
    fields: dict[str, Any] = {"status": status, "error": error, "updated_at": timezone.now()}
    if status != ImportStatus.READY:
        fields["finished_at"] = timezone.now()
    if report is not None:
        fields["report"] = report_as_dict(report) if isinstance(report, ImportReport) else report
        fields["rows_read"] = fields["report"].get("rows_total", 0)
    with transaction.atomic():
        updated = InvoiceImport.objects.filter(pk=run.pk, attempts=attempt, status=ImportStatus.RUNNING).update(
            **fields
        )
        if updated and not keep_file:
            InvoiceImportFilePart.objects.filter(invoice_import_id=run.pk).delete()
    return bool(updated)


def report_as_dict(report: ImportReport) -> dict[str, Any]:
    """The report as the admin shows it (JSON): counts and the first rows of each kind."""
    return {
        "dry_run": report.dry_run,
        "blocked": report.blocked,
        "sheet": report.sheet,
        "sheets": report.sheet_names,
        "rows_total": report.rows_total,
        "new_count": report.new_count,
        "already_imported_count": report.already_imported_count,
        "invalid_rows_count": report.invalid_rows_count,
        "errors_count": report.errors_count,
        "created": report.created,
        "errors": [{"row": e.row, "column": e.column, "value": e.value, "reason": e.reason} for e in report.errors],
        "preview": [
            {
                "row": row.row,
                "type": row.type,
                "invoice_number": row.invoice_number,
                "facility": row.facility.name,
                "start_date": row.start_date.isoformat(),
                "end_date": row.end_date.isoformat(),
                "quantity_text": row.quantity_text,
                "quantity": plain_number(row.quantity),
                "unit": row.unit.symbol,
                "status": row.status,
                "cups": row.cups or "",
            }
            for row in report.preview
        ],
        "already_imported": [
            {
                "row": outcome.row.row,
                "invoice_number": outcome.row.invoice_number,
                "existing_id": str(outcome.existing_id),
                "existing_number": outcome.existing_number,
            }
            for outcome in report.already_imported
        ],
        "job_ids": [str(job_id) for job_id in report.job_ids],
        "calculation_problems": report.calculation_problems,
    }


def _copy_parts(run: InvoiceImport, path: Path) -> None:
    """Write the upload to a local file, one part at a time."""
    numbers = list(
        InvoiceImportFilePart.objects.filter(invoice_import=run).order_by("number").values_list("number", flat=True)
    )
    if not numbers:
        raise ImportFileError("This upload is no longer kept; upload the file again.")
    with path.open("wb") as handle:
        for number in numbers:
            data = InvoiceImportFilePart.objects.filter(invoice_import=run, number=number).values_list(
                "data", flat=True
            )
            handle.write(bytes(data.get()))


def _remove_abandoned_local_copies() -> None:
    """Local copies of a worker killed mid-run (a normal run removes its own when it ends)."""
    import shutil

    cutoff = time.time() - settings.IMPORT_JOB_TIMEOUT
    for directory in Path(tempfile.gettempdir()).glob(f"{LOCAL_COPY_PREFIX}*"):
        try:
            if directory.stat().st_mtime < cutoff:
                shutil.rmtree(directory, ignore_errors=True)
        except OSError:
            continue
