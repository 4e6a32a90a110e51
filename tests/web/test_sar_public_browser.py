"""A requester in a real browser, from the start page to a reference, wide and at 320px."""

from __future__ import annotations

import re

import pytest

from tests.web.live import DemoSite, chromium_page, needs_chromium
from tests.web.sar_public_journey import fill_in

pytestmark = [pytest.mark.browser, needs_chromium]


def test_a_requester_gets_a_reference_wide_and_at_320px(demo_site: DemoSite) -> None:
    references = []
    for width in (1280, 320):
        with chromium_page(demo_site.base, width=width, height=800) as page:
            too_wide: list[str] = []

            def reflows(
                page: object = page, width: int = width, too_wide: list[str] = too_wide
            ) -> None:
                scroll = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
                if scroll > width:
                    too_wide.append(f"{page.url} is {scroll}px wide")  # type: ignore[attr-defined]

            references.append(fill_in(page, on_page=reflows, bad_first=width == 320))
            assert not too_wide, too_wide
            # No staff menu, no sign-out: the public reach nothing but the form.
            assert page.locator("text=Sign out").count() == 0
    assert all(re.fullmatch(r"SAR-\d{4}-\d{5}", r) for r in references), references
    assert references[0] != references[1]
