"""Whoever opens the server's address, or the API's root, is pointed at the admin and the API docs."""

from __future__ import annotations

from django.test import Client


def test_the_home_page_links_the_admin_and_the_api_docs():
    response = Client().get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/admin/"' in html
    assert 'href="/v1/docs/"' in html


def test_the_api_root_answers_json_without_a_key():
    response = Client().get("/v1/")
    assert response.status_code == 200
    assert response.json() == {"admin": "/admin/", "docs": "/v1/docs/", "schema": "/v1/schema/"}
