"""Issue 11, the handler's journey in a real browser on the demo organisation: the IG officer
logs a request that came by email, takes it through the search and review to "awaiting
approval", tries to approve it herself and is refused (nothing changes); the DPO signs in and
approves it, and it is sent. Every page is read on a 320 px wide screen, as on a phone, and
must not scroll sideways (WCAG 1.4.10)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import RolePage
from tests.web.live import needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

NARROW = {"width": 320, "height": 800}


def _shots(tmp_path: Path) -> Path:
    shots = Path(os.environ.get("STEWARD_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def _fits(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def _step(page: Any, testid: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(testid).locator("button").click()


def test_a_handler_sends_for_approval_and_a_second_person_approves(
    role_page: RolePage, tmp_path: Path
) -> None:
    shots = _shots(tmp_path)
    today = date.today()
    with role_page("ig-officer", **NARROW) as officer:
        officer.goto("/sar")
        assert officer.locator("h1").inner_text() == "Subject access requests"
        assert _fits(officer)
        officer.goto("/sar/new")
        officer.check("input[name=requester_type][value=data_subject]")
        officer.check("input[name=channel][value=email]")
        officer.fill("#received", str(today.day))
        officer.fill("#received-month", str(today.month))
        officer.fill("#received-year", str(today.year))
        officer.fill("#requester_name", "Browser Test Requester")
        officer.fill("#description", "Everything from my family's case in 2020")
        with officer.expect_navigation():
            officer.get_by_test_id("log").click()
        assert re.search(r"/sar/requests/\d+$", officer.url), officer.url
        request_url = officer.url
        assert officer.get_by_test_id("status-words").inner_text() == "Received"
        assert "Browser Test Requester" in officer.get_by_test_id("requester").inner_text()
        for testid in ("move-searching", "move-reviewing", "move-awaiting_approval"):
            _step(officer, testid)
        assert officer.get_by_test_id("status-words").inner_text() == "Awaiting approval"

        # She prepared it, so she may not approve it: refused, and it stays where it was.
        _step(officer, "move-sent")
        summary = officer.locator(".govuk-error-summary")
        assert "Someone other than the person who prepared the response" in summary.inner_text()
        assert officer.title().startswith("Error: ")
        assert officer.get_by_test_id("status-words").inner_text() == "Awaiting approval"
        officer.screenshot(path=str(shots / "sar-approval-refused-320.png"), full_page=True)
        assert _fits(officer), "the refused approval scrolls sideways at 320px"

    with role_page("dpo", **NARROW) as dpo:
        dpo.goto(request_url)
        assert dpo.get_by_test_id("status-words").inner_text() == "Awaiting approval"
        _step(dpo, "move-sent")
        assert dpo.get_by_test_id("status-words").inner_text() == "Sent"
        timeline = dpo.get_by_test_id("timeline").inner_text()
        assert "Awaiting approval to Sent" in timeline and "by dpo" in timeline
        dpo.screenshot(path=str(shots / "sar-sent-320.png"), full_page=True)
        assert _fits(dpo), "the request page scrolls sideways at 320px"
