"""The file plan's pages and API: the records manager names a class's owner and records a
review of its rule; the dashboard's measure follows; a caseworker is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import auth, clock
from steward.core.audit import AuditEvent
from steward.core.permissions import Actor, Role
from steward.records.models import RecordClass
from steward.records.service import file_plan
from steward.retention.models import RecordClassReview
from steward.retention.service import class_reviews, schedules
from tests.factories.core import make_user
from tests.web.conftest import SignedIn, csrf_from

ApiToken = Callable[[Role], tuple[str, auth.User]]


def _sar_class(db: Session) -> RecordClass:
    schedules.ensure_default(db, Actor.system())
    found = file_plan.record_class(db, "SAR")
    db.commit()
    return found


def test_the_records_manager_names_an_owner_and_records_a_review(
    signed_in: SignedIn, db: Session
) -> None:
    sar_class = _sar_class(db)
    owner = make_user(db, Role.MANAGER)
    db.commit()
    client, _ = signed_in(Role.IG_OFFICER)
    listing = client.get("/retention/classes")
    assert listing.status_code == 200
    assert f'href="/retention/classes/{sar_class.id}"' in listing.text

    page = f"/retention/classes/{sar_class.id}"
    csrf = csrf_from(client, page)
    answer = client.post(f"{page}/owner", data={"owner_user_id": str(owner.id), "csrf_token": csrf})
    assert answer.status_code == 303
    db.expire_all()
    assert db.get(RecordClass, sar_class.id).owner_user_id == owner.id  # type: ignore[union-attr]

    today = clock.today()
    refused = client.post(
        f"{page}/reviews",
        data={
            "reviewed_on-day": str((today + timedelta(days=1)).day),
            "reviewed_on-month": str((today + timedelta(days=1)).month),
            "reviewed_on-year": str((today + timedelta(days=1)).year),
            "outcome": "confirmed",
            "csrf_token": csrf,
        },
    )
    assert refused.status_code == 422
    assert "Enter today&#39;s date or a date in the past" in refused.text
    assert db.scalar(select(RecordClassReview.id)) is None

    done = client.post(
        f"{page}/reviews",
        data={
            "reviewed_on-day": str(today.day),
            "reviewed_on-month": str(today.month),
            "reviewed_on-year": str(today.year),
            "outcome": "change_needed",
            "note": "Period to follow the new statutory guidance",
            "csrf_token": csrf,
        },
    )
    assert done.status_code == 303
    shown = client.get(page)
    assert owner.username in shown.text
    assert "Rule needs changing" in shown.text
    assert "Period to follow the new statutory guidance" in shown.text
    tags = set(db.scalars(select(AuditEvent.tag).where(AuditEvent.subject_type == "record_class")))
    assert tags == {"records:class:owner_set", "retention:class:reviewed"}
    # The note is the organisation's words about a class; the trail keeps none of them.
    details = db.scalars(
        select(AuditEvent.details).where(AuditEvent.subject_type == "record_class")
    )
    assert not any("statutory" in (d or "") for d in details)


def test_a_caseworker_cannot_see_or_change_the_file_plan(signed_in: SignedIn, db: Session) -> None:
    sar_class = _sar_class(db)
    client, user = signed_in(Role.CASEWORKER)
    assert client.get("/retention/classes").status_code == 403
    csrf = csrf_from(client, "/")
    answer = client.post(
        f"/retention/classes/{sar_class.id}/owner",
        data={"owner_user_id": str(user.id), "csrf_token": csrf},
    )
    assert answer.status_code == 403
    db.expire_all()
    assert db.get(RecordClass, sar_class.id).owner_user_id is None  # type: ignore[union-attr]


def test_the_api_sets_the_owner_and_records_a_review(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    sar_class = _sar_class(db)
    secret, officer = api_token(Role.IG_OFFICER)
    headers = {"Authorization": f"Bearer {secret}"}
    base = f"/api/v1/retention/classes/{sar_class.id}"
    listed = client.get("/api/v1/retention/classes", headers=headers).json()
    assert {"items", "total", "page", "page_size", "next_page"} <= set(listed)
    assert "SAR" in {c["code"] for c in listed["items"]}
    owned = client.put(f"{base}/owner", json={"owner_user_id": officer.id}, headers=headers)
    assert owned.status_code == 200 and owned.json()["owner"] == officer.username
    bad = client.post(
        f"{base}/reviews", json={"reviewed_on": "2026-01-01", "outcome": "maybe"}, headers=headers
    )
    assert bad.status_code == 422
    reviewed = client.post(
        f"{base}/reviews",
        json={"reviewed_on": clock.today().isoformat(), "outcome": "confirmed"},
        headers=headers,
    )
    assert reviewed.status_code == 201
    assert reviewed.json()["meets"] is True and reviewed.json()["short_of"] == []
    reviews = client.get(f"{base}/reviews", headers=headers).json()
    assert reviews["total"] == 1 and reviews["items"][0]["reviewed_by"] == officer.username

    caseworker, _ = api_token(Role.CASEWORKER)
    refused = client.put(
        f"{base}/owner",
        json={"owner_user_id": None},
        headers={"Authorization": f"Bearer {caseworker}"},
    )
    assert refused.status_code == 403


def test_an_owner_who_has_left_owns_nothing(signed_in: SignedIn, db: Session) -> None:
    sar_class = _sar_class(db)
    leaver = make_user(db, Role.MANAGER)
    file_plan.set_owner(
        db, make_user(db, Role.DPO).actor, class_id=sar_class.id, owner_user_id=leaver.id
    )
    leaver.is_active = False
    db.commit()
    client, _ = signed_in(Role.DPO)
    page = client.get(f"/retention/classes/{sar_class.id}")
    assert page.status_code == 200
    assert "An account no longer active: choose another" in page.text
    found = {c.code: c for c in class_reviews.standings(db, clock.today())}
    assert found["SAR"].owner is None and "No owner" in found["SAR"].gaps
