"""django-rq's dashboard at /admin/rq/: shared queues, so superusers only."""

from __future__ import annotations

import pytest
from rq import Queue

pytestmark = pytest.mark.django_db

DASHBOARD_PAGES = ["/admin/rq/", "/admin/rq/queues/0/", "/admin/rq/workers/0/", "/admin/rq/stats.json/"]


def test_a_superuser_sees_the_queues(client, superuser, queue) -> None:  # type: ignore[no-untyped-def]
    client.force_login(superuser)
    response = client.get("/admin/rq/")
    assert response.status_code == 200
    assert b"default" in response.content
    assert client.get("/admin/rq/stats.json/").json()["queues"][0]["name"] == "default"


@pytest.mark.parametrize("url", DASHBOARD_PAGES)
def test_membership_staff_get_403_on_every_page(client, staff_user, queue, url) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff_user)
    assert client.get(url).status_code == 403


def test_membership_staff_cannot_empty_the_queue(client, staff_user, queue) -> None:  # type: ignore[no-untyped-def]
    shared = Queue(queue.name, connection=queue.connection)  # enqueues now, not at a commit of the test's transaction
    shared.enqueue("jobs.tasks.start_job", "00000000-0000-0000-0000-000000000000")
    client.force_login(staff_user)
    assert client.post("/admin/rq/queues/0/empty/").status_code == 403
    assert shared.count == 1


@pytest.mark.parametrize("url", DASHBOARD_PAGES)
def test_anonymous_visitors_are_sent_to_the_admin_login(client, url) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"


def test_the_dashboard_is_not_also_served_inside_the_admin(client, staff_user, superuser) -> None:  # type: ignore[no-untyped-def]
    for user in (staff_user, superuser):
        client.force_login(user)
        assert client.get("/admin/django_rq/dashboard/").status_code == 404
