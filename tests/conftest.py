"""The named world: two organizations (Spanish and British) with keys, facilities and contracts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import django_rq
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from invoicing.models import Facility, Organization, SupplyContract
from invoicing.services.organizations import api_key_create, membership_grant
from tests.factories import make_contract, make_facility
from tests.workers import WorkerProcess, drain_queue


@dataclass
class Tenant:
    organization: Organization
    api_key: str
    facility: Facility
    contract: SupplyContract

    @property
    def headers(self) -> dict[str, str]:
        """Headers for Django's test client."""
        return {"HTTP_X_API_KEY": self.api_key, "HTTP_X_ORGANIZATION_ID": str(self.organization.id)}


@pytest.fixture
def acme(db) -> Tenant:  # type: ignore[no-untyped-def]
    """A Spanish organization: Madrid office on Iberdrola without guarantees of origin."""
    organization = Organization.objects.create(name="Acme Energía S.L.", country="ES")
    facility = make_facility(organization, name="Madrid office", country="ES", cups=["ES0021000000000001RK"])
    contract = make_contract(facility, "iberdrola-clientes", cups="ES0021000000000001RK")
    return Tenant(organization, api_key_create(organization=organization).plaintext, facility, contract)


@pytest.fixture
def borealis(db) -> Tenant:  # type: ignore[no-untyped-def]
    """A British organization: London office on Octopus Energy."""
    organization = Organization.objects.create(name="Borealis Ltd", country="GB")
    facility = make_facility(organization, name="London office", country="GB")
    contract = make_contract(facility, "octopus-energy-uk")
    return Tenant(organization, api_key_create(organization=organization).plaintext, facility, contract)


@pytest.fixture
def staff_user(db, acme):  # type: ignore[no-untyped-def]
    """A non-superuser staff member of Acme only."""
    user = get_user_model().objects.create_user("staff", password="staff-pass-123", is_staff=True)
    membership_grant(user=user, organization=acme.organization)
    return user


@pytest.fixture
def superuser(db):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_superuser("root", "root@localhost", "root-pass-123")


@pytest.fixture
def queue() -> Iterator[object]:
    """Our own Redis database (REDIS_URL), emptied before and after each test that enqueues."""
    q = django_rq.get_queue(settings.JOBS_QUEUE)
    q.connection.flushdb()
    yield q
    q.connection.flushdb()


@pytest.fixture(name="drain_queue")
def drain_queue_fixture(queue: object) -> Callable[[], None]:
    """Call it to run a real `rqworker --burst` until the queue is empty."""
    return drain_queue


@pytest.fixture
def start_worker(queue: object) -> Iterator[Callable[[], WorkerProcess]]:
    """Call it to start a real long-running worker; all are killed at the end of the test."""
    workers: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        workers.append(WorkerProcess())
        return workers[-1]

    yield start
    for worker in workers:
        worker.kill()


@pytest.fixture
def worker(start_worker: Callable[[], WorkerProcess]) -> WorkerProcess:
    """One real long-running worker for the test."""
    return start_worker()
