"""Issue 12, the review in a real browser on the demo organisation: the IG officer opens a
document of a request's disclosure, selects words on it and redacts them with a code (the
selection's offsets filled in by redaction.js), marks every document reviewed and sends the
disclosure for approval; her own approval is refused with the reason; the DPO approves it.
Read at 320 px wide, as on a phone, without scrolling sideways (WCAG 1.4.10)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.sar.disclosure_helpers import disclosure_demo_request
from tests.web.conftest import RolePage
from tests.web.live import DemoSite, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

NARROW = {"width": 320, "height": 800}

# Select the first word of the first page of the document, as a reviewer dragging over it.
SELECT_FIRST_WORD = """
() => {
  const page = document.querySelector("[data-redaction-page]");
  const walker = document.createTreeWalker(page, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const found = /[A-Za-z]{3,}/.exec(node.data);
    if (!found) continue;
    const range = document.createRange();
    range.setStart(node, found.index);
    range.setEnd(node, found.index + found[0].length);
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return found[0];
  }
  return null;
}
"""


def _fits(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def _text_shown(page: Any, url: str) -> str:
    """The document's text, once the served app's extraction worker has read it."""
    deadline = time.monotonic() + 60
    while True:
        page.goto(url)
        text = (
            page.get_by_test_id("document-text").first.inner_text()
            if page.get_by_test_id("document-text").count()
            else ""
        )
        if text.strip() or time.monotonic() > deadline:
            return str(text)
        time.sleep(1)


def _click(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_a_reviewer_redacts_by_selecting_and_a_second_person_approves(
    role_page: RolePage, demo_site: DemoSite
) -> None:
    request_id = disclosure_demo_request(demo_site.data_dir)
    base = f"/sar/requests/{request_id}/disclosure"
    with role_page("ig-officer", **NARROW) as officer:
        officer.goto(base)
        assert officer.locator("h1").inner_text() == "Disclosure"
        assert _fits(officer)
        links = [
            str(a.get_attribute("href"))
            for a in officer.locator("[data-testid=disclosure-item] a").all()
        ]
        assert links, "the person's documents are in scope"
        first = links[0]
        assert _text_shown(officer, first).strip()
        word = officer.evaluate(SELECT_FIRST_WORD)
        assert word
        officer.wait_for_function("w => document.querySelector('#add-text').value === w", arg=word)
        assert officer.input_value("input[name=start]") != ""
        officer.select_option("#add-code", "THIRD_PARTY")
        _click(officer, "[data-testid=add-redaction] button")
        card = officer.get_by_test_id("redaction").first
        assert word in card.inner_text() and "Redacted" in card.inner_text()
        assert "by ig-officer" in card.get_by_test_id("decided-by").inner_text()
        marked = officer.locator("[data-testid=document-text] .steward-mark-redact").first
        assert marked.inner_text().startswith(word)
        assert _fits(officer), "the review page scrolls sideways at 320px"

        for link in links:
            _text_shown(officer, link)
            # The same word elsewhere is proposed, not redacted: accept it everywhere at once.
            while officer.get_by_test_id("accept-all").count():
                _click(officer, "[data-testid=accept-all] >> nth=0 >> button")
            if officer.get_by_test_id("mark-reviewed").count():
                _click(officer, "[data-testid=mark-reviewed] button")
            assert officer.get_by_test_id("item-status").inner_text() == "Reviewed"

        officer.goto(base)
        _click(officer, "[data-testid=submit] button")
        assert "waiting for approval" in officer.get_by_test_id("disclosure-status").inner_text()
        # She prepared it, so she may not approve it: refused with the reason, nothing changes.
        _click(officer, "[data-testid=approve] button")
        summary = officer.locator(".govuk-error-summary")
        assert "Someone other than the person who prepared the disclosure" in summary.inner_text()
        assert officer.title().startswith("Error: ")
        assert "waiting for approval" in officer.get_by_test_id("disclosure-status").inner_text()
        assert _fits(officer)

    with role_page("dpo", **NARROW) as dpo:
        dpo.goto(base)
        assert "ig-officer" in dpo.get_by_test_id("prepared-by").inner_text()
        _click(dpo, "[data-testid=approve] button")
        assert re.search(r"\bapproved\b", dpo.get_by_test_id("disclosure-status").inner_text())
        assert "dpo" in dpo.get_by_test_id("approved-by").inner_text()
        assert _fits(dpo)
