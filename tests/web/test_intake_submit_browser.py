"""A partner organisation's user, in a real Chromium: sends a CSV mixing good and bad rows
from "Send data", lands on its submission, reads the feedback table (filtering it by one
code), and downloads the CSV report; the pages fit a phone's 320 px."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest

from tests.web.intake_helpers import NHS_BAD, demo_partner, mixed_file
from tests.web.live import DemoSite, chromium_page, needs_chromium, sign_in_as

pytestmark = [pytest.mark.browser, needs_chromium]


def _shots(tmp_path: Path) -> Path:
    shots = Path(os.environ.get("STEWARD_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def _problems(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return problems


def test_a_partner_sends_a_file_reads_its_feedback_and_downloads_the_report(
    demo_site: DemoSite, tmp_path: Path
) -> None:
    partner = demo_partner(demo_site.data_dir)
    data, names = mixed_file(partner.case_numbers)
    shots = _shots(tmp_path)
    with chromium_page(demo_site.base) as page:
        problems = _problems(page)
        sign_in_as(page, "partner", demo_site.password)
        page.click("nav >> text=Send data")
        page.wait_for_url("**/intake/send")
        assert page.locator("h1").inner_text() == "Send data"
        assert partner.name in page.locator(".govuk-caption-l").inner_text()
        page.screenshot(path=str(shots / "intake-send-1280.png"), full_page=True)

        # Sent without a file: the form comes back saying so, nothing kept.
        page.get_by_role("radio", name="Party details").check()
        page.click("[data-testid=send]")
        page.wait_for_selector(".govuk-error-summary")
        assert page.title().startswith("Error: ")
        assert "Select a file" in page.locator(".govuk-error-summary").inner_text()

        page.get_by_role("radio", name="Party details").check()
        page.set_input_files(
            "#file", files=[{"name": "parties.csv", "mimeType": "text/csv", "buffer": data}]
        )
        page.click("[data-testid=send]")
        page.wait_for_url("**/intake/submissions/*")
        assert page.get_by_test_id("sent").is_visible()
        assert page.get_by_test_id("status").inner_text() == "Checked"
        summary = page.get_by_test_id("summary").inner_text()
        assert "Party details (version 1)" in summary and "parties.csv" in summary
        page.screenshot(path=str(shots / "intake-feedback-1280.png"), full_page=True)

        issues = page.locator("[data-testid=issue]")
        found = [
            (
                int(issues.nth(i).get_attribute("data-row") or 0),
                issues.nth(i).get_attribute("data-code"),
            )
            for i in range(issues.count())
        ]
        assert (3, "nhs.checksum") in found and (5, "date.invalid") in found
        assert 4 in {row for row, _ in found}
        assert not {row for row, _ in found} & {2, 6}  # the good rows have no issue
        table = page.get_by_test_id("issues").inner_text()
        assert "NHS number" in table and "check digit" in table
        # None of what was sent is shown back.
        shown = page.content()
        assert NHS_BAD not in shown and not any(name in shown for name in names)

        # Only one code's issues.
        page.select_option("#code", "nhs.checksum")
        page.click("[data-testid=apply-filter]")
        page.wait_for_url("**code=nhs.checksum*")
        assert page.locator("[data-testid=issue]").count() == 1

        with page.expect_download() as download:
            page.get_by_test_id("report-csv").click()
        path = download.value.path()
        assert path is not None
        text = Path(path).read_bytes().decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        assert lines[0] == ["row", "field", "code", "message"]
        assert lines[1][:3] == ["3", "nhs_number", "nhs.checksum"]
        assert {line[0] for line in lines[1:]} == {str(row) for row, _ in found}
        assert NHS_BAD not in text and not any(name in text for name in names)

        # Its submissions: this one among them.
        page.click("nav >> text=Your submissions")
        page.wait_for_url("**/intake/submissions")
        assert page.locator("[data-testid=submission]").count() >= 1
        page.screenshot(path=str(shots / "intake-submissions-1280.png"), full_page=True)
        page.locator("[data-testid=submission] a").first.click()
        page.wait_for_url("**/intake/submissions/*")
        submission = page.url
        assert problems == []

    with chromium_page(demo_site.base, width=320, height=800) as phone:
        problems = _problems(phone)
        sign_in_as(phone, "partner", demo_site.password)
        for path, name in (
            ("/intake/send", "intake-send-320.png"),
            (submission, "intake-feedback-320.png"),
            ("/intake/submissions", "intake-submissions-320.png"),
        ):
            phone.goto(path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} is {width}px wide at 320px"
            phone.screenshot(path=str(shots / name), full_page=True)
        assert problems == []
