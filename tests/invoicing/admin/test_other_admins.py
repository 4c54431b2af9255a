"""Organizations, API keys, facilities, contracts, catalogue and factor admins; scoping for members."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from invoicing.api.authentication import ApiKeyAuthentication
from invoicing.models import ApiKey
from tests.factories import make_invoice

OUR_APPS = {"invoicing", "jobs"}


def our_models():  # type: ignore[no-untyped-def]
    return sorted(
        (model._meta.app_label, model._meta.model_name)
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and admin.site.is_registered(model)
    )


def authenticate(plaintext: str, organization_id) -> object:  # type: ignore[no-untyped-def]
    request = RequestFactory().get(
        "/v1/invoices", HTTP_X_API_KEY=plaintext, HTTP_X_ORGANIZATION_ID=str(organization_id)
    )
    return ApiKeyAuthentication().authenticate(Request(request))


@pytest.fixture
def root(client, superuser):  # type: ignore[no-untyped-def]
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(("app_label", "model_name"), our_models())
def test_every_changelist_renders_for_a_superuser(root, acme, app_label, model_name) -> None:
    make_invoice(acme.facility)
    response = root.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), our_models())
def test_every_changelist_renders_for_a_member(client, staff_user, app_label, model_name) -> None:
    client.force_login(staff_user)
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200


def test_change_pages_render(root, acme) -> None:
    for url in [
        reverse("admin:invoicing_organization_change", args=[acme.organization.pk]),
        reverse("admin:invoicing_facility_change", args=[acme.facility.pk]),
        reverse("admin:invoicing_supplycontract_change", args=[acme.contract.pk]),
        reverse("admin:invoicing_apikey_change", args=[ApiKey.objects.filter(organization=acme.organization).get().pk]),
        reverse("admin:invoicing_apikey_add"),
        reverse("admin:invoicing_facility_add"),
    ]:
        assert root.get(url).status_code == 200, url


def test_creating_an_api_key_shows_it_once_and_it_works(root, acme) -> None:
    response = root.post(reverse("admin:invoicing_apikey_add"), {"organization": acme.organization.pk, "name": "ci"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plaintext = response.context["plaintext"]
    assert plaintext.startswith("ik_")
    assert plaintext in response.content.decode()
    key = ApiKey.objects.get(name="ci")
    assert authenticate(plaintext, acme.organization.pk)
    assert plaintext not in root.get(reverse("admin:invoicing_apikey_change", args=[key.pk])).content.decode()


def test_revoking_an_api_key_takes_effect_at_once(root, acme) -> None:
    key = ApiKey.objects.get(organization=acme.organization)
    assert authenticate(acme.api_key, acme.organization.pk)
    root.post(
        reverse("admin:invoicing_apikey_changelist"),
        {"action": "revoke_api_keys", "index": "0", ACTION_CHECKBOX_NAME: [str(key.pk)]},
    )
    with pytest.raises(AuthenticationFailed):
        authenticate(acme.api_key, acme.organization.pk)


def test_a_member_sees_and_offers_only_their_organizations(client, staff_user, acme, borealis) -> None:
    client.force_login(staff_user)
    html = client.get(reverse("admin:invoicing_facility_changelist")).content.decode()
    assert "Madrid office" in html
    assert "London office" not in html
    form = client.get(reverse("admin:invoicing_facility_add")).content.decode()
    assert "Acme Energía S.L." in form
    assert "Borealis Ltd" not in form
    keys = client.get(reverse("admin:invoicing_apikey_changelist")).content.decode()
    assert acme.api_key.split(".")[0] in keys
    assert borealis.api_key.split(".")[0] not in keys
    other = reverse("admin:invoicing_organization_change", args=[borealis.organization.pk])
    assert client.get(other).status_code == 302


def test_a_member_cannot_create_a_facility_in_another_organization(client, staff_user, borealis) -> None:
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:invoicing_facility_add"),
        {"organization": borealis.organization.pk, "name": "Sneaky", "country": "GB", "region": "", "cups": ""},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert not borealis.organization.facilities.filter(name="Sneaky").exists()


def test_members_may_read_but_not_edit_reference_data(client, staff_user) -> None:
    client.force_login(staff_user)
    assert client.get(reverse("admin:invoicing_unit_changelist")).status_code == 200
    assert client.get(reverse("admin:invoicing_unit_add")).status_code == 403
