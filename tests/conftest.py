"""The named world: two organizations (Spanish and British) with keys, facilities and contracts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from invoicing.models import Facility, Organization, SupplyContract
from invoicing.services.organizations import api_key_create, membership_grant
from tests.factories import make_contract, make_facility


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
