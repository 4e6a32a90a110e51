"""The DPO's disposal journey in a real browser on the demo organisation: the IG officer
decides the overdue demo list, the DPO (who decided none of it) approves it and carries it
out as a background job with progress, and ends on the destruction certificate.

It destroys demo records, so it runs on a demo site of its own, not the shared one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from steward.demo.service import DEMO_PASSWORD
from tests.web.live import DemoSite, chromium_page, needs_chromium, seed_demo, serve, sign_in_as

pytestmark = [pytest.mark.browser, needs_chromium]
SHOTS = Path("/tmp/shots-jobs")


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    data_dir = tmp_path_factory.mktemp("retention-journey")
    data_dir.chmod(0o700)
    seed_demo(data_dir)
    with serve(data_dir) as base:
        yield DemoSite(base, data_dir, DEMO_PASSWORD)


def _shot(page: object, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_decide_approve_carry_out_and_certificate(own_site: DemoSite) -> None:
    with chromium_page(own_site.base) as page:
        sign_in_as(page, "ig-officer", own_site.password)
        page.goto("/retention/disposal")
        assert page.locator(".moj-sub-navigation__link[aria-current=page]").inner_text() == (
            "Disposal"
        )
        _shot(page, "01-lists")
        with page.expect_navigation():
            page.locator("[data-testid=lists] a").first.click()
        list_path = re.sub(r"\?.*$", "", page.url.replace(own_site.base, ""))
        _shot(page, "02-list-in-review")
        page.get_by_role("button", name=re.compile("Decide: destroy every undecided")).click()
        _shot(page, "03-decide-confirm")
        page.get_by_role("button", name=re.compile(r"Decide: destroy \d+ item")).click()
        page.wait_for_url(f"**{list_path}")
        # The one who decided is told a second person must approve, and gets no button.
        assert page.get_by_test_id("approval-needed").is_visible()
        assert page.get_by_test_id("approve-link").count() == 0

    with chromium_page(own_site.base) as page:
        sign_in_as(page, "dpo", own_site.password)
        page.goto(list_path)
        page.get_by_test_id("approve-link").click()
        _shot(page, "04-approve-confirm")
        page.get_by_role("button", name=re.compile("Approve destruction")).click()
        page.wait_for_url(f"**{list_path}")
        assert "Approved" in page.get_by_test_id("list-status").inner_text()
        page.get_by_test_id("carry-out-link").click()
        _shot(page, "05-carry-out-confirm")
        page.get_by_role("button", name=re.compile("Carry out destruction")).click()
        page.wait_for_url(re.compile(r".*/jobs/\d+$"))
        _shot(page, "06-job")
        # steward.js polls the job and reloads the page when it has finished.
        page.get_by_test_id("job-done").wait_for(timeout=60_000)
        _shot(page, "07-job-done")
        page.get_by_test_id("job-result").click()
        page.wait_for_url(f"**{list_path}/certificate")
        assert page.get_by_text("SHA-256").count() >= 1
        assert page.get_by_test_id("digest-holds").is_visible()
        _shot(page, "08-certificate")
        certificate_path = page.url.replace(own_site.base, "")
        with page.expect_download() as download:
            page.get_by_test_id("certificate-pdf").click()
        assert download.value.suggested_filename.startswith("certificate-of-destruction-DC-")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
        page.goto(list_path)
        assert "Completed" in page.get_by_test_id("list-status").inner_text()
        _shot(page, "09-list-completed")

    with chromium_page(own_site.base, width=320, height=800) as page:
        sign_in_as(page, "dpo", own_site.password)
        page.goto(list_path)
        _shot(page, "10-list-320")
        page.goto(certificate_path)  # the digest and the method wrap: nothing scrolls sideways
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        _shot(page, "10-certificate-320")
        page.goto("/retention/redate")
        _shot(page, "11-redate-320")
        page.get_by_role("button", name="Re-date every record").click()
        page.wait_for_url(re.compile(r".*/jobs/\d+$"))
        page.get_by_test_id("job-done").wait_for(timeout=60_000)
        _shot(page, "12-redate-done-320")


@pytest.mark.parametrize("width", [1280, 320])
def test_retention_and_archive_lists_read_well(own_site: DemoSite, width: int) -> None:
    with chromium_page(own_site.base, width=width, height=900) as page:
        sign_in_as(page, "dpo", own_site.password)
        for name, path in [
            ("holds", "/retention/holds?status=all"),
            ("due", "/retention/due?as_of=2045-01-01"),
            ("disposal-lists", "/retention/disposal"),
            ("retrievals", "/archives/retrievals?view=all"),
            ("inventory", "/archives/inventory"),
            ("report", "/retention/report"),
        ]:
            page.goto(path)
            assert page.locator("h1").count() == 1
            _shot(page, f"20-{name}-{width}")
        page.goto("/retention/holds")
        assert page.get_by_test_id("covers").count() >= 1
