"""Every refusal is on record (issue 9): the refused request's own transaction rolls back,
so the refusal is written in one of its own, naming who, which kind of route and which ids."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.audit import AuditEvent, EventTag
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from tests.factories.records import make_case
from tests.web.conftest import SignedIn


def _refusals(db: Session) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.tag == EventTag.ACCESS_REFUSED.value))
    )


def test_a_page_refused_for_the_role_is_on_record(signed_in: SignedIn, db: Session) -> None:
    client, user = signed_in(Role.CASEWORKER)
    assert client.get("/audit").status_code == 403
    [event] = _refusals(db)
    assert event.actor_id == user.id
    assert json.loads(event.details) == {"method": "get", "route": "page:audit_trail"}


def test_an_api_refusal_names_the_ids_asked_for_and_nothing_else(
    client: TestClient,
    db: Session,
    keyring: FileKeyring,
    api_token: Callable[[Role], tuple[str, auth.User]],
) -> None:
    case = make_case(db, keyring)
    db.commit()
    secret, user = api_token(Role.CASEWORKER)
    answer = client.get(f"/api/v1/cases/{case.id}", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 403
    [event] = _refusals(db)
    assert event.actor_id == user.id
    details = json.loads(event.details)
    assert details["case_id"] == str(case.id)
    assert set(details) == {"case_id", "method", "route"}


def test_repeated_refusals_are_counted_per_user(signed_in: SignedIn, db: Session) -> None:
    prober, prober_user = signed_in(Role.CASEWORKER)
    once, once_user = signed_in(Role.CASEWORKER)
    for _ in range(3):
        prober.get("/audit")
    once.get("/audit")
    since = clock.now() - timedelta(hours=1)
    assert audit.refusals_by_user(db, since=since) == [(prober_user.id, 3), (once_user.id, 1)]
    assert audit.refusals_by_user(db, since=since, at_least=2) == [(prober_user.id, 3)]


def test_a_refusal_before_sign_in_writes_nothing(client: TestClient, db: Session) -> None:
    # A stale or forged sign-in form is nobody's insider act; recording it would let anyone
    # fill the trail.
    answer = client.post("/sign-in", data={"username": "x", "password": "y", "csrf_token": "0"})
    assert answer.status_code == 403
    assert _refusals(db) == []
