"""Server time of the invoice admin at 1,000,000 invoices (target: changelist under 500 ms).

Data: the COPY generator of `generate_invoices` (`invoicing.services.generation`). Rows are tagged
by organization name ("Bench admin …"), so a second run reuses them. Timings go through Django's
test client in-process (no network): that is the server time of a request, median of several runs
after a warm-up.
"""

from __future__ import annotations

from typing import Any

from bench.common import Result, median_ms

FULL_ROWS = 1_000_000
QUICK_ROWS = 50_000
SHARES = (0.5, 0.25, 0.25)  # one big tenant and two smaller ones
FACILITIES_PER_ORGANIZATION = 20
RUNS = 5
TARGET_MS = 500.0


def _users(organization: Any) -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    from invoicing.services.organizations import membership_grant

    users = get_user_model().objects
    root = users.filter(username="bench-root").first() or users.create_superuser("bench-root", "", None)
    member = users.filter(username="bench-member").first() or users.create_user("bench-member", is_staff=True)
    member.memberships.all().delete()
    membership_grant(user=member, organization=organization)
    return root, member


def _dataset(rows: int) -> tuple[list[Any], int, float]:
    """The bench organizations holding `rows` invoices, generated on first use: (organizations, added, seconds)."""
    from invoicing.models import Organization

    prefix = f"Bench admin {rows}"
    existing = list(Organization.objects.filter(name__startswith=f"{prefix} ").order_by("name"))
    if existing:
        return existing, 0, 0.0
    from invoicing.services.generation import invoices_generate

    result = invoices_generate(organizations=len(SHARES), invoices=rows, name_prefix=prefix)
    _analyze()
    return list(result.organizations), rows, result.seconds


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoicing_invoice")


def _time(client: Any, url: str, *, data: dict[str, Any] | None = None) -> float:
    def call() -> None:
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return median_ms(call, RUNS)  # after one warm-up request (plans, caches)


def run(options: Any) -> list[Result]:
    from django.conf import settings
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.test import Client
    from django.test.utils import setup_test_environment

    from invoicing.models import Invoice

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    setup_test_environment()
    rows = QUICK_ROWS if getattr(options, "quick", False) else FULL_ROWS
    organizations, added, generated_s = _dataset(rows)
    root, member = _users(organizations[0])
    total = Invoice.objects.count()

    client = Client()
    client.force_login(root)
    base = "/admin/invoicing/invoice/"
    first = organizations[0]
    some_ids = [str(pk) for pk in Invoice.objects.filter(organization=first).values_list("pk", flat=True)[:50]]
    number = Invoice.objects.filter(organization=first).values_list("invoice_number", flat=True).first() or "X"
    scenarios = [
        ("changelist, unfiltered (superuser)", base, None, True),
        ("changelist, page 2000 (superuser)", base + "?p=2000", None, False),
        ("changelist, type=electricity", base + "?type__exact=electricity", None, False),
        ("changelist, one organization", base + f"?organization={first.pk}", None, False),
        ("changelist, not calculated + source legacy", base + "?co2e_status=not_calculated&source=legacy", None, False),
        ("changelist, search invoice number", base + f"?q={number[:-1]}", None, False),
        ("changelist, date hierarchy year 2022", base + "?start_date__year=2022", None, False),
        (
            "intermediate page, select all of one organization",
            base + f"?organization={first.pk}",
            {"action": "recalculate_emissions", "index": "0", "select_across": "1", ACTION_CHECKBOX_NAME: some_ids},
            False,
        ),
    ]
    results = []
    extra: dict[str, object] = {"invoices": total, "added": added, "generate_s": round(generated_s, 1)}
    for name, url, data, targeted in scenarios:
        ms = _time(client, url, data=data)
        results.append(
            Result(
                name=name,
                value=ms,
                unit="ms",
                target=f"< {TARGET_MS:.0f} ms at 1M" if targeted else "",
                ok=(ms < TARGET_MS) if targeted and rows == FULL_ROWS else None,
                extra=extra,
            )
        )
    member_client = Client()
    member_client.force_login(member)
    ms = _time(member_client, base)
    results.append(
        Result(name="changelist, unfiltered (member of the big organization)", value=ms, unit="ms", extra=extra)
    )
    return results
