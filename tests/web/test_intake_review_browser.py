"""An information-governance officer resolves a held person conflict in a real Chromium: the
held queue from the menu, the row beside the recorded child with the differing date of
birth named, a decision sent back for its missing reason, then the date of birth corrected,
the row linked to the recorded child, and the row gone from the queue. The partner then
reads the correction, by field name only, on its own page. Screenshots are kept in the
test's temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.intake.review_helpers import RECORDED_DOB, SENT_DOB, seed_live
from tests.web.live import DemoSite, chromium_page, needs_chromium, sign_in_as

pytestmark = [pytest.mark.browser, needs_chromium]


def test_an_ig_officer_resolves_a_held_person_conflict(demo_site: DemoSite, tmp_path: Path) -> None:
    held = seed_live(demo_site.data_dir, demo_site.password)
    with chromium_page(demo_site.base) as page:
        sign_in_as(page, "ig-officer", demo_site.password)
        page.get_by_role("link", name="Partner data", exact=True).click()
        page.get_by_test_id("section-tabs").get_by_role("link", name="Held partner data").click()
        page.wait_for_url("**/intake/held")
        page.select_option("#partner", str(held.partner_id))
        page.click("[data-testid=apply-filters]")
        page.wait_for_url(f"**/intake/held?partner={held.partner_id}*")
        row_link = page.locator(f"a[href='/intake/held/{held.row_id}']")
        assert row_link.is_visible()
        assert "Conflicts with the recorded person" in page.inner_text("[data-testid=held]")
        page.screenshot(path=str(tmp_path / "1-queue.png"), full_page=True)

        row_link.click()
        page.wait_for_url(f"**/intake/held/{held.row_id}")
        dob = page.locator("[data-testid=field-date_of_birth]")
        cells = dob.locator("td").all_inner_texts()
        assert SENT_DOB in cells[0] and "Differs" in cells[0]
        assert RECORDED_DOB.isoformat() in cells[1]
        assert "Differs" not in page.locator("[data-testid=field-last_name]").inner_text()
        assert held.case_number in page.inner_text("[data-testid=candidate]")
        page.screenshot(path=str(tmp_path / "2-row.png"), full_page=True)

        # Correct, with the new date but no reason and no answer about the person.
        page.check("#decision-correct")
        page.fill("#corrected-date_of_birth", RECORDED_DOB.isoformat())
        page.click("[data-testid=decide]")
        page.wait_for_selector(".govuk-error-summary")
        assert page.title().startswith("Error: ")
        summary = page.inner_text(".govuk-error-summary")
        assert "Enter the reason for your decision" in summary
        assert "Say whether this is the person already recorded" in summary
        # What was typed is kept, and the correction's fields are still open.
        assert page.input_value("#corrected-date_of_birth") == RECORDED_DOB.isoformat()
        assert page.locator("#corrected-date_of_birth").is_visible()
        page.screenshot(path=str(tmp_path / "3-errors.png"), full_page=True)

        page.check("#link")
        page.fill("#reason", "The birth certificate on the case file gives 2 March 2015.")
        page.click("[data-testid=decide]")
        page.wait_for_url("**/intake/held?done=corrected")
        assert "corrected and recorded" in page.inner_text("[data-testid=done]")
        assert page.locator(f"a[href='/intake/held/{held.row_id}']").count() == 0
        page.screenshot(path=str(tmp_path / "4-done.png"), full_page=True)

        page.goto("/intake/notices")
        assert held.partner_name in page.inner_text("[data-testid=notices]")

    with chromium_page(demo_site.base) as page:
        sign_in_as(page, held.partner_username, demo_site.password)
        page.get_by_role("link", name="Corrections to your data").first.click()
        page.wait_for_url("**/intake/corrections")
        table = page.inner_text("[data-testid=corrections]")
        assert "Date of birth" in table
        assert SENT_DOB not in page.content() and RECORDED_DOB.isoformat() not in page.content()
        page.screenshot(path=str(tmp_path / "5-partner.png"), full_page=True)
    print(f"screenshots in {tmp_path}")
