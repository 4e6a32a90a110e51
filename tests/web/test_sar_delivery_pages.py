"""The bundle and delivery pages as the IG team uses them, and the requester's download page:
a link and passcode shown once, the PDF behind the passcode, clear answers for a wrong,
expired, revoked or locked link, and no token in any log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from steward.cli.runtime import TypeAndPathOnly
from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.redaction.verify import prove_absent
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Status
from steward.sar.service import bundle as bundles
from steward.sar.service.public import Limit
from tests.sar import bundle_helpers as h
from tests.web.conftest import SignedIn, csrf_from

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


@pytest.fixture
def built(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> SubjectAccessRequest:
    request, preparer, _ = h.approved_for_real(db, keyring, session_factory)
    bundles.build_now(db, keyring, preparer, request_id=request.id)
    db.commit()
    return request


def _issue(client: TestClient, request_id: int, **form: str) -> tuple[str, str]:
    page = client.post(
        f"/sar/requests/{request_id}/delivery/links",
        data={
            "expires_in": "14",
            "passcode_channel": "post",
            "csrf_token": csrf_from(client),
            **form,
        },
    )
    assert page.status_code == 200, page.text
    link = re.search(r'data-testid="link">([^<]+)<', page.text)
    passcode = re.search(r'data-testid="passcode">([^<]+)<', page.text)
    assert link and passcode
    return link.group(1), passcode.group(1)


def _download(client: TestClient, path: str, passcode: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"passcode": passcode, "csrf_token": csrf_from(client)})


def test_staff_see_the_bundle_and_its_log(signed_in: SignedIn, built: SubjectAccessRequest) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    page = client.get(f"/sar/requests/{built.id}/bundle")
    assert page.status_code == 200
    assert "Ready" in page.text and re.search(r"THIRD_PARTY: \d+", page.text)
    assert h.TEXT_NEEDLE not in page.text and h.KEPT not in page.text
    assert 'data-testid="log"' in page.text
    pdf = client.get(f"/sar/requests/{built.id}/bundle/download")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]


def test_the_link_and_passcode_open_the_bundle_once_given(
    signed_in: SignedIn, app: FastAPI, built: SubjectAccessRequest, db: Session, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    staff, _ = signed_in(Role.IG_OFFICER)
    link, passcode = _issue(staff, built.id)
    path = link.removeprefix("http://testserver")
    assert path.startswith("/disclosure/")
    # Nothing on the delivery page gives either back.
    history = staff.get(f"/sar/requests/{built.id}/delivery")
    assert path not in history.text and passcode not in history.text
    assert "Working" in history.text
    with TestClient(app) as requester:
        page = requester.get(path)
        assert page.status_code == 200 and "Download your information" in page.text
        assert h.KEPT not in page.text and built.reference not in page.text
        got = _download(requester, path, passcode)
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == "application/pdf"
        saved = tmp_path / "downloaded.pdf"
        saved.write_bytes(got.content)
        assert prove_absent(saved, [h.TEXT_NEEDLE, h.PDF_NEEDLE, h.REFUGE]) == []
    db.refresh(built)
    assert Status(built.status) is Status.SENT


def test_a_wrong_passcode_is_refused_and_counted_and_the_fifth_locks(
    signed_in: SignedIn, app: FastAPI, built: SubjectAccessRequest
) -> None:
    staff, _ = signed_in(Role.IG_OFFICER)
    link, passcode = _issue(staff, built.id)
    path = link.removeprefix("http://testserver")
    with TestClient(app) as requester:
        unknown = _download(requester, "/disclosure/" + "x" * 43, passcode)
        wrong = _download(requester, path, "AAAA-BBBB-CCCC")
        assert unknown.status_code == wrong.status_code == 422
        strip = lambda t: re.sub(r'name="csrf_token" value="[^"]+"', "", t)  # noqa: E731
        assert strip(unknown.text) == strip(wrong.text).replace(path, "/disclosure/" + "x" * 43)
        for _ in range(3):
            _download(requester, path, "AAAA-BBBB-CCCC")
        locked = _download(requester, path, "AAAA-BBBB-CCCC")
        assert locked.status_code == 410 and "locked" in locked.text
        assert _download(requester, path, passcode).status_code == 410
        assert "locked" in requester.get(path).text
    listed = staff.get(f"/sar/requests/{built.id}/delivery")
    assert "Locked" in listed.text and "5 wrong passcodes" in listed.text


def test_revoked_and_expired_links_say_so(
    signed_in: SignedIn, app: FastAPI, built: SubjectAccessRequest
) -> None:
    staff, _ = signed_in(Role.IG_OFFICER)
    link, passcode = _issue(staff, built.id, expires_in="7")
    path = link.removeprefix("http://testserver")
    with TestClient(app) as requester, clock.frozen(NOW + timedelta(days=8)):
        page = requester.get(path)
        assert "This link has expired" in page.text
        assert _download(requester, path, passcode).status_code == 410
    revoked = staff.post(
        f"/sar/requests/{built.id}/delivery/revoke", data={"csrf_token": csrf_from(staff)}
    )
    assert revoked.status_code == 303
    with TestClient(app) as requester:
        assert "This link no longer works" in requester.get(path).text


def test_posting_delivers_and_is_shown(
    signed_in: SignedIn, built: SubjectAccessRequest, db: Session
) -> None:
    staff, _ = signed_in(Role.IG_OFFICER)
    printed = staff.post(
        f"/sar/requests/{built.id}/bundle/print", data={"csrf_token": csrf_from(staff)}
    )
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    done = staff.post(
        f"/sar/requests/{built.id}/delivery/posted",
        data={"csrf_token": csrf_from(staff)},
        follow_redirects=True,
    )
    assert "recorded as posted today" in done.text and "Last downloaded to print" in done.text
    db.refresh(built)
    assert Status(built.status) is Status.SENT


def test_a_link_for_a_request_with_no_bundle_is_refused_on_the_page(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    request, _, _ = h.awaiting_delivery(db, keyring)
    db.commit()
    staff, _ = signed_in(Role.IG_OFFICER)
    page = staff.post(
        f"/sar/requests/{request.id}/delivery/links",
        data={"expires_in": "14", "passcode_channel": "post", "csrf_token": csrf_from(staff)},
    )
    assert page.status_code == 409 and "Build the bundle" in page.text
    bad = staff.post(
        f"/sar/requests/{request.id}/delivery/links",
        data={"expires_in": "365", "passcode_channel": "<script>", "csrf_token": csrf_from(staff)},
    )
    assert bad.status_code == 422 and "<script>" not in bad.text


def test_the_download_page_is_rate_limited(app: FastAPI) -> None:
    app.state.disclosure_limit = Limit(count=2, window=timedelta(minutes=10))
    with TestClient(app) as requester:
        path = "/disclosure/" + "y" * 43
        assert _download(requester, path, "AAAA").status_code == 422
        assert _download(requester, path, "AAAA").status_code == 422
        refused = _download(requester, path, "AAAA")
        assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_no_log_line_carries_a_link_token() -> None:
    token = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", f"/disclosure/{token}?x=1", "1.1", 200),
        None,
    )
    error = logging.LogRecord(
        "steward.web", logging.ERROR, __file__, 1, f"unhandled on GET /disclosure/{token}", (), None
    )
    for record in (access, error):
        assert TypeAndPathOnly().filter(record)
        assert token not in record.getMessage() and "/disclosure/[token]" in record.getMessage()


def test_a_build_whose_job_died_reads_as_failed_not_building(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    from steward.sar.delivery_models import BundleStatus, SarBundle

    request, _, _ = h.awaiting_delivery(db, keyring)
    db.add(SarBundle(request_id=request.id, status=BundleStatus.BUILDING.value, created_at=NOW))
    db.commit()
    staff, _ = signed_in(Role.IG_OFFICER)
    page = staff.get(f"/sar/requests/{request.id}/bundle")
    assert "Failed" in page.text and "stopped before it finished" in page.text
