"""The disclosure pages and API: find redactions in the background, the counted list, a
document's review with its highlights, deciding, adding without JavaScript, bulk accept,
withholding, and approval by a second person with the preparer's refusal shown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock, jobs
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.sar.disclosure_models import SarDisclosureItem
from steward.sar.service import disclosure
from tests.factories.core import make_user
from tests.sar.disclosure_helpers import FakeAnalyser, prepared
from tests.web.conftest import SignedIn, csrf_from


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


@pytest.fixture(autouse=True)
def fake_detector() -> Iterator[None]:
    previous = disclosure.use_analyser(FakeAnalyser)
    yield
    disclosure.use_analyser(previous)


def _post(client, path: str, data: dict[str, str], page: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_from(client, page or path)})


def test_find_review_decide_add_submit_and_approve(
    signed_in: SignedIn,
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
) -> None:
    officer, user = signed_in(Role.IG_OFFICER)
    ready = prepared(db, keyring, session_factory, user.actor)
    db.commit()
    base = f"/sar/requests/{ready.request.id}/disclosure"

    empty = officer.get(base)
    assert empty.status_code == 200 and "Nothing has been prepared" in empty.text
    assert 'aria-current="page"' in empty.text

    started = _post(officer, f"{base}/propose", {}, base)
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    job_id = int(started.headers["location"].rsplit("/", 1)[1])
    assert db.get(jobs.Job, job_id).status == jobs.JobStatus.DONE.value  # type: ignore[union-attr]

    listed = officer.get(base)
    assert "Showing <b>1</b> to <b>2</b> of <b>2</b> documents" in listed.text
    assert "Contact centre note" in listed.text
    items = {
        i.document_id: i.id
        for i in db.scalars(
            select(SarDisclosureItem).where(SarDisclosureItem.request_id == ready.request.id)
        )
    }
    note = f"{base}/{items[ready.note.id]}"
    page = officer.get(note)
    assert page.status_code == 200
    assert 'class="steward-mark-proposed"' in page.text and "Dean Marsh" in page.text
    assert "social worker&#39;s name" in page.text  # a kept finding, with its reason
    redaction = re.search(r'id="redaction-(\d+)"', page.text)
    assert redaction

    bad = _post(officer, f"{note}/redactions/{redaction.group(1)}", {"decision": "maybe"}, note)
    assert bad.status_code == 422 and "<title>Error:" in bad.text
    decided = _post(
        officer,
        f"{note}/redactions/{redaction.group(1)}",
        {"decision": "accept", "code": "THIRD_PARTY"},
        note,
    )
    assert decided.status_code == 303
    assert f"by {user.username}" in officer.get(note).text

    # Without JavaScript: the words typed, redacted here and proposed in the other document.
    missing = _post(officer, f"{note}/add", {"text": "=cmd|", "code": "THIRD_PARTY"}, note)
    assert missing.status_code == 422 and "not on this document" in missing.text
    added = _post(officer, f"{note}/add", {"text": "Rita Jones", "code": "THIRD_PARTY"}, note)
    assert added.status_code == 303
    letter = f"{base}/{items[ready.letter.id]}"
    assert "Rita Jones" in officer.get(letter).text

    early = _post(officer, f"{base}/submit", {}, base)
    assert early.status_code == 409 and "still to decide" in early.text
    # Accept all of the rest, across the request, from the letter's page.
    keys = re.findall(r'name="key" value="([^"]+)"', officer.get(letter).text)
    assert keys
    for key in keys:
        assert _post(officer, f"{letter}/accept-all", {"key": key}, letter).status_code == 303
    assert "Reviewed" in officer.get(letter).text
    assert _post(officer, f"{base}/submit", {}, base).status_code == 303

    refused = _post(officer, f"{base}/approve", {}, base)
    assert refused.status_code == 403
    assert "Someone other than the person who prepared the disclosure" in refused.text

    dpo, _ = signed_in(Role.DPO)
    assert _post(dpo, f"{base}/approve", {}, base).status_code == 303
    shown = dpo.get(base).text
    assert 'data-testid="approved-by"' in shown and "Approved" in shown


def test_withholding_and_the_api(
    signed_in: SignedIn,
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
    client,  # type: ignore[no-untyped-def]
) -> None:
    officer, user = signed_in(Role.IG_OFFICER)
    ready = prepared(db, keyring, session_factory, user.actor)
    disclosure.gather(db, keyring, user.actor, request_id=ready.request.id)
    disclosure.execute_detection(db, keyring, user.actor, ready.request.id, analyser=FakeAnalyser())
    db.commit()
    item = db.scalars(
        select(SarDisclosureItem).where(SarDisclosureItem.document_id == ready.letter.id)
    ).one()
    path = f"/sar/requests/{ready.request.id}/disclosure/{item.id}"
    none = _post(officer, f"{path}/withhold", {"code": ""}, path)
    assert none.status_code == 422 and "Choose the exemption code" in none.text
    # An area on a scan needs finite corners: words, infinity and NaN are refused, nothing kept.
    for bad in ("left", "inf", "nan"):
        corners = {"page": "1", "x0": bad, "y0": "10", "x1": "50", "y1": "40", "code": "CRIME"}
        refused = _post(officer, f"{path}/area", corners, path)
        assert refused.status_code == 422 and "number of points" in refused.text, bad
    db.expire_all()
    assert db.get(SarDisclosureItem, item.id).areas == "[]"  # type: ignore[union-attr]
    assert _post(officer, f"{path}/withhold", {"code": "LEGAL_PRIVILEGE"}, path).status_code == 303
    assert "Withheld" in officer.get(path).text

    from steward.core import auth

    token = auth.create_token(db, user.actor, user_id=user.id, name="api")[1]
    db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    api = f"/api/v1/sar/requests/{ready.request.id}/disclosure"
    listed = client.get(api, headers=headers)
    assert listed.status_code == 200 and listed.json()["total"] == 2
    one = client.get(f"{api}/{item.id}", headers=headers).json()
    assert one["status"] == "withheld" and one["pages"][0].startswith("Dean Marsh wrote")
    (first,) = one["redactions"]
    assert (
        first["text"] == "Dean Marsh"
        and one["pages"][0][first["start"] : first["end"]] == "Dean Marsh"
    )
    reopened = client.post(
        f"{api}/{item.id}/redactions", json={"text": "Kayleigh", "code": "CRIME"}, headers=headers
    )
    assert reopened.status_code == 201 and reopened.json()["added"] == 1
    decided = client.post(
        f"/api/v1/sar/redactions/{first['id']}/decision", json={"accept": False}, headers=headers
    )
    assert decided.status_code == 200
    caseworker = make_user(db, Role.CASEWORKER)
    other = auth.create_token(db, caseworker.actor, user_id=caseworker.id, name="api")[1]
    db.commit()
    assert client.get(api, headers={"Authorization": f"Bearer {other}"}).status_code == 403


def test_the_request_page_follows_the_disclosure_and_cannot_skip_delivery(
    signed_in: SignedIn,
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
) -> None:
    from steward.sar.disclosure_models import Decision, SarRedaction
    from steward.sar.models import SubjectAccessRequest
    from tests.sar.disclosure_helpers import detected

    officer, user = signed_in(Role.IG_OFFICER)
    ready = prepared(db, keyring, session_factory, user.actor)
    request_id = ready.request.id
    detected(db, keyring, user.actor, request_id)
    for r in db.scalars(select(SarRedaction).where(SarRedaction.request_id == request_id)):
        if r.decision == Decision.PROPOSED:
            disclosure.decide(db, user.actor, redaction_id=r.id, accept=True)
    db.commit()
    page = f"/sar/requests/{request_id}"

    being_prepared = officer.get(page)
    assert 'data-testid="next-step"' in being_prepared.text
    assert f'href="{page}/disclosure"' in being_prepared.text
    assert 'data-testid="move-awaiting_approval"' not in being_prepared.text

    sent = _post(officer, f"{page}/disclosure/submit", {}, f"{page}/disclosure")
    assert sent.status_code == 303
    db.expire_all()
    found = db.get(SubjectAccessRequest, request_id)
    assert found is not None and found.status == "awaiting_approval"
    dpo, _ = signed_in(Role.DPO)
    assert _post(dpo, f"{page}/disclosure/approve", {}, f"{page}/disclosure").status_code == 303

    approved = dpo.get(page)
    assert 'data-testid="move-sent"' not in approved.text
    assert f'href="{page}/bundle"' in approved.text and "build the bundle" in approved.text
    refused = _post(dpo, f"{page}/move", {"to": "sent"}, page)
    assert refused.status_code == 409 and "delivery page" in refused.text
    db.expire_all()
    assert db.get(SubjectAccessRequest, request_id).status == "awaiting_approval"  # type: ignore[union-attr]
    assert 'data-testid="to-bundle"' in dpo.get(f"{page}/disclosure").text
    bundle_page = dpo.get(f"{page}/bundle")
    assert 'id="build-button"' in bundle_page.text and 'data-testid="not-approved"' not in (
        bundle_page.text
    )
