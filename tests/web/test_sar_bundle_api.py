"""The bundle and delivery API with bearer tokens, on the real flow (the real detector, a
second person's approval, the default planner): a build as a job, the staff download, a link
whose token and passcode come once in a body and open the requester's page, revoking,
posting, the history paged, and the refusals."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.sar.delivery_models import SarBundle, SarDeliveryLink
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Status
from steward.sar.service import bundle as bundles
from tests.sar import bundle_helpers as h
from tests.web.conftest import csrf_from

ApiToken = Callable[[Role], tuple[str, auth.User]]
LINK = {"expires_in_days": 14, "passcode_channel": "post"}


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _api(request_id: int, rest: str = "bundle") -> str:
    return f"/api/v1/sar/requests/{request_id}/{rest}"


@pytest.fixture
def built(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> SubjectAccessRequest:
    request, preparer, _ = h.approved_for_real(db, keyring, session_factory)
    bundles.build_now(db, keyring, preparer, request_id=request.id)
    db.commit()
    return request


def _tags(db: Session, tag: str) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.tag == tag)) or 0


def test_the_status_before_and_after_a_build_and_the_audited_download(
    client: TestClient,
    api_token: ApiToken,
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
) -> None:
    request, _, _ = h.approved_for_real(db, keyring, session_factory)
    secret, officer = api_token(Role.IG_OFFICER)
    before = client.get(_api(request.id), headers=_bearer(secret))
    assert before.status_code == 200
    assert before.json() == {"approved": True, "ready_bundle_id": None, "bundle": None}
    assert client.get(_api(request.id, "bundle/download"), headers=_bearer(secret)).status_code == (
        404
    )

    started = client.post(_api(request.id), headers=_bearer(secret))
    assert started.status_code == 202, started.text
    assert started.headers["location"] == _api(request.id)
    job_id = started.json()["job_id"]

    after = client.get(_api(request.id), headers=_bearer(secret))
    state = after.json()
    shown = state["bundle"]
    assert shown["status"] == "ready", shown["error"]
    assert state["ready_bundle_id"] == shown["id"] == started.json()["bundle_id"]
    assert shown["job_id"] == job_id and shown["built_by"] == officer.username
    assert shown["pages"] > 3 and shown["built_at"] is not None
    assert shown["redactions"]["THIRD_PARTY"] >= 1
    # Codes and counts only: nothing redacted, nor the requester's name.
    for words in (h.TEXT_NEEDLE, h.REFUGE, h.KEPT):
        assert words not in after.text

    downloads = _tags(db, "sar:bundle:downloaded")
    pdf = client.get(_api(request.id, "bundle/download"), headers=_bearer(secret))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    assert hashlib.sha256(pdf.content).hexdigest() == shown["sha256"]
    assert _tags(db, "sar:bundle:downloaded") == downloads + 1


def test_a_build_before_approval_is_refused_with_409_and_nothing_starts(
    client: TestClient,
    api_token: ApiToken,
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
) -> None:
    request, _ = h.not_yet_approved(db, keyring, session_factory)
    secret, _ = api_token(Role.IG_OFFICER)
    refused = client.post(_api(request.id), headers=_bearer(secret))
    assert refused.status_code == 409
    assert "approved by a second person" in refused.json()["detail"]
    assert db.scalars(select(SarBundle).where(SarBundle.request_id == request.id)).all() == []
    state = client.get(_api(request.id), headers=_bearer(secret)).json()
    assert state["approved"] is False and state["bundle"] is None


def test_an_issued_link_opens_the_public_page_with_its_passcode(
    client: TestClient, app: FastAPI, api_token: ApiToken, db: Session, built: SubjectAccessRequest
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    issued = client.post(_api(built.id, "delivery/links"), json=LINK, headers=_bearer(secret))
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert body["passcode_channel"] == "post" and body["emailed"] is None
    path = body["url"].removeprefix("http://testserver")
    token = path.removeprefix("/disclosure/")
    assert path.startswith("/disclosure/") and len(token) >= 40
    assert "location" not in issued.headers
    # Shown once: the history never gives either back.
    history = client.get(_api(built.id, "delivery"), headers=_bearer(secret))
    assert token not in history.text and body["passcode"] not in history.text
    assert history.json()["items"][0]["state"] == "working"

    with TestClient(app) as requester:
        page = requester.get(path)
        assert page.status_code == 200 and "Download your information" in page.text
        got = requester.post(
            path, data={"passcode": body["passcode"], "csrf_token": csrf_from(requester)}
        )
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == "application/pdf"
    db.refresh(built)
    assert Status(built.status) is Status.SENT
    after = client.get(_api(built.id, "delivery"), headers=_bearer(secret)).json()
    assert after["items"][0]["downloads"] == 1 and after["working"] == 1


def test_revoking_stops_the_link_and_a_second_revoke_is_409(
    client: TestClient, app: FastAPI, api_token: ApiToken, built: SubjectAccessRequest
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    issued = client.post(_api(built.id, "delivery/links"), json=LINK, headers=_bearer(secret))
    path = issued.json()["url"].removeprefix("http://testserver")
    revoked = client.post(_api(built.id, "delivery/revoke"), headers=_bearer(secret))
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 1}
    with TestClient(app) as requester:
        assert "This link no longer works" in requester.get(path).text
        refused = requester.post(
            path, data={"passcode": issued.json()["passcode"], "csrf_token": csrf_from(requester)}
        )
        assert refused.status_code == 410
    again = client.post(_api(built.id, "delivery/revoke"), headers=_bearer(secret))
    assert again.status_code == 409 and "no link to revoke" in again.json()["detail"]
    history = client.get(_api(built.id, "delivery"), headers=_bearer(secret)).json()
    assert history["items"][0]["state"] == "revoked" and history["working"] == 0


def test_posted_moves_the_request_to_sent_once(
    client: TestClient, api_token: ApiToken, db: Session, built: SubjectAccessRequest
) -> None:
    secret, officer = api_token(Role.IG_OFFICER)
    done = client.post(_api(built.id, "delivery/posted"), headers=_bearer(secret))
    assert done.status_code == 200, done.text
    assert done.json()["request_status"] == "sent" and done.json()["posted_at"] is not None
    db.refresh(built)
    assert Status(built.status) is Status.SENT
    history = client.get(_api(built.id, "delivery"), headers=_bearer(secret)).json()
    assert [(p["bundle_id"], p["posted_by"]) for p in history["posted"]] == [
        (done.json()["bundle_id"], officer.username)
    ]
    again = client.post(_api(built.id, "delivery/posted"), headers=_bearer(secret))
    assert again.status_code == 409 and "already recorded as posted" in again.json()["detail"]


def test_the_history_is_paged_like_every_api_list(
    client: TestClient, api_token: ApiToken, built: SubjectAccessRequest
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    for channel in ("post", "phone"):
        made = client.post(
            _api(built.id, "delivery/links"),
            json={"expires_in_days": 7, "passcode_channel": channel},
            headers=_bearer(secret),
        )
        assert made.status_code == 201
    first = client.get(_api(built.id, "delivery"), headers=_bearer(secret)).json()
    assert (first["total"], first["page"], first["next_page"]) == (2, 1, None)
    assert [x["passcode_channel"] for x in first["items"]] == ["phone", "post"]  # newest first
    one = client.get(_api(built.id, "delivery?page_size=1"), headers=_bearer(secret)).json()
    assert [x["passcode_channel"] for x in one["items"]] == ["phone"] and one["next_page"] == 2
    beyond = client.get(_api(built.id, "delivery?page=2"), headers=_bearer(secret)).json()
    assert beyond["items"] == [] and beyond["total"] == 2 and beyond["page"] == 2
    assert client.get(_api(built.id, "delivery?page=0"), headers=_bearer(secret)).status_code == (
        422
    )


def test_a_link_can_go_by_email_but_only_the_link(
    client: TestClient, api_token: ApiToken, built: SubjectAccessRequest
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    issued = client.post(
        _api(built.id, "delivery/links"), json={**LINK, "email": True}, headers=_bearer(secret)
    )
    assert issued.status_code == 201, issued.text
    assert issued.json()["emailed"] is not None
    history = client.get(_api(built.id, "delivery"), headers=_bearer(secret)).json()
    assert history["items"][0]["emailed"] is True


def test_a_caseworker_is_refused_every_route_and_learns_nothing(
    client: TestClient, api_token: ApiToken, db: Session, built: SubjectAccessRequest
) -> None:
    secret, _ = api_token(Role.CASEWORKER)
    calls = [
        ("GET", _api(built.id), None),
        ("POST", _api(built.id), None),
        ("GET", _api(built.id, "bundle/download"), None),
        ("POST", _api(built.id, "delivery/links"), LINK),
        ("POST", _api(built.id, "delivery/revoke"), None),
        ("POST", _api(built.id, "delivery/posted"), None),
        ("GET", _api(built.id, "delivery"), None),
    ]
    for method, url, body in calls:
        answer = client.request(method, url, json=body, headers=_bearer(secret))
        assert answer.status_code == 403, (method, url, answer.status_code)
        assert built.reference not in answer.text and h.KEPT not in answer.text
        assert client.request(method, url, json=body).status_code == 401
    assert db.scalars(select(SarDeliveryLink)).all() == []
    db.refresh(built)
    assert Status(built.status) is Status.AWAITING_APPROVAL


def test_a_link_request_that_is_not_json_or_not_valid_is_refused_and_nothing_is_made(
    client: TestClient, api_token: ApiToken, db: Session, built: SubjectAccessRequest
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    url = _api(built.id, "delivery/links")
    form = client.post(
        url, data={"expires_in_days": "14", "passcode_channel": "post"}, headers=_bearer(secret)
    )
    assert form.status_code == 415 and "application/json" in form.json()["detail"]
    for bad in (
        {"expires_in_days": 365, "passcode_channel": "post"},
        {"expires_in_days": 0, "passcode_channel": "post"},
        {"expires_in_days": 14, "passcode_channel": "<script>alert(1)</script>"},
        {"expires_in_days": 14, "passcode_channel": "email"},
        {"expires_in_days": 14, "passcode_channel": "post", "token": "=cmd|' /C calc'!A0"},
        {"passcode_channel": "post"},
    ):
        refused = client.post(url, json=bad, headers=_bearer(secret))
        assert refused.status_code == 422, (bad, refused.status_code)
        assert "<script>" not in refused.text and "=cmd|" not in refused.text
    assert db.scalars(select(SarDeliveryLink)).all() == []


def test_the_openapi_document_says_the_link_and_passcode_are_shown_once(
    client: TestClient,
) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    issue = spec["paths"]["/api/v1/sar/requests/{request_id}/delivery/links"]["post"]
    assert "shown once" in issue["description"] and "separate" in issue["description"]
    assert set(issue["responses"]) >= {"201", "403", "404", "409", "422"}
    download = spec["paths"]["/api/v1/sar/requests/{request_id}/bundle/download"]["get"]
    assert "application/pdf" in download["responses"]["200"]["content"]
    assert "202" in spec["paths"]["/api/v1/sar/requests/{request_id}/bundle"]["post"]["responses"]
