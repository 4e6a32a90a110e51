"""The record of processing, asset register and printed schedule on the web and through the
API: the DPO records and changes entries, a refused form comes back as typed with nothing
saved, hostile text is shown as text, the exports download, the API pages its lists."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.assurance.processing.models import InformationAsset, ProcessingActivity
from steward.core import auth
from steward.core.permissions import Actor, Role
from steward.retention.service import schedules
from tests.assurance.pdf_text import pdf_text
from tests.factories.processing import COMPLETE, make_activity
from tests.web.conftest import SignedIn, csrf_from

HOSTILE = "=cmd|' /C calc'!A0 <script>alert(1)</script> ../../etc/passwd"


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_dpo_records_an_activity_and_sees_it_listed(signed_in: SignedIn, db: Session) -> None:
    client, dpo = signed_in(Role.DPO)
    form = {
        **COMPLETE,
        "name": "Family court reports",
        "special_category": "yes",
        "art9_condition": "9_2_g",
        "sch1_condition": "p18",
        "owner_user_id": str(dpo.id),
        "csrf_token": csrf_from(client, "/assurance/processing/new"),
    }
    response = client.post("/assurance/processing/new", data=form)
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Safeguarding of children and of individuals at risk" in page.text
    assert "Complete" in page.text
    listing = client.get("/assurance/processing")
    assert "Family court reports" in listing.text and "Showing" in listing.text


def test_a_refused_form_comes_back_as_typed_and_saves_nothing(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.DPO)
    before = _count(db, ProcessingActivity)
    response = client.post(
        "/assurance/processing/new",
        data={
            "name": HOSTILE,
            "purposes": "Kept as typed",
            "sch1_condition": "p18",  # no special category or criminal offence data
            "next_review_on-day": "31",
            "next_review_on-month": "2",
            "next_review_on-year": "2027",
            "csrf_token": csrf_from(client, "/assurance/processing/new"),
        },
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "Remove the Schedule 1 condition" in response.text
    assert "The next review must be a real date" in response.text
    assert "Kept as typed" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert _count(db, ProcessingActivity) == before


def test_hostile_names_are_shown_as_text_and_exported_harmless(
    signed_in: SignedIn, db: Session
) -> None:
    activity = make_activity(db, name=HOSTILE)
    db.commit()
    client, _ = signed_in(Role.AUDITOR)
    page = client.get(f"/assurance/processing/{activity.id}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    exported = client.get("/assurance/processing/export.csv")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment")
    assert "\n'=cmd|" in exported.text
    pdf = client.get("/assurance/processing/export.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Record of processing activities" in pdf_text(pdf.content)


def test_the_auditor_reads_but_cannot_change(signed_in: SignedIn, db: Session) -> None:
    activity = make_activity(db)
    db.commit()
    client, _ = signed_in(Role.AUDITOR)
    assert client.get("/assurance/processing").status_code == 200
    assert "Add an activity" not in client.get("/assurance/processing").text
    assert client.get(f"/assurance/processing/{activity.id}/edit").status_code == 403


def test_the_dpo_records_an_asset_with_its_activities(signed_in: SignedIn, db: Session) -> None:
    activity = make_activity(db, name="Human resources and training")
    db.commit()
    client, dpo = signed_in(Role.DPO)
    before = _count(db, InformationAsset)
    response = client.post(
        "/assurance/assets/new",
        data={
            "name": "HR filing cabinet",
            "kind": "paper",
            "location": "Leeds office, room 2",
            "owner_user_id": str(dpo.id),
            "activity_ids": [str(activity.id)],
            "csrf_token": csrf_from(client, "/assurance/assets/new"),
        },
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "Human resources and training" in page.text and dpo.username in page.text
    assert _count(db, InformationAsset) == before + 1
    refused = client.post(
        "/assurance/assets/new",
        data={"name": "", "kind": "clay", "csrf_token": csrf_from(client, "/assurance/assets")},
    )
    assert refused.status_code == 422
    assert "Choose paper or electronic" in refused.text
    assert _count(db, InformationAsset) == before + 1


def test_the_schedule_prints_and_compares(signed_in: SignedIn, db: Session) -> None:
    schedules.ensure_default(db, Actor.system())
    db.commit()
    client, _ = signed_in(Role.AUDITOR)
    page = client.get("/assurance/retention-schedule")
    assert page.status_code == 200
    assert "CASE.PRIVATE" in page.text and "steward-no-print" in page.text
    pdf = client.get("/assurance/retention-schedule/schedule.pdf")
    assert pdf.status_code == 200 and "CASE.PRIVATE" in pdf_text(pdf.content)
    changes = client.get("/assurance/retention-schedule/changes")
    assert changes.status_code == 200


def test_the_api_records_and_pages(
    api_token: Callable[[Role], tuple[str, auth.User]], client: TestClient
) -> None:
    secret, _ = api_token(Role.DPO)
    headers = {"Authorization": f"Bearer {secret}"}
    body = {**COMPLETE, "name": "Subject access requests", "criminal_offence": True}
    created = client.post("/api/v1/assurance/processing/activities", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["missing"] == ["Owner", "Schedule 1 condition (DPA 2018)"]
    listed = client.get("/api/v1/assurance/processing/activities", headers=headers).json()
    assert {"items", "total", "next_page"} <= set(listed)
    wrong = client.post(
        "/api/v1/assurance/processing/activities",
        json={**body, "name": "Another", "art9_condition": "9_2_g"},
        headers=headers,
    )
    assert wrong.status_code == 422
    summary = client.get("/api/v1/assurance/processing/summary", headers=headers)
    assert summary.status_code == 200 and summary.json()["activities"] >= 1


def test_the_api_maps_classes_keeps_history_and_compares_versions(
    api_token: Callable[[Role], tuple[str, auth.User]], client: TestClient, db: Session
) -> None:
    schedules.ensure_default(db, Actor.system())
    activity = make_activity(db, name="Advice to the court")
    db.commit()
    secret, _ = api_token(Role.DPO)
    headers = {"Authorization": f"Bearer {secret}"}
    unmapped = client.get(
        "/api/v1/assurance/processing/classes?unmapped=true", headers=headers
    ).json()
    assert "CASE.PRIVATE" in {c["code"] for c in unmapped["items"]}
    mapped = client.put(
        "/api/v1/assurance/processing/classes/CASE.PRIVATE",
        json={"activity_id": activity.id},
        headers=headers,
    )
    assert mapped.status_code == 200 and mapped.json()["activity"] == "Advice to the court"
    hostile = client.put(
        "/api/v1/assurance/processing/classes/..%2F..%2Fetc",
        json={"activity_id": activity.id},
        headers=headers,
    )
    assert hostile.status_code in (404, 422)
    body = {**COMPLETE, "name": "Advice to the court", "recipients": "The court"}
    changed = client.put(
        f"/api/v1/assurance/processing/activities/{activity.id}", json=body, headers=headers
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    history = client.get(
        f"/api/v1/assurance/processing/activities/{activity.id}/history", headers=headers
    ).json()
    assert history["total"] == 1 and history["items"][0]["fields"]["recipients"] != "The court"
    only_one = client.get("/api/v1/assurance/retention-schedule/changes", headers=headers)
    assert only_one.status_code == 422  # one version: nothing to compare
    versions = client.get("/api/v1/assurance/retention-schedule/versions", headers=headers)
    assert versions.json()["total"] >= 1
