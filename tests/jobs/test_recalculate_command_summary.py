"""`recalculate_invoices --wait` counts failed invoices per job and code, as the API and the admin do."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_invoice

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]


def test_wait_counts_a_code_once_with_an_example_and_says_where_every_message_is(acme, worker) -> None:
    for year in (1985, 1990, 1990):
        make_invoice(acme.facility, start_date=date(year, 1, 1), end_date=date(year, 1, 31))
    stderr = StringIO()

    with pytest.raises(CommandError) as error:
        call_command(
            "recalculate_invoices",
            *("--organization", str(acme.organization.id), "--category", "electricity", "--all"),
            *("--wait", "--timeout", "120", "--no-progress"),
            stdout=StringIO(),
            stderr=stderr,
        )

    assert str(error.value) == "3 invoices could not be calculated; the reasons are above."
    assert stderr.getvalue().splitlines() == [
        "3 invoices, electricity: NO_FACTOR: 2 different messages, e.g. No grid electricity generation factor in ES "
        "for 1985 or an earlier year: no loaded dataset publishes one (docs/emissions.md: Known gaps).",
        "Every failed invoice with its message: the job's page in the admin, "
        "or GET /v1/processing-jobs/<job id>/errors.",
    ]
