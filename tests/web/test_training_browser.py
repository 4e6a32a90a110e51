"""A member of staff takes the data protection induction module in a real Chromium: finds it
on My training, fails once (seeing which questions, not the answers), passes, and downloads
their certificate."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.training import module_files
from tests.sar.test_letters import flat, pdf_text
from tests.web.live import DemoSite, chromium_page, needs_chromium, sign_in_as
from tests.web.training_helpers import INDUCTION, answer_quiz, demo_trainee

pytestmark = [pytest.mark.browser, needs_chromium]

MODULE = module_files.shipped()[INDUCTION]


def test_a_member_of_staff_takes_a_module_passes_and_downloads_the_certificate(
    demo_site: DemoSite,
) -> None:
    username, password = demo_trainee(demo_site.data_dir, name="Rowan Achebe")
    with chromium_page(demo_site.base) as page:
        sign_in_as(page, username, password)
        page.click("nav >> text=My training")
        page.wait_for_url("**/training")
        line = page.locator("[data-testid=line][data-code=DP-INDUCTION]")
        assert "To do" in line.inner_text()
        line.locator("[data-testid=take]").click()
        page.wait_for_url(f"**/training/modules/{INDUCTION}")
        assert page.locator("h1").inner_text() == "Data protection induction"
        assert "72 hours" in page.get_by_test_id("content").inner_text()

        # Sent without answering: the page comes back naming each question, nothing kept.
        page.click("[data-testid=send]")
        page.wait_for_selector(".govuk-error-summary")
        assert page.title().startswith("Error: ")
        assert "Choose an answer to question 1" in page.locator(".govuk-error-summary").inner_text()

        # Two wrong: not passed, the two questions named with where to read again.
        answer_quiz(page, wrong=2)
        assert page.get_by_test_id("not-passed").is_visible()
        assert page.get_by_test_id("score").inner_text() == "75%"
        wrong = page.get_by_test_id("wrong").inner_text()
        assert MODULE.questions[0].text in wrong and MODULE.questions[1].text in wrong
        correct = MODULE.questions[0].options[MODULE.questions[0].correct_index].text
        assert correct not in page.content()

        page.get_by_test_id("try-again").click()
        page.wait_for_url(f"**/training/modules/{INDUCTION}")
        answer_quiz(page, wrong=0)
        assert page.get_by_test_id("passed").is_visible()
        with page.expect_download() as download:
            page.get_by_test_id("certificate").click()
        path = download.value.path()
        assert path is not None
        text = flat(pdf_text(Path(path).read_bytes()))
        assert "Rowan Achebe" in text and "Data protection induction" in text
        assert "Score 100%" in text and "Verification reference: TRN-" in text

        # My training now shows it done, and the certificate there too.
        page.goto("/training")
        line = page.locator("[data-testid=line][data-code=DP-INDUCTION]")
        assert "Up to date" in line.inner_text()
        done = page.locator("[data-testid=completion][data-code=DP-INDUCTION]")
        assert "100%" in done.inner_text()
        assert done.get_by_test_id("certificate").count() == 1
