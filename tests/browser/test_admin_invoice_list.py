"""The invoice list on a laptop screen: the co2e column, with its unit, is in view without scrolling."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from tests.browser.conftest import ARTIFACTS
from tests.factories import make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_at_1280_px_the_co2e_column_and_its_unit_are_in_view(page, live_server, acme) -> None:  # type: ignore[no-untyped-def]
    get_user_model().objects.create_superuser("browser", "browser@localhost", "browser-pass-123")
    for number in range(3):
        make_invoice(acme.facility, invoice_number=f"LONG-INVOICE-NUMBER-{number:05d}", co2e=Decimal("2557.5"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/invoicing/invoice/")
    page.fill("#id_username", "browser")
    page.fill("#id_password", "browser-pass-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#result_list")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "invoice_list_1280.png"))

    header = page.query_selector("#result_list th.column-co2e_kg")
    assert header is not None
    assert header.text_content().strip().startswith("CO2e (kg)")
    box = header.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 1280
    cell = page.query_selector("#result_list td.field-co2e_kg")
    assert cell is not None
    assert cell.inner_text() == "2557.5"
    lines = page.evaluate(
        """() => { const range = document.createRange();
                   range.selectNodeContents(document.querySelector('#result_list td.field-period'));
                   return range.getClientRects().length; }"""
    )
    assert lines == 1  # the period on one line, not five
