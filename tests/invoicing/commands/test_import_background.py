"""The admin's imports run by workers: never lost (Redis down, a worker killed), retried by the user, never
imported twice; the upload is removed whatever happens."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rq import SimpleWorker

from invoicing.imports.background import invoice_import_run, invoice_imports_expire
from invoicing.models import Invoice, InvoiceImport, InvoiceImportFilePart
from tests.invoicing.commands.conftest import IMPORT_URL, electricity_row
from tests.invoicing.commands.test_import_admin import upload

pytestmark = pytest.mark.django_db
CLOSED_PORT = {"default": {"URL": "redis://127.0.0.1:1/5"}}


def long_ago(seconds: int) -> datetime:
    return timezone.now() - timedelta(seconds=seconds + 1)


def test_with_redis_down_the_upload_waits_and_is_offered_a_retry_once_stalled(
    client, staff_user, acme, queue, settings, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with override_settings(RQ_QUEUES=CLOSED_PORT), django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT_URL, {"organization": acme.organization.id, "file": upload([electricity_row()])})
    run = InvoiceImport.objects.get()
    assert (run.status, run.rq_job_id, run.dispatched_at) == ("pending", "", None)
    InvoiceImport.objects.filter(pk=run.pk).update(updated_at=long_ago(settings.IMPORT_STALLED_AFTER))

    page = client.get(IMPORT_URL, {"run": run.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT_URL, {"run": run.pk, "action": "retry"})
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert 'id="invoice-import-retry"' in page.content.decode()
    run.refresh_from_db()
    assert (run.status, run.attempts, run.rq_job_id) == ("ready", 2, f"invoice-import-{run.pk}-a2")


def test_an_import_whose_worker_died_is_retried_and_imports_once(
    post_and_work, client, staff_user, acme, queue, settings
):
    client.force_login(staff_user)
    checked = post_and_work({"organization": acme.organization.id, "file": upload([electricity_row()])})
    run = checked.context["run"]
    # The import's worker was killed: the run says running, and nothing reports on it any more.
    InvoiceImport.objects.filter(pk=run.pk).update(
        status="running", dry_run=False, attempts=3, heartbeat_at=long_ago(settings.IMPORT_STALLED_AFTER)
    )

    page = post_and_work({"run": run.pk, "action": "retry"})

    assert page.context["run"].status == "finished"
    assert page.context["run"].attempts == 4
    assert Invoice.objects.count() == 1
    assert not InvoiceImportFilePart.objects.exists()


def test_a_run_that_still_reports_is_not_retried(post_and_work, client, staff_user, acme):
    client.force_login(staff_user)
    checked = post_and_work({"organization": acme.organization.id, "file": upload([electricity_row()])})
    run = checked.context["run"]
    InvoiceImport.objects.filter(pk=run.pk).update(status="running", heartbeat_at=timezone.now())

    page = post_and_work({"run": run.pk, "action": "retry"})

    assert "This import is not stalled; wait for it to finish." in " ".join(str(m) for m in page.context["messages"])
    assert InvoiceImport.objects.get().attempts == 1


def test_a_late_task_of_an_older_attempt_does_nothing(post_and_work, client, staff_user, acme):
    client.force_login(staff_user)
    checked = post_and_work({"organization": acme.organization.id, "file": upload([electricity_row()])})
    post_and_work({"run": checked.context["run"].pk, "action": "confirm"})

    left = invoice_import_run(import_id=checked.context["run"].pk, attempt=1)

    assert left == "superseded"
    assert Invoice.objects.count() == 1


def test_an_unconfirmed_upload_is_deleted_after_its_time_to_live(post_and_work, client, staff_user, acme, settings):
    client.force_login(staff_user)
    checked = post_and_work({"organization": acme.organization.id, "file": upload([electricity_row()])})
    assert InvoiceImportFilePart.objects.exists()
    InvoiceImport.objects.update(updated_at=long_ago(settings.IMPORT_UNCONFIRMED_TTL))

    expired = invoice_imports_expire()

    assert expired == 1
    assert InvoiceImport.objects.get(pk=checked.context["run"].pk).status == "cancelled"
    assert not InvoiceImportFilePart.objects.exists()


def test_cancelling_a_checked_import_deletes_its_upload(post_and_work, client, staff_user, acme):
    client.force_login(staff_user)
    checked = post_and_work({"organization": acme.organization.id, "file": upload([electricity_row()])})

    page = post_and_work({"run": checked.context["run"].pk, "action": "cancel"})

    assert page.context["run"].status == "cancelled"
    assert not InvoiceImportFilePart.objects.exists()
    assert not Invoice.objects.exists()


def test_a_large_upload_is_kept_in_one_megabyte_parts_and_read_back_whole(post_and_work, client, staff_user, acme):
    rows = [electricity_row(invoice_number=f"BIG-{n:06d}", cups="") for n in range(30_000)]
    client.force_login(staff_user)

    page = post_and_work({"organization": acme.organization.id, "file": upload(rows)})

    assert page.context["run"].size > 2 * 1024 * 1024
    assert page.context["run"].status == "ready"
    assert page.context["report"]["new_count"] == 30_000
    assert InvoiceImportFilePart.objects.count() == -(-page.context["run"].size // (1024 * 1024))


def test_a_refused_workbook_keeps_its_reason_and_loses_its_upload_after_the_time_to_live(
    post_and_work, client, staff_user, acme, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.invoicing.commands.conftest import write_xlsx

    path = write_xlsx(tmp_path / "book.xlsx", {"Summary": [["total", 3]]})
    client.force_login(staff_user)
    refused = post_and_work(
        {"organization": acme.organization.id, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert InvoiceImportFilePart.objects.exists()  # kept, so that another sheet can be chosen
    InvoiceImport.objects.update(updated_at=long_ago(settings.IMPORT_UNCONFIRMED_TTL))

    invoice_imports_expire()

    run = InvoiceImport.objects.get(pk=refused.context["run"].pk)
    assert (run.status, run.error) == (refused.context["run"].status, refused.context["run"].error)
    assert run.status == "failed"
    assert not InvoiceImportFilePart.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.slow
def test_a_real_worker_checks_and_imports_an_upload_and_its_emissions_are_calculated(
    client, staff_user, acme, drain_queue
):
    client.force_login(staff_user)
    response = client.post(IMPORT_URL, {"organization": acme.organization.id, "file": upload([electricity_row()])})
    drain_queue()  # `manage.py rqworker --burst`: the check
    run = InvoiceImport.objects.get()
    assert run.status == "ready", run.error

    client.post(IMPORT_URL, {"run": run.pk, "action": "confirm"})
    drain_queue()  # the import, then the emission jobs it started

    page = client.get(response["Location"])
    invoice = Invoice.objects.get()
    assert page.context["run"].status == "finished"
    assert invoice.co2e is not None
    assert not InvoiceImportFilePart.objects.exists()
