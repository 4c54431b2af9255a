"""The "Emissions inventory" page in a real browser: the monthly chart is drawn, with a bar per month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.browser.conftest import ARTIFACTS, admin_login
from tests.factories import make_invoice, make_result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _result(invoice, category: str, scope: str, kg: str) -> None:  # type: ignore[no-untyped-def]
    make_result(invoice, category, scope=scope, kg_co2e=Decimal(kg))


def test_the_chart_has_a_stacked_bar_per_month_and_scope_2_side_by_side(page, live_server, acme) -> None:  # type: ignore[no-untyped-def]
    for month in range(1, 13):
        invoice = make_invoice(acme.facility, start_date=date(2024, month, 1), end_date=date(2024, month, 28))
        _result(invoice, "electricity", "scope_2_market_based", f"{100 * month}")
        _result(invoice, "electricity_location_based", "scope_2_location_based", f"{80 * month}")
        _result(invoice, "electricity_generation", "scope_3_3b", "50")
    path = f"/admin/invoicing/organization/{acme.organization.pk}/inventory/?year=2024"
    admin_login(page, live_server, path)
    page.wait_for_selector("#inventory-chart svg.pygal-chart")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "emissions_inventory.png"), full_page=True)

    chart = page.locator("#inventory-chart svg.pygal-chart")
    stacked = chart.locator(".series .bars")  # pygal repeats each series' group for its labels
    # One group per stacked scope; in each, one bar per month with a value (pygal leaves out zeros).
    market = stacked.nth(1).locator(".bar")
    upstream = stacked.nth(3).locator(".bar")
    assert stacked.count() == 5  # Scope 1, Scope 2 (market-based), Scope 3 cat. 3a, 3b, 3c
    assert market.count() == 12
    assert upstream.count() == 12
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 600
    assert box["height"] > 200
    # The bars are drawn: each month's market-based bar has a height, growing with the month's figure.
    heights = [float(market.nth(i).locator("rect").get_attribute("height") or 0) for i in range(12)]
    assert all(h > 0 for h in heights)
    assert heights == sorted(heights)
    # Stacked: a month's 3b bar sits on top of its Scope 2 bar (same x, smaller y).
    first_market = market.nth(0).locator("rect")
    first_upstream = upstream.nth(0).locator("rect")
    assert first_market.get_attribute("x") == first_upstream.get_attribute("x")
    assert float(first_upstream.get_attribute("y") or 0) < float(first_market.get_attribute("y") or 0)
    # Scope 2 both ways: two bars a month, side by side (different x), never stacked.
    both = page.locator("#inventory-scope-2-chart svg.pygal-chart .series .bars")
    assert both.count() == 2
    location_x = both.nth(0).locator(".bar rect").first.get_attribute("x")
    market_x = both.nth(1).locator(".bar rect").first.get_attribute("x")
    assert location_x != market_x
    assert (
        page.locator('[data-testid="scope-2-1"]').inner_text() != page.locator('[data-testid="scope-2-2"]').inner_text()
    )
    assert page.locator("#download-csv").get_attribute("href").endswith("download.csv?year=2024")
