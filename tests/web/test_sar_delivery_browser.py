"""Issue 12, delivery in a real browser: the IG officer makes a download link for an approved
bundle and reads its passcode once; the requester, in a browser of their own, opens the
link, is refused a wrong passcode, enters the right one and downloads the PDF; the PDF
proves free of every redacted text, and the request is now sent.

Until the review slice is merged, the approved disclosure is set up by building the bundle
with an injected plan (tests/sar/bundle_helpers.py) straight into the served database; at
merge this fixture should switch to a reviewer redacting and a second person approving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from steward.redaction.verify import prove_absent
from tests.sar import bundle_helpers as h
from tests.web.conftest import RolePage
from tests.web.live import DemoSite, chromium_page, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def _approved_request(data_dir: Path) -> tuple[int, str]:
    """In the served demo database: a request awaiting delivery with its bundle built."""
    import steward.models  # noqa: F401 - every table mapped
    from steward.core import keyfile
    from steward.core.auth import User
    from steward.core.config import Environment, Settings
    from steward.core.crypto import FileKeyring
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.sar.service import bundle as bundles

    settings = Settings(env=Environment.TEST, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            request, _, _ = h.awaiting_delivery(db, keyring)
            officer = db.scalars(select(User).where(User.username == "ig-officer")).one().actor
            bundles.build_now(
                db,
                keyring,
                officer,
                request_id=request.id,
                planner=h.approved(h.plan(request.reference)),
            )
            return request.id, request.reference
    finally:
        engine.dispose()


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
        assert h.KEPT not in body and reference not in body
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
    assert prove_absent(saved, [h.TEXT_NEEDLE, h.PDF_NEEDLE, h.REFUGE]) == []
    # Plaintext control: the proof finds the name in the source it was drawn from.
    source = tmp_path / "source.pdf"
    source.write_bytes(h.source_pdf(h.PDF_PAGES))
    assert prove_absent(source, [h.PDF_NEEDLE])
    assert _status(demo_site.data_dir, request_id) == "sent"
