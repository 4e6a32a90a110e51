"""Issue 12, delivery in a real browser: the IG officer makes a download link for an approved
bundle and reads its passcode once; the requester, in a browser of their own, opens the
link, is refused a wrong passcode, enters the right one and downloads the PDF; the PDF
proves free of every redacted text, and the request is now sent.

The approved disclosure is made by the real flow in the served database (the real detector,
the IG officer preparing, the DPO approving, the default planner building the bundle); the
review itself in a browser is tests/web/test_sar_disclosure_browser.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from steward.redaction.verify import prove_absent
from tests.sar import journey_helpers as j
from tests.web.conftest import RolePage
from tests.web.live import DemoSite, chromium_page, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def _approved_request(data_dir: Path) -> tuple[int, str]:
    """In the served demo database, the real flow: the demo IG officer's request, the real
    detector over its documents, every proposal accepted and sent for approval by the IG
    officer, approved by the DPO (a second person), and its bundle built by the default
    planner."""
    request_id, reference, _ = j.served_journey(data_dir, approve=True)
    return request_id, reference


def _status(data_dir: Path, request_id: int) -> str:
    import steward.models  # noqa: F401
    from steward.core.config import Environment, Settings
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.sar.models import SubjectAccessRequest

    engine = make_engine(Settings(env=Environment.TEST, data_dir=data_dir, database_url=None))
    try:
        with session_scope(make_sessionmaker(engine), read_only=True) as db:
            found = db.get(SubjectAccessRequest, request_id)
            assert found is not None
            return found.status
    finally:
        engine.dispose()


def test_staff_send_a_link_and_the_requester_downloads_with_the_passcode(
    role_page: RolePage, demo_site: DemoSite, tmp_path: Path
) -> None:
    request_id, reference = _approved_request(demo_site.data_dir)
    with role_page("ig-officer") as officer:
        officer.goto(f"/sar/requests/{request_id}/bundle")
        assert officer.get_by_test_id("bundle-status").inner_text() == "Ready"
        officer.goto(f"/sar/requests/{request_id}/delivery")
        officer.check("#passcode_channel-post")
        with officer.expect_navigation():
            officer.get_by_role("button", name="Make the link and passcode").click()
        link = officer.get_by_test_id("link").inner_text().strip()
        passcode = officer.get_by_test_id("passcode").inner_text().strip()
        assert link.startswith(demo_site.base + "/disclosure/")
        # Shown once: the delivery page does not give them back.
        officer.goto(f"/sar/requests/{request_id}/delivery")
        assert passcode not in officer.content() and link not in officer.content()

    with chromium_page(demo_site.base) as requester:
        requester.goto(link)
        assert requester.locator("h1").inner_text() == "Download your information"
        body: Any = requester.locator("main").inner_text()
        assert j.REQUESTER not in body and reference not in body
        requester.fill("#passcode", "AAAA-BBBB-CCCC")
        with requester.expect_navigation():
            requester.get_by_role("button", name="Download your information").click()
        assert requester.title().startswith("Error: ")
        assert "passcode is not right" in requester.locator(".govuk-error-summary").inner_text()
        requester.fill("#passcode", passcode.lower())
        with requester.expect_download() as waiting:
            requester.get_by_role("button", name="Download your information").click()
        saved = tmp_path / "my-information.pdf"
        waiting.value.save_as(saved)

    assert saved.read_bytes().startswith(b"%PDF")
    needles = [j.OTHER_PARENT, j.OTHER_ADDRESS, j.SISTER, j.REFUGE, j.NEIGHBOUR]
    assert prove_absent(saved, needles) == []
    # Plaintext control: the proof finds them in the letter the bundle was drawn from.
    source = tmp_path / "source.pdf"
    source.write_bytes(j.letter_pdf())
    found = prove_absent(source, [j.OTHER_PARENT, j.SISTER, j.REFUGE])
    assert {leak.needle for leak in found} == {0, 1, 2}
    assert _status(demo_site.data_dir, request_id) == "sent"
