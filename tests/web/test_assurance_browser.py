"""The DPO in a real Chromium against the demo organisation: from their home page to the
assurance dashboard, into the open requests overdue and on to the overdue request itself,
then back and into a measure rated red."""

from __future__ import annotations

import pytest

from tests.web.live import DemoSite, chromium_page, needs_chromium, sign_in_as

pytestmark = [pytest.mark.browser, needs_chromium]


def test_the_dpo_opens_the_dashboard_and_drills_into_an_overdue_sar_and_a_red_measure(
    demo_site: DemoSite,
) -> None:
    with chromium_page(demo_site.base) as page:
        sign_in_as(page, "dpo", demo_site.password)
        page.get_by_test_id("panel-assurance").get_by_role("link").click()
        page.wait_for_url("**/assurance")
        assert page.locator("h1").inner_text() == "Assurance dashboard"
        assert page.locator("svg[role=img]").count() >= 1  # the trend charts, drawn on the server

        overdue = page.get_by_test_id("measure-sar_overdue_open")
        assert overdue.get_by_test_id("rag").inner_text() == "Red"
        overdue.get_by_role("link").click()
        page.wait_for_url("**/assurance/measures/sar_overdue_open**")
        rows = page.get_by_test_id("row")
        assert rows.count() >= 1
        reference = rows.first.get_by_role("link").inner_text()
        rows.first.get_by_role("link").click()
        page.wait_for_url("**/sar/requests/*")
        assert reference in page.content()

        page.goto("/assurance")
        red = page.locator("tr[data-testid^=measure-]:has(strong.govuk-tag--red)")
        others = [
            red.nth(i)
            for i in range(red.count())
            if red.nth(i).get_attribute("data-testid") != "measure-sar_overdue_open"
        ]
        assert others, "the demo organisation shows more than one red measure"
        title = others[0].get_by_role("link").inner_text()
        others[0].get_by_role("link").click()
        page.wait_for_url("**/assurance/measures/**")
        assert page.locator("h1").inner_text() == title
        assert page.get_by_test_id("summary").get_by_test_id("rag").inner_text() == "Red"
        assert "What it counts" in page.get_by_test_id("summary").inner_text()
